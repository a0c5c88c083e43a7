//! Stream consumer Lambda: mail jobs onto the queue.
use helpdesk::consumers::{lambda, notifier};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(notifier::boxed, lambda::clients::notifier).await
}
