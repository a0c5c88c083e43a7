//! Lambda entry point for `POST /tickets/{id}/assign`: this route's handler only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_ASSIGN, tickets::assign).await
}
