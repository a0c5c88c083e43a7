//! S3 event Lambda: each message SES receiving stores under `inbound/` becomes a comment, a
//! ticket, suspended mail, or nothing.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::consumers::lambda::run_mail_inbound().await
}
