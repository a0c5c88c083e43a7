//! Lambda entry point for `DELETE /triggers/{id}` and `DELETE /api/v2/triggers/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TRIGGERS_DELETE,
        triggers::delete,
        zendesk::routes::TRIGGERS_DELETE,
        zendesk::business::trigger_delete,
    )
    .await
}
