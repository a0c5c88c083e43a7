//! Lambda entry point for `GET /tickets/{id}/macros/{macro_id}/apply` and `GET /api/v2/tickets/{id}/macros/{macro_id}/apply` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::MACROS_PREVIEW,
        macros::preview,
        zendesk::routes::MACROS_APPLY,
        zendesk::business::macro_apply,
    )
    .await
}
