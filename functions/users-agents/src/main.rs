//! Lambda entry point for `GET /users/agents`.
use helpdesk::routes::Handler;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_http(Handler::UsersAgents).await
}
