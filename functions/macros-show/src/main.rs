//! Lambda entry point for `GET /macros/{id}` and `GET /api/v2/macros/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::MACROS_SHOW,
        macros::show,
        zendesk::routes::MACROS_SHOW,
        zendesk::business::macro_show,
    )
    .await
}
