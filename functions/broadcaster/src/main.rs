//! Stream consumer Lambda: ticket events to WebSocket subscribers.
use helpdesk::consumers::{broadcast, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(broadcast::boxed, lambda::clients::broadcaster).await
}
