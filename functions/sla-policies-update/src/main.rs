//! Lambda entry point for `PATCH /sla-policies/{id}`: this route's handler only.
use helpdesk::http::handlers::sla_policies;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SLA_POLICIES_UPDATE, sla_policies::update).await
}
