//! Lambda entry point for `GET /schedules`: this route's handler only.
use helpdesk::http::handlers::schedules;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SCHEDULES_LIST, schedules::list).await
}
