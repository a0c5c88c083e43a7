//! Lambda entry point for `GET /automations/{id}` and `GET /api/v2/automations/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::AUTOMATIONS_SHOW,
        automations::show,
        zendesk::routes::AUTOMATIONS_SHOW,
        zendesk::business::automation,
    )
    .await
}
