//! Lambda entry point for `GET /views/count_many` and `GET /api/v2/views/count_many` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::VIEWS_COUNT_MANY,
        views::count_many,
        zendesk::routes::VIEWS_COUNT_MANY,
        zendesk::business::view_count_many,
    )
    .await
}
