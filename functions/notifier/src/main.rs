//! Lambda on the table's stream: queues a mail job for every event that mails someone.
use helpdesk::jobs::StreamConsumer;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_stream(StreamConsumer::Notifier).await
}
