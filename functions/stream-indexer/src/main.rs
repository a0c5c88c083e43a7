//! Lambda on the table's stream: keeps the search word index up to date.
use helpdesk::jobs::StreamConsumer;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_stream(StreamConsumer::Indexer).await
}
