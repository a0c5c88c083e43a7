//! Lambda entry point for `POST /api/v2/users/create_or_update` (the Zendesk API; no native twin): this route's handler only.
use helpdesk::http::lambda;
use helpdesk::http::zendesk::{self, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_v2(routes::USERS_CREATE_OR_UPDATE, zendesk::users::create_or_update).await
}
