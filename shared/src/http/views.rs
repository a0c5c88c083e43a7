//! JSON views of stored objects, shaped by who is looking.
use crate::auth::Caller;
use crate::domain::attachment::Attachment;
use crate::domain::comment::{Change, Comment, Viewer};
use crate::domain::ticket::Ticket;
use crate::domain::user::User;
use serde_json::{json, Value};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A user as `caller` may see them: staff and the user themself get the full object,
/// customers get `id, name, avatar_url, role` of anyone else.
pub fn user(caller: &Caller, u: &User, now: OffsetDateTime) -> Value {
    if caller.role().is_staff() || caller.id() == u.id {
        json!(u.view(now))
    } else {
        json!(u.public_view())
    }
}

fn maybe_user(caller: &Caller, id: Option<Uuid>, users: &HashMap<Uuid, User>, now: OffsetDateTime) -> Value {
    id.and_then(|id| users.get(&id)).map_or(Value::Null, |u| user(caller, u, now))
}

pub fn ticket(caller: &Caller, t: &Ticket, users: &HashMap<Uuid, User>, now: OffsetDateTime) -> Value {
    let mut v = json!(t);
    v["requester"] = maybe_user(caller, Some(t.requester_id), users, now);
    v["assignee"] = maybe_user(caller, t.assignee_id, users, now);
    v
}

/// A comment with its author and the metadata of its attachments (looked up in `attachments`).
pub fn comment(
    caller: &Caller,
    c: &Comment,
    users: &HashMap<Uuid, User>,
    attachments: &HashMap<Uuid, Attachment>,
    now: OffsetDateTime,
) -> Value {
    let files: Vec<Value> =
        c.attachment_ids.iter().filter_map(|id| attachments.get(id)).map(Attachment::view).collect();
    json!({
        "id": c.id,
        "ticket_id": c.ticket_id,
        "author_id": c.author_id,
        "content": c.content,
        "is_internal": c.is_internal,
        "attachments": files,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "author": maybe_user(caller, Some(c.author_id), users, now),
    })
}

pub fn change(caller: &Caller, c: &Change, users: &HashMap<Uuid, User>, now: OffsetDateTime) -> Value {
    let mut v = json!(c);
    v["agent"] = maybe_user(caller, c.agent_id, users, now);
    v
}

pub fn viewer(caller: &Caller, v: &Viewer, users: &HashMap<Uuid, User>, now: OffsetDateTime) -> Value {
    json!({
        "ticket_id": v.ticket_id,
        "user_id": v.user_id,
        "last_viewed": v.last_viewed,
        "user": maybe_user(caller, Some(v.user_id), users, now),
    })
}
