//! Lambda entry point for `GET /api/v2/users/{id}/group_memberships` (the Zendesk API; no native twin): this route's handler only.
use helpdesk::http::lambda;
use helpdesk::http::zendesk::{self, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_v2(routes::USER_MEMBERSHIPS, zendesk::orgs::user_memberships).await
}
