//! Lambda entry point for `PATCH /schedules/{id}`: this route's handler only.
use helpdesk::http::handlers::schedules;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SCHEDULES_UPDATE, schedules::update).await
}
