//! Lambda entry point for `POST /suspended-mails/{id}/recover`: this route's handler only.
use helpdesk::http::handlers::suspended_mails;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SUSPENDED_MAILS_RECOVER, suspended_mails::recover).await
}
