//! Lambda entry point for `GET /organizations`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::OrgsList).await
}
