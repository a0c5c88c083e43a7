//! Lambda entry point for `GET /views/{id}`: this route's handler only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::VIEWS_SHOW, views::show).await
}
