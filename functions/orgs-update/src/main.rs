//! Lambda entry point for `PATCH /organizations/{id}` and `PUT /api/v2/organizations/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::ORGS_UPDATE, orgs::update, zendesk::routes::ORGS_UPDATE, zendesk::orgs::update)
        .await
}
