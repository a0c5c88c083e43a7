//! Lambda entry point for `GET /attachments/{id}`: this route's handler only.
use helpdesk::http::handlers::attachments;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::ATTACHMENTS_SHOW, attachments::show).await
}
