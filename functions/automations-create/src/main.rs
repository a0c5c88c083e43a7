//! Lambda entry point for `POST /automations` and `POST /api/v2/automations` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::AUTOMATIONS_CREATE,
        automations::create,
        zendesk::routes::AUTOMATIONS_CREATE,
        zendesk::business::automation_create,
    )
    .await
}
