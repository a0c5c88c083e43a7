//! Lambda entry point for `DELETE /automations/{id}`: this route's handler only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::AUTOMATIONS_DELETE, automations::delete).await
}
