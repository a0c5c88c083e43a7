//! Lambda entry point for `POST /triggers` and `POST /api/v2/triggers` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TRIGGERS_CREATE,
        triggers::create,
        zendesk::routes::TRIGGERS_CREATE,
        zendesk::business::trigger_create,
    )
    .await
}
