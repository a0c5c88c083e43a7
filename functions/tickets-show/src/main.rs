//! Lambda entry point for `GET /tickets/{id}`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::TicketsShow).await
}
