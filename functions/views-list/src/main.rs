//! Lambda entry point for `GET /views` and `GET /api/v2/views` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::VIEWS_LIST, views::list, zendesk::routes::VIEWS_LIST, zendesk::business::views)
        .await
}
