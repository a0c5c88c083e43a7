//! Lambda entry point for `PUT /sla-policies/reorder`: this route's handler only.
use helpdesk::http::handlers::sla_policies;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SLA_POLICIES_REORDER, sla_policies::reorder).await
}
