//! Stream consumer Lambda: keeps the search index.
use helpdesk::consumers::{indexer, lambda};

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(indexer::boxed, |state, _| state).await
}
