//! Lambda entry point for `PATCH /automations/{id}` and `PUT /api/v2/automations/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::AUTOMATIONS_UPDATE,
        automations::update,
        zendesk::routes::AUTOMATIONS_UPDATE,
        zendesk::business::automation_update,
    )
    .await
}
