//! Lambda entry point for `GET /tickets/{id}/macros/{macro_id}/apply`: this route's handler only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::MACROS_PREVIEW, macros::preview).await
}
