//! Queue consumer Lambda: sends each mail job once through SES v2.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_mailer().await
}
