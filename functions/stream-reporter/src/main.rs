//! Stream consumer Lambda: keeps the summary report's daily aggregates.
use helpdesk::consumers::{lambda, reporter};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(reporter::boxed, lambda::clients::dynamodb_only).await
}
