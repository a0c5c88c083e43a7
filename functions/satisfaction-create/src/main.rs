//! Lambda entry point for `POST /tickets/{id}/satisfaction`: this route's handler only.
use helpdesk::http::handlers::satisfaction;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SATISFACTION_CREATE, satisfaction::create).await
}
