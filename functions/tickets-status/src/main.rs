//! Lambda entry point for `POST /tickets/{id}/status`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::TicketsStatus).await
}
