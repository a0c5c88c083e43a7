//! Lambda entry point for `POST /api/v2/tickets/{id}/merge` (the Zendesk API; no native twin): this route's handler only.
use helpdesk::http::lambda;
use helpdesk::http::zendesk::{self, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_v2(routes::TICKETS_MERGE, zendesk::jobs::merge).await
}
