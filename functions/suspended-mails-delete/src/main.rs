//! Lambda entry point for `DELETE /suspended-mails/{id}`: this route's handler only.
use helpdesk::http::handlers::suspended_mails;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::SUSPENDED_MAILS_DELETE, suspended_mails::delete).await
}
