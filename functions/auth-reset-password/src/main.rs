//! Lambda entry point for `POST /auth/reset-password`: this route's handler only.
use helpdesk::http::handlers::auth;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::AUTH_RESET_PASSWORD, auth::reset_password).await
}
