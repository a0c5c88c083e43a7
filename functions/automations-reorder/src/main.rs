//! Lambda entry point for `PUT /automations/reorder`: this route's handler only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::AUTOMATIONS_REORDER, automations::reorder).await
}
