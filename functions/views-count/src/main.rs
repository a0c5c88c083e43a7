//! Lambda entry point for `GET /views/{id}/count` and `GET /api/v2/views/{id}/count` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::VIEWS_COUNT,
        views::count,
        zendesk::routes::VIEWS_COUNT,
        zendesk::business::view_count,
    )
    .await
}
