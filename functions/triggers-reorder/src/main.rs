//! Lambda entry point for `PUT /triggers/reorder`: this route's handler only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TRIGGERS_REORDER, triggers::reorder).await
}
