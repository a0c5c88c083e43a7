//! Scheduled Lambda (EventBridge, every minute): records the SLA breaches whose moment has
//! passed, through the change path (docs/sla.md).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_sla_timer().await
}
