//! Lambda entry point for `GET /tickets/{id}/comments`: this route's handler only.
use helpdesk::http::handlers::comments;
use helpdesk::http::{lambda, routes};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::COMMENTS_LIST, comments::list).await
}
