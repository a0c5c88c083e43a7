//! Lambda entry point for `DELETE /automations/{id}` and `DELETE /api/v2/automations/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::AUTOMATIONS_DELETE,
        automations::delete,
        zendesk::routes::AUTOMATIONS_DELETE,
        zendesk::business::automation_delete,
    )
    .await
}
