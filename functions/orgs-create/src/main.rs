//! Lambda entry point for `POST /organizations`: this route's handler only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::ORGS_CREATE, orgs::create).await
}
