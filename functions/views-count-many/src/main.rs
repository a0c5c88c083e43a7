//! Lambda entry point for `GET /views/count_many`: this route's handler only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::VIEWS_COUNT_MANY, views::count_many).await
}
