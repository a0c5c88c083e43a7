//! Lambda entry point for `GET /organizations`: this route's handler only.
use helpdesk::http::handlers::orgs;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::ORGS_LIST, orgs::list).await
}
