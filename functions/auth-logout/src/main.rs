//! Lambda entry point for `POST /auth/logout`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::AuthLogout).await
}
