//! Lambda entry point for `PATCH /organizations/{id}`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::OrgsUpdate).await
}
