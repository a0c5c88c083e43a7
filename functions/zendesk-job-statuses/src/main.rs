//! Lambda entry point for `GET /api/v2/job_statuses` (the Zendesk API; no native twin): this route's handler only.
use helpdesk::http::lambda;
use helpdesk::http::zendesk::{self, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_v2(routes::JOB_STATUSES, zendesk::jobs::list).await
}
