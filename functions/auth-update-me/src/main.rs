//! Lambda entry point for `PATCH /auth/me`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::AuthUpdateMe).await
}
