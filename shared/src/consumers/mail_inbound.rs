//! The mail-inbound consumer: SES receiving stores each message under `inbound/` in the bucket;
//! the bucket's event runs this on the object. The local stack's SMTP listener stores what it
//! receives the same way and calls [`receive_object`]. A failure is returned to Lambda, which
//! retries the event and then sends it to the function's dead-letter queue (alarmed); receiving
//! the same message again makes nothing new (the Message-ID marker).
use crate::app::mail_in::{receive, Received};
use crate::{AppState, BoxError};
use aws_lambda_events::s3::S3Event;

/// Where received messages are kept.
pub const PREFIX: &str = "inbound/";

/// Reads one stored message and hands it to the desk.
pub async fn receive_object(state: &AppState, key: &str) -> Result<Received, BoxError> {
    if !key.starts_with(PREFIX) {
        return Err(format!("{key} is not under {PREFIX}").into());
    }
    let objects = state.objects().map_err(|e| format!("{e:?}"))?;
    let bytes = objects.get(key).await?;
    let received = receive(state, &bytes, Some(key)).await.map_err(|e| format!("{e:?}"))?;
    tracing::info!(key, outcome = ?received, "mail received");
    Ok(received)
}

/// The Lambda handler's body: every record's object, in order.
pub async fn handle(state: &AppState, event: &S3Event) -> Result<Vec<Received>, BoxError> {
    let mut out = Vec::new();
    for record in &event.records {
        let Some(key) = record.s3.object.key.as_deref() else { continue };
        // Keys in S3 events are URL-encoded (spaces as '+').
        let key: String = form_urlencoded::parse(format!("k={key}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| key.to_owned());
        out.push(receive_object(state, &key).await?);
    }
    Ok(out)
}
