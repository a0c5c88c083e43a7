//! Realtime: the WebSocket API's handlers (`$connect`, `$disconnect`, `$default`), the frames
//! they and the broadcaster send, and posting to connections.
pub mod gateway;

use crate::{clock, AppState, BoxError};
use serde_json::{json, Value};

/// The channel staff subscribe to for every ticket event.
pub const TICKETS_CHANNEL: &str = "tickets";

/// A server frame: `{"type", "ticket_id", "data", "changes"?, "at"}`.
pub fn frame(kind: &str, ticket_id: Option<&str>, data: Value, changes: Option<Value>) -> Value {
    let mut f =
        json!({"type": kind, "ticket_id": ticket_id, "data": data, "at": clock::format(clock::now())});
    if let Some(c) = changes {
        f["changes"] = c;
    }
    f
}

pub fn error_frame(ticket_id: Option<&str>, message: &str) -> Value {
    frame("error", ticket_id, json!({"message": message}), None)
}

/// What became of a post to a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// The connection no longer exists (410): forget it.
    Gone,
}

/// Closes a connection (API Gateway then runs `$disconnect`) and forgets it and its
/// subscriptions at once. A connection that is already gone is no error.
pub async fn close(state: &AppState, connection_id: &str) -> Result<(), BoxError> {
    let result = state.ws()?.delete_connection().connection_id(connection_id).send().await;
    match result {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => {}
        Err(e) => return Err(crate::error::error_chain(&e).into()),
    }
    state.store.delete_connection(connection_id).await?;
    Ok(())
}

/// API Gateway refuses WebSocket frames over 128 KB; frames stay under this.
pub const MAX_FRAME_BYTES: usize = 120 * 1024;

/// A frame that fits: the frame itself, or (when it would pass [`MAX_FRAME_BYTES`]) the same
/// `type`, `ticket_id` and `at` with `"data": null` and `"too_large": true`, which tells the
/// client to fetch the object over HTTP.
pub fn fitting(frame: &Value) -> String {
    let text = frame.to_string();
    if text.len() <= MAX_FRAME_BYTES {
        return text;
    }
    json!({
        "type": frame["type"],
        "ticket_id": frame["ticket_id"],
        "data": null,
        "too_large": true,
        "at": frame["at"],
    })
    .to_string()
}

/// Posts one frame to one connection through the `@connections` API.
pub async fn post(state: &AppState, connection_id: &str, frame: &Value) -> Result<Delivery, BoxError> {
    let result = state
        .ws()?
        .post_to_connection()
        .connection_id(connection_id)
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(fitting(frame)))
        .send()
        .await;
    match result {
        Ok(_) => Ok(Delivery::Sent),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => Ok(Delivery::Gone),
        Err(e) => Err(crate::error::error_chain(&e).into()),
    }
}
