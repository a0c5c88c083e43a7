//! Lambda entry point for `DELETE /macros/{id}`: this route's handler only.
use helpdesk::http::handlers::macros;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::MACROS_DELETE, macros::delete).await
}
