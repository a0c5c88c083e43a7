//! Lambda entry point for `DELETE /groups/{id}`: this route's handler only.
use helpdesk::http::handlers::groups;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::GROUPS_DELETE, groups::delete).await
}
