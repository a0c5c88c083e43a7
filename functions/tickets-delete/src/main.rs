//! Lambda entry point for `DELETE /tickets/{id}`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::TicketsDelete).await
}
