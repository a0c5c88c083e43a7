//! Lambda entry point for `POST /attachments`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::AttachmentsCreate).await
}
