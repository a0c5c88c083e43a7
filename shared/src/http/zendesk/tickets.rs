//! `/api/v2/tickets`: list (cursor and offset), show, create with a first comment, update with
//! a comment (`safe_update`), delete, and a ticket's comments. The bodies are mapped onto the
//! native commands (so every rule and message is the native one, in Zendesk's error shape) and
//! go through the one change path with `via: api`.
use super::shapes::{self, Refs};
use super::{
    base_url, check_kinds, envelope, numeric_id, Kind, ListPage, Paging, ZdCaller, ZdError, ZdObject,
    ZdResult, ZdStaff,
};
use crate::app::ticket_change::{change_ticket, Applied, ChangeRequest, ChangeSet, NewComment};
use crate::app::ticket_create::{open_ticket, OpenOutcome};
use crate::app::Actor;
use crate::auth::Caller;
use crate::domain::comment::{comment_number, Comment};
use crate::domain::ticket::{Status, Tags, Ticket, Via};
use crate::http::extract::Params;
use crate::http::handlers::tickets::{check_references, ensure_visible, TicketFields};
use crate::http::Shared;
use crate::store::keys;
use crate::store::numbers::Numbered;
use crate::store::tickets::TicketFilter;
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The ticket with this number, if the caller may see it (someone else's: the same 404).
pub async fn visible(state: &AppState, caller: &Caller, raw: &str) -> Result<Ticket, ZdError> {
    let n = numeric_id(raw)?;
    let id = state.store.ticket_id_by_number(n).await?.ok_or_else(ZdError::not_found)?;
    let ticket = state.store.get_ticket(id).await?.ok_or_else(ZdError::not_found)?;
    ensure_visible(caller, &ticket)?;
    Ok(ticket)
}

/// The record of `kind` a numeric id in a body names (422 on `field` when none).
pub(super) async fn record_id(
    state: &AppState,
    kind: Numbered,
    field: &str,
    v: &Value,
) -> Result<Option<Uuid>, ZdError> {
    match v {
        Value::Null => Ok(None),
        other => {
            let n = other
                .as_u64()
                .or_else(|| other.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| ZdError::invalid(field, format!("The {field} field must be an integer.")))?;
            let id = state.store.id_by_number(kind, n).await?;
            id.map(Some).ok_or_else(|| ZdError::invalid(field, format!("The selected {field} is invalid.")))
        }
    }
}

/// Zendesk's ticket body as the native command's JSON: numeric ids become the records' UUIDs,
/// `hold` becomes `on-hold`, `custom_fields` `[{id, value}]` an object, `due_at` `due_date`.
async fn native_fields(state: &AppState, zd: &Map<String, Value>) -> Result<Map<String, Value>, ZdError> {
    let mut out = Map::new();
    for (key, value) in zd {
        match key.as_str() {
            "subject" | "priority" | "tags" => {
                out.insert(key.clone(), value.clone());
            }
            "status" => {
                let mapped = match value.as_str() {
                    Some("hold") => json!("on-hold"),
                    _ => value.clone(),
                };
                out.insert("status".into(), mapped);
            }
            "due_at" => {
                out.insert("due_date".into(), value.clone());
            }
            "requester_id" | "assignee_id" => {
                let id = record_id(state, Numbered::User, key, value).await?;
                out.insert(key.clone(), json!(id));
            }
            "organization_id" => {
                out.insert(key.clone(), json!(record_id(state, Numbered::Organization, key, value).await?));
            }
            "group_id" => {
                out.insert(key.clone(), json!(record_id(state, Numbered::Group, key, value).await?));
            }
            "custom_fields" => {
                let mut fields = Map::new();
                for f in value.as_array().into_iter().flatten() {
                    let id = match &f["id"] {
                        Value::Number(n) => n.to_string(),
                        Value::String(s) => s.clone(),
                        _ => return Err(ZdError::invalid("custom_fields", "Each custom field needs an id.")),
                    };
                    fields.insert(id, f["value"].clone());
                }
                out.insert("custom_fields".into(), Value::Object(fields));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The fields of a ticket body the handlers read by type (the others go to the native rules).
const TICKET_KINDS: &[(&str, Kind)] = &[
    ("comment", Kind::Object),
    ("description", Kind::Str),
    ("requester", Kind::Object),
    ("custom_fields", Kind::Array),
    ("safe_update", Kind::Bool),
    ("updated_stamp", Kind::Str),
];

/// The `comment` of a body: `(text, public)`; `body`, else `html_body`; public unless
/// `"public": false`.
fn comment_of(zd: &Map<String, Value>) -> Result<Option<(String, bool)>, ZdError> {
    let Some(c) = zd.get("comment") else { return Ok(None) };
    if let Value::Object(fields) = c {
        check_kinds(fields, &[("body", Kind::Str), ("html_body", Kind::Str), ("public", Kind::Bool)])?;
    }
    let text = c["body"].as_str().or_else(|| c["html_body"].as_str()).unwrap_or_default().trim().to_owned();
    if text.is_empty() {
        return Err(ZdError::invalid("comment", "The comment body cannot be blank."));
    }
    Ok(Some((text, c["public"].as_bool().unwrap_or(true))))
}

/// Tag words of `additional_tags` / `remove_tags` (an array or a space-separated string).
fn tag_list(zd: &Map<String, Value>, key: &str) -> Result<Vec<String>, ZdError> {
    let raw: Vec<String> = match zd.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(_) => return Err(ZdError::invalid(key, format!("The {key} field must be a list of tags."))),
    };
    Tags::parse(&raw).map(|t| t.as_slice().to_vec()).map_err(|m| ZdError::invalid(key, m))
}

/// The audit Zendesk answers a create or update with: the change's events.
fn audit(a: &Applied, author: Option<u64>, created: bool) -> Value {
    let mut events: Vec<Value> = Vec::new();
    if created {
        for (field, value) in [
            ("subject", json!(a.ticket.subject)),
            ("status", json!(shapes::status(a.ticket.status))),
            ("priority", json!(a.ticket.priority.as_str())),
        ] {
            events.push(json!({"type": "Create", "field_name": field, "value": value}));
        }
        events.push(
            json!({"type": "Comment", "author_id": author, "body": a.ticket.description, "public": true}),
        );
    }
    if let Some(c) = &a.comment {
        events.push(json!({"id": c.number, "type": "Comment", "author_id": author, "body": c.content, "public": !c.is_internal}));
    }
    for ch in &a.changes {
        events.push(json!({"type": "Change", "field_name": ch.field_name, "value": ch.new_value, "previous_value": ch.old_value}));
    }
    json!({
        "id": null,
        "ticket_id": shapes::ticket_id(&a.ticket),
        "created_at": a.ticket.updated_at,
        "author_id": author,
        "via": {"channel": "api"},
        "events": events,
    })
}

/// One page of the tickets `filter` names, newest update first ([`super::sorted_page`]).
pub async fn page_of(
    state: &AppState,
    filter: &TicketFilter,
    paging: &Paging,
    scope: &str,
) -> Result<(Vec<Ticket>, Option<String>, bool), ZdError> {
    let store = &state.store;
    super::sorted_page(state, paging, scope, |after, n| async move {
        let (tickets, more) = store.list_tickets(filter, after.as_deref(), n).await?;
        Ok((tickets.into_iter().map(|t| (keys::ticket_sort(t.updated_at, t.id), t)).collect(), more))
    })
    .await
}

/// `GET /api/v2/tickets`: newest update first; customers get their own.
pub async fn list(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let mut filter = TicketFilter::default();
    let mut counter = keys::ALL_TICKETS.to_owned();
    if !caller.role().is_staff() {
        filter.requester = Some(caller.id());
        counter = keys::requester_partition(caller.id());
    }
    let scope = format!("zd-tickets|{:?}", filter.requester);
    let list = TicketList { filter, counter, scope, path: "/api/v2/tickets.json".into() };
    list.page(&state, &caller, &headers, &params).await
}

/// `GET /api/v2/users/{id}/tickets/requested`: the tickets the user requested, newest update
/// first (staff; an end user only their own: anyone else's is a 404, as the user is).
pub async fn requested(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let user = user_by_number(&state, &raw).await?;
    if !caller.role().is_staff() && user != caller.id() {
        return Err(ZdError::not_found());
    }
    let filter = TicketFilter { requester: Some(user), ..Default::default() };
    let list = TicketList {
        filter,
        counter: keys::requester_partition(user),
        scope: format!("zd-requested|{user}"),
        path: format!("/api/v2/users/{}/tickets/requested.json", numeric_id(&raw)?),
    };
    list.page(&state, &caller, &headers, &params).await
}

/// `GET /api/v2/users/{id}/tickets/assigned` (staff): the tickets assigned to the user, newest
/// update first.
pub async fn assigned(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let user = user_by_number(&state, &raw).await?;
    let filter = TicketFilter { assignee: Some(Some(user)), ..Default::default() };
    let list = TicketList {
        filter,
        counter: keys::assignee_partition(Some(user)),
        scope: format!("zd-assigned|{user}"),
        path: format!("/api/v2/users/{}/tickets/assigned.json", numeric_id(&raw)?),
    };
    list.page(&state, &caller, &headers, &params).await
}

/// `GET /api/v2/organizations/{id}/tickets` (staff): the organization's tickets, newest update
/// first.
pub async fn organization_tickets(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let n = numeric_id(&raw)?;
    let org = state.store.id_by_number(Numbered::Organization, n).await?.ok_or_else(ZdError::not_found)?;
    state.store.get_org(org).await?.ok_or_else(ZdError::not_found)?;
    let filter = TicketFilter { organization: Some(org), ..Default::default() };
    let list = TicketList {
        filter,
        counter: keys::ticket_org_partition(Some(org)),
        scope: format!("zd-org-tickets|{org}"),
        path: format!("/api/v2/organizations/{n}/tickets.json"),
    };
    list.page(&state, &caller, &headers, &params).await
}

/// The user a number names (404 when none does).
async fn user_by_number(state: &AppState, raw: &str) -> Result<Uuid, ZdError> {
    let n = numeric_id(raw)?;
    let id = state.store.id_by_number(Numbered::User, n).await?.ok_or_else(ZdError::not_found)?;
    state.store.get_user(id).await?.ok_or_else(ZdError::not_found)?;
    Ok(id)
}

/// A list of tickets in one index partition, newest update first: by cursor, or by offset
/// with `count` from the partition's status counters (one BatchGetItem).
struct TicketList {
    filter: TicketFilter,
    /// The status-counter partition of the same tickets.
    counter: String,
    /// What the list's cursors are bound to.
    scope: String,
    /// The list's own path, for its page links.
    path: String,
}

impl TicketList {
    async fn page(
        &self,
        state: &AppState,
        caller: &Caller,
        headers: &HeaderMap,
        params: &Params,
    ) -> ZdResult {
        let paging = Paging::from(params)?;
        let (tickets, after, more) = page_of(state, &self.filter, &paging, &self.scope).await?;
        let count = match &paging {
            Paging::Offset { .. } => Some(state.store.ticket_count(&self.counter, Status::ALL).await?),
            Paging::Cursor { .. } => None,
        };
        let refs = Refs::of(state, &tickets, []).await?;
        let base = base_url(headers);
        let staff = caller.role().is_staff();
        let items = tickets.iter().map(|t| shapes::ticket(t, &refs, &base, staff)).collect();
        let page = ListPage { key: "tickets", items, after, more, count };
        Ok(super::ok(&page.render(&paging, &base, &self.path, params)))
    }
}

/// `GET /api/v2/tickets/{id}`.
pub async fn show(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let refs = Refs::of(&state, std::slice::from_ref(&ticket), []).await?;
    let body = shapes::ticket(&ticket, &refs, &base_url(&headers), caller.role().is_staff());
    Ok(super::ok(&json!({"ticket": body})))
}

/// The requester a staff member names by `requester: {name, email}`: the user with that
/// email, else a new end user.
async fn requester_by_email(state: &AppState, r: &Map<String, Value>) -> Result<Uuid, ZdError> {
    let email = r.get("email").and_then(Value::as_str).unwrap_or_default();
    let name = r.get("name").and_then(Value::as_str).filter(|n| !n.trim().is_empty());
    let user = super::users::find_or_create_end_user(state, email, name).await?;
    Ok(user.id)
}

/// Opens the ticket a Zendesk ticket body describes (`POST /api/v2/tickets`, and each item of
/// `create_many`): `comment` is the description; `subject` defaults to its first line.
pub async fn open(state: &AppState, caller: &Caller, zd: &Map<String, Value>) -> Result<Ticket, ZdError> {
    check_kinds(zd, TICKET_KINDS)?;
    if let Some(Value::Object(r)) = zd.get("requester") {
        check_kinds(r, &[("name", Kind::Str), ("email", Kind::Str)])?;
    }
    let staff = caller.role().is_staff();
    let (text, _public) = match (comment_of(zd)?, zd.get("description").and_then(Value::as_str)) {
        (Some(c), _) => c,
        (None, Some(d)) if !d.trim().is_empty() => (d.trim().to_owned(), true),
        _ => return Err(ZdError::invalid("description", "The description cannot be blank.")),
    };
    let mut native = native_fields(state, zd).await?;
    if let (true, Some(Value::Object(r))) = (staff, zd.get("requester")) {
        native.insert("requester_id".into(), json!(requester_by_email(state, r).await?));
    }
    if !native.contains_key("subject") {
        let first: String = text.lines().next().unwrap_or_default().chars().take(150).collect();
        native.insert("subject".into(), json!(first));
    }
    native.insert("description".into(), json!(text));
    let mut new = TicketFields::for_create(&native, caller)?.into_new_ticket();
    new.fields.add_tags = tag_list(zd, "additional_tags")?;
    check_references(state, &new.fields).await?;
    if !staff {
        crate::http::throttle::take(
            state,
            crate::http::throttle::Scope::TicketCreate,
            &caller.id().to_string(),
        )
        .await?;
    }
    let actor = Actor::from(caller);
    match open_ticket(state, &actor, caller.user.organization_id, &new, Via::Api, None).await? {
        OpenOutcome::Opened(o) => Ok(o.ticket),
        OpenOutcome::Replay => Err(ZdError(ApiError::internal("replay without a key"))),
    }
}

/// `POST /api/v2/tickets`.
pub async fn create(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let zd = envelope(&body, "ticket")?;
    let ticket = open(&state, &caller, &zd).await?;
    let refs = Refs::of(&state, std::slice::from_ref(&ticket), [caller.id()]).await?;
    let author = refs.users.get(&caller.id()).and_then(|u| u.number);
    let base = base_url(&headers);
    let body = json!({
        "ticket": shapes::ticket(&ticket, &refs, &base, caller.role().is_staff()),
        "audit": audit(
            &Applied { before: ticket.clone(), ticket: ticket.clone(), changes: Vec::new(), comment: None },
            author,
            true,
        ),
    });
    Ok(super::created(&body))
}

/// Applies a Zendesk ticket body to `ticket` through the change path (`PUT /api/v2/tickets/{id}`
/// and each item of `update_many`): fields, `additional_tags`/`remove_tags`, a `comment`
/// (`public: false` makes an internal note), and `safe_update` with `updated_stamp` (the
/// `updated_at` the client read): 409 when the ticket changed since.
pub async fn change(
    state: &AppState,
    caller: &Caller,
    ticket: Ticket,
    zd: &Map<String, Value>,
) -> Result<Applied, ZdError> {
    check_kinds(zd, TICKET_KINDS)?;
    let native = native_fields(state, zd).await?;
    let (mut patch, _) = TicketFields::for_update(&native, caller)?.into_patch();
    patch.add_tags = tag_list(zd, "additional_tags")?;
    patch.remove_tags = tag_list(zd, "remove_tags")?;
    check_references(state, &patch).await?;
    let comment = comment_of(zd)?.map(|(content, public)| NewComment {
        content,
        is_internal: !public,
        attachments: Vec::new(),
        mail_key: None,
    });
    let stamp = match zd.get("updated_stamp").and_then(Value::as_str) {
        Some(raw) => Some(clock::parse(raw).ok_or_else(|| {
            ZdError::invalid("updated_stamp", "The updated_stamp must be a time (ISO 8601).")
        })?),
        None => None,
    };
    let expected_stamp = if zd.get("safe_update").and_then(Value::as_bool).unwrap_or(false) {
        let stamp = stamp.ok_or_else(|| {
            ZdError::invalid("updated_stamp", "A safe update needs the updated_stamp the ticket was read at.")
        })?;
        if stamp != ticket.updated_at.0 {
            return Err(ZdError(ApiError::Conflict(SAFE_UPDATE_CONFLICT.into())));
        }
        Some(ticket.updated_stamp.clone())
    } else {
        None
    };
    let actor = Actor::from(caller);
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: ChangeSet { fields: patch, comment, via: Via::Api, ..Default::default() },
        expected_stamp,
        loaded: Some(ticket),
        receipt: None,
    };
    let outcome = change_ticket(state, request).await.map_err(|e| match e {
        ApiError::Conflict(_) => ApiError::Conflict(SAFE_UPDATE_CONFLICT.into()),
        other => other,
    })?;
    Ok(outcome.applied()?)
}

/// `PUT /api/v2/tickets/{id}` (staff).
pub async fn update(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let zd = envelope(&body, "ticket")?;
    let applied = change(&state, &caller, ticket, &zd).await?;
    let refs = Refs::of(&state, std::slice::from_ref(&applied.ticket), [caller.id()]).await?;
    let author = refs.users.get(&caller.id()).and_then(|u| u.number);
    let base = base_url(&headers);
    Ok(super::ok(&json!({
        "ticket": shapes::ticket(&applied.ticket, &refs, &base, true),
        "audit": audit(&applied, author, false),
    })))
}

const SAFE_UPDATE_CONFLICT: &str =
    "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.";

/// `DELETE /api/v2/tickets/{id}` (admins, as the native route): 204.
pub async fn delete(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    Path(raw): Path<String>,
) -> ZdResult {
    caller.require_admin()?;
    let ticket = visible(&state, &caller, &raw).await?;
    state.store.delete_ticket(&ticket).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The description as Zendesk's first comment (place 0).
pub fn description_comment(t: &Ticket) -> Comment {
    Comment {
        id: t.id,
        number: shapes::ticket_id(t).map(|n| comment_number(n, 0)),
        ticket_id: t.id,
        author_id: t.requester_id,
        content: t.description.clone(),
        is_internal: false,
        attachment_ids: Vec::new(),
        mail_key: None,
        created_at: t.created_at,
        updated_at: t.created_at,
    }
}

/// `GET /api/v2/tickets/{id}/comments`: the description first, then the comments oldest
/// first (customers: public ones). Cursor paging, or offset paging (earlier pages skipped 100
/// comments a read: bounded by the 5,000 comments a ticket takes). `count` is the ticket's
/// comment count for staff; for a customer it is given only on the last page (where it is
/// known without counting internal notes).
pub async fn comments(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let paging = Paging::from(&params)?;
    let staff = caller.role().is_staff();
    let scope = format!("zd-comments|{}", ticket.id);
    // A position is "" (before the description), "D" (after it) or a comment's sort key.
    let (size, mut position, skip) = match &paging {
        Paging::Cursor { size, .. } => {
            let position = paging.cursor_position(&state, &scope)?.unwrap_or_default();
            (*size, position, 0)
        }
        Paging::Offset { page, per_page } => (*per_page, String::new(), (page - 1) * per_page),
    };
    let mut skipped = 0;
    if skip > 0 {
        position = "D".into();
        skipped = 1;
        while skipped < skip {
            let after = (position != "D").then_some(position.as_str());
            let (seen, more) =
                state.store.comments_after(ticket.id, after, (skip - skipped).min(100), staff).await?;
            skipped += seen.len();
            if let Some(last) = seen.last() {
                position = keys::comment_sk(last.id);
            }
            if !more {
                break;
            }
        }
    }
    let mut listed: Vec<Comment> = Vec::new();
    if position.is_empty() {
        listed.push(description_comment(&ticket));
        position = "D".into();
    }
    let (found, more) = if skipped < skip {
        (Vec::new(), false)
    } else if listed.len() < size {
        let after = (position != "D").then_some(position.as_str());
        state.store.comments_after(ticket.id, after, size - listed.len(), staff).await?
    } else {
        // A one-item first page: more if the ticket has any comment the caller sees.
        let (peek, _) = state.store.comments_after(ticket.id, None, 1, staff).await?;
        (Vec::new(), !peek.is_empty())
    };
    if let Some(last) = found.last() {
        position = keys::comment_sk(last.id);
    }
    listed.extend(found);
    let after = more.then(|| state.cursors.encode(&scope, &position));
    let count = if staff {
        Some(u64::from(ticket.comment_count) + 1)
    } else {
        (!more).then(|| (skipped.min(skip) + listed.len()) as u64)
    };
    let users = state.store.users_by_id(listed.iter().map(|c| c.author_id)).await?;
    let items = listed.iter().map(|c| shapes::comment(c, &users)).collect();
    let page = ListPage { key: "comments", items, after, more, count };
    let path = format!("/api/v2/tickets/{}/comments.json", shapes::ticket_id(&ticket).unwrap_or_default());
    Ok(super::ok(&page.render(&paging, &base_url(&headers), &path, &params)))
}

/// `GET /api/v2/tickets/show_many?ids=1,2,3` (at most 100): the ones the caller may see, in
/// the order asked.
pub async fn show_many(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let numbers = super::ids_param(&params, 100)?;
    let found = state.store.tickets_by_number(&numbers).await?;
    let mut tickets: Vec<Ticket> =
        found.into_iter().filter(|t| caller.role().is_staff() || t.requester_id == caller.id()).collect();
    tickets.sort_by_key(|t| numbers.iter().position(|n| Some(*n) == shapes::ticket_id(t)));
    let refs = Refs::of(&state, &tickets, []).await?;
    let base = base_url(&headers);
    let staff = caller.role().is_staff();
    let items: Vec<Value> = tickets.iter().map(|t| shapes::ticket(t, &refs, &base, staff)).collect();
    let count = items.len();
    Ok(super::ok(&json!({"tickets": items, "next_page": null, "previous_page": null, "count": count})))
}
