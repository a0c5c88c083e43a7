//! Lambda entry point for `GET /reports/summary`: this route's handler only.
use helpdesk::http::handlers::reports;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::REPORTS_SUMMARY, reports::summary).await
}
