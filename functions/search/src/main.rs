//! Lambda entry point for `GET /search`: this route's handler only.
use helpdesk::http::handlers::search;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SEARCH, search::search).await
}
