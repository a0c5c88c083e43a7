//! Lambda entry point for `GET /automations` and `GET /api/v2/automations` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::automations;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::AUTOMATIONS_LIST,
        automations::list,
        zendesk::routes::AUTOMATIONS_LIST,
        zendesk::business::automations,
    )
    .await
}
