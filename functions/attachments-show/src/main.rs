//! Lambda entry point for `GET /attachments/{id}`: this route's handler only.
use helpdesk::http::handlers::attachments;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_with(routes::ATTACHMENTS_SHOW, attachments::show, |state, sdk| {
        state.with_presigner_from(sdk)
    })
    .await
}
