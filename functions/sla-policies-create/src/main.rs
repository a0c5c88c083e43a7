//! Lambda entry point for `POST /sla-policies`: this route's handler only.
use helpdesk::http::handlers::sla_policies;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SLA_POLICIES_CREATE, sla_policies::create).await
}
