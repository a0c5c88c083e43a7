//! Stream consumer Lambda: deletes the S3 objects of removed attachments.
use helpdesk::consumers::{cleanup, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::run_stream(cleanup::boxed, lambda::clients::attachment_cleaner).await
}
