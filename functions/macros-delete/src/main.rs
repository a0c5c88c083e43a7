//! Lambda entry point for `DELETE /macros/{id}` and `DELETE /api/v2/macros/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::MACROS_DELETE,
        macros::delete,
        zendesk::routes::MACROS_DELETE,
        zendesk::business::macro_delete,
    )
    .await
}
