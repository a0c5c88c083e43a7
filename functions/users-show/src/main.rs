//! Lambda entry point for `GET /users/{id}` and `GET /api/v2/users/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::users;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::USERS_SHOW, users::show, zendesk::routes::USERS_SHOW, zendesk::users::show)
        .await
}
