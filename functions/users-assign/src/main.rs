//! Lambda entry point for `PATCH /users/{id}/assign`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::UsersAssign).await
}
