//! Lambda entry point for `PATCH /tickets/{id}`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::TicketsUpdate).await
}
