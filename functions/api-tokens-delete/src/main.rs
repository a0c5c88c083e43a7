//! Lambda entry point for `DELETE /api-tokens/{id}`: this route's handler only.
use helpdesk::http::handlers::api_tokens;
use helpdesk::http::{lambda, routes};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve(routes::API_TOKENS_DELETE, api_tokens::delete).await
}
