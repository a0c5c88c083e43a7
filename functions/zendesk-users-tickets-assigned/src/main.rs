//! Lambda entry point for `GET /api/v2/users/{id}/tickets/assigned` (the Zendesk API; no native twin): this route's handler only.
use helpdesk::http::lambda;
use helpdesk::http::zendesk::{self, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_v2(routes::USERS_TICKETS_ASSIGNED, zendesk::tickets::assigned).await
}
