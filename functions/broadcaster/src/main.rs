//! Lambda on the table's stream: posts ticket, comment and viewer events to WebSocket subscribers.
use helpdesk::jobs::StreamConsumer;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_stream(StreamConsumer::Broadcaster).await
}
