//! Lambda entry point for `GET /users` and `GET /api/v2/users` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::users;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::USERS_LIST, users::list, zendesk::routes::USERS_LIST, zendesk::users::list)
        .await
}
