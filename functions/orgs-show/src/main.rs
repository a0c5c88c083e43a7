//! Lambda entry point for `GET /organizations/{id}` and `GET /api/v2/organizations/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::ORGS_SHOW, orgs::show, zendesk::routes::ORGS_SHOW, zendesk::orgs::show).await
}
