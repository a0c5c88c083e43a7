//! Lambda entry point for `PATCH /automations/{id}`: this route's handler only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::AUTOMATIONS_UPDATE, automations::update).await
}
