//! Lambda entry point for `PATCH /users/{id}/assign`: this route's handler only.
use helpdesk::http::handlers::users;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::USERS_ASSIGN, users::assign).await
}
