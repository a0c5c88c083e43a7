//! Scheduled Lambda (EventBridge, hourly): runs the automations (the default one closes tickets
//! solved for four days).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_automations().await
}
