//! Lambda entry point for `POST /tickets/{id}/view`: this route's handler only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_VIEW, tickets::mark_viewed).await
}
