//! Lambda entry point for `GET /auth/me` and `GET /api/v2/users/me` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::auth;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::AUTH_ME, auth::me, zendesk::routes::USERS_ME, zendesk::users::me).await
}
