//! Lambda entry point for `POST /tickets`: this route's handler only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_CREATE, tickets::create).await
}
