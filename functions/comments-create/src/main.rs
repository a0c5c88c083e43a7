//! Lambda entry point for `POST /tickets/{id}/comments`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::CommentsCreate).await
}
