//! Lambda entry point for `GET /views/{id}` and `GET /api/v2/views/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::VIEWS_SHOW, views::show, zendesk::routes::VIEWS_SHOW, zendesk::business::view)
        .await
}
