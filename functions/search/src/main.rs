//! Lambda entry point for `GET /search` and `GET /api/v2/search` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::search;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::SEARCH, search::search, zendesk::routes::SEARCH, zendesk::search::search).await
}
