//! Lambda entry point for `GET /tickets/{id}/viewers`: this route's handler only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_VIEWERS, tickets::viewers).await
}
