//! Lambda entry point for `PATCH /triggers/{id}` and `PUT /api/v2/triggers/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TRIGGERS_UPDATE,
        triggers::update,
        zendesk::routes::TRIGGERS_UPDATE,
        zendesk::business::trigger_update,
    )
    .await
}
