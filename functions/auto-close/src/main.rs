//! Scheduled Lambda (EventBridge): closes tickets solved for `AUTO_CLOSE_DAYS` days.

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_auto_close().await
}
