//! Lambda on the table's stream: deletes the S3 object of every attachment item removed.
use helpdesk::jobs::StreamConsumer;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_stream(StreamConsumer::AttachmentCleaner).await
}
