//! Lambda entry point for `GET /triggers/{id}` and `GET /api/v2/triggers/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TRIGGERS_SHOW,
        triggers::show,
        zendesk::routes::TRIGGERS_SHOW,
        zendesk::business::trigger,
    )
    .await
}
