//! Lambda entry point for `DELETE /webhooks/{id}`: this route's handler only.
use helpdesk::http::handlers::webhooks;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::WEBHOOKS_DELETE, webhooks::delete).await
}
