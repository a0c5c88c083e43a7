//! `/api/v2/tickets/{id}/tags`: read (anyone who sees the ticket), add (PUT), set (POST; Zendesk's verbs) and
//! remove (DELETE) for staff, through the one change path (audited, `via: api`).
use super::tickets::visible;
use super::{ZdCaller, ZdError, ZdObject, ZdResult, ZdStaff};
use crate::app::ticket_change::{change_ticket, ChangeRequest, ChangeSet};
use crate::app::Actor;
use crate::auth::Caller;
use crate::domain::ticket::{Tags, TicketPatch, Via};
use crate::http::Shared;
use crate::AppState;
use axum::extract::{Path, State};
use serde_json::{json, Map, Value};

/// `GET /api/v2/tickets/{id}/tags`.
pub async fn list(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    Path(raw): Path<String>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    Ok(super::ok(&json!({"tags": ticket.tags})))
}

fn tags_of(body: &Map<String, Value>) -> Result<Vec<String>, ZdError> {
    let raw: Vec<String> = match body.get("tags") {
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => return Err(ZdError::invalid("tags", "The tags field must be a list of tags.")),
    };
    Tags::parse(&raw).map(|t| t.as_slice().to_vec()).map_err(|m| ZdError::invalid("tags", m))
}

enum How {
    Set,
    Add,
    Remove,
}

async fn change(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    body: &Map<String, Value>,
    how: How,
) -> ZdResult {
    let ticket = visible(state, caller, raw).await?;
    let tags = tags_of(body)?;
    let mut fields = TicketPatch::default();
    match how {
        How::Set => fields.tags = Some(Tags::parse(&tags).map_err(|m| ZdError::invalid("tags", m))?),
        How::Add => fields.add_tags = tags,
        How::Remove => fields.remove_tags = tags,
    }
    let actor = Actor::from(caller);
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: ChangeSet { fields, via: Via::Api, ..Default::default() },
        expected_stamp: None,
        loaded: Some(ticket),
        receipt: None,
    };
    let updated = change_ticket(state, request).await?.applied()?.ticket;
    Ok(super::ok(&json!({"tags": updated.tags})))
}

/// `POST /api/v2/tickets/{id}/tags`: the ticket's tags become these.
pub async fn set(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    change(&state, &caller, &raw, &body, How::Set).await
}

/// `PUT /api/v2/tickets/{id}/tags`: adds these.
pub async fn add(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    change(&state, &caller, &raw, &body, How::Add).await
}

/// `DELETE /api/v2/tickets/{id}/tags`: removes these.
pub async fn remove(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    change(&state, &caller, &raw, &body, How::Remove).await
}
