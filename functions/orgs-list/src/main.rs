//! Lambda entry point for `GET /organizations` and `GET /api/v2/organizations` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::ORGS_LIST, orgs::list, zendesk::routes::ORGS_LIST, zendesk::orgs::list).await
}
