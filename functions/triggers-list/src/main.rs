//! Lambda entry point for `GET /triggers` and `GET /api/v2/triggers` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::triggers;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TRIGGERS_LIST,
        triggers::list,
        zendesk::routes::TRIGGERS_LIST,
        zendesk::business::triggers,
    )
    .await
}
