//! Lambda entry point for `DELETE /tickets/{id}`: this route's handler only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_DELETE, tickets::delete).await
}
