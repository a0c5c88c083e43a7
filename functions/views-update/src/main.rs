//! Lambda entry point for `PATCH /views/{id}`: this route's handler only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::VIEWS_UPDATE, views::update).await
}
