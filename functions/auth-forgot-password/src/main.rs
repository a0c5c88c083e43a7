//! Lambda entry point for `POST /auth/forgot-password`: this route's handler only.
use helpdesk::http::handlers::auth;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::AUTH_FORGOT_PASSWORD, auth::forgot_password).await
}
