//! Lambda entry point for `POST /tickets/{id}/comments`: this route's handler only.
use helpdesk::http::handlers::comments;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::COMMENTS_CREATE, comments::create).await
}
