//! Lambda entry point for `GET /satisfaction-ratings`: this route's handler only.
use helpdesk::http::handlers::satisfaction;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SATISFACTION_LIST, satisfaction::list).await
}
