//! Queue consumer Lambda: posts each webhook delivery once, signed, to a public https endpoint.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_webhook_delivery().await
}
