//! Lambda entry point for `GET /macros` and `GET /api/v2/macros` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::MACROS_LIST,
        macros::list,
        zendesk::routes::MACROS_LIST,
        zendesk::business::macros,
    )
    .await
}
