//! Lambda entry point for `GET /tickets/{id}/original-mail`: this route's handler only.
use helpdesk::http::handlers::original_mail;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::TICKETS_ORIGINAL_MAIL, original_mail::show).await
}
