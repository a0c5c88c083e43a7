//! Stream consumer Lambda: keeps the search index.
use helpdesk::consumers::{indexer, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(indexer::boxed, lambda::clients::dynamodb_only).await
}
