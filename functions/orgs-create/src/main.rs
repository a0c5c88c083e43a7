//! Lambda entry point for `POST /organizations` and `POST /api/v2/organizations` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::ORGS_CREATE, orgs::create, zendesk::routes::ORGS_CREATE, zendesk::orgs::create)
        .await
}
