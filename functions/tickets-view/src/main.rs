//! Lambda entry point for `POST /tickets/{id}/view`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::TicketsView).await
}
