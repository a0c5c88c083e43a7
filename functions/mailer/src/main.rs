//! Lambda on the mail queue: renders and sends each job once through SES v2.
#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_mailer().await
}
