//! `/tickets` and `/tickets/{id}`: list, create, show, update, delete, assign, status, viewers.
use super::idempotency::Idempotency;
use super::{query_list, query_one, query_without_cursor, views, HandlerResult};
use crate::app::ticket_change::{change_ticket, Applied, ChangeRequest, ChangeSet, Receipt};
use crate::app::ticket_create::{open_ticket, OpenOutcome};
use crate::app::Actor;
use crate::auth::{authenticate, Caller};
use crate::cursor::{page_body, per_page};
use crate::domain::comment::Viewer;
use crate::domain::ticket::{
    normalize_tags, parse_due_date, parse_ticket_number, validate_custom_fields, Priority, Satisfaction,
    Status, Ticket, TicketPatch, Via, MAX_DESCRIPTION_CHARS, MAX_SUBJECT_CHARS,
};
use crate::domain::user::{Role, User};
use crate::store::tickets::TicketFilter;
use crate::validation::Input;
use crate::{clock, web, ApiError, AppState};
use http::StatusCode;
use lambda_http::Request;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use time::Duration;
use uuid::Uuid;

/// How long a view counts for the viewers list.
pub const VIEWER_WINDOW: Duration = Duration::minutes(5);

/// The ticket named by the `{id}` path parameter (a UUID or a ticket number), if the caller
/// may see it. A customer asking for someone else's ticket gets the same 404 as for none.
pub async fn load_visible(state: &AppState, caller: &Caller, req: &Request) -> Result<Ticket, ApiError> {
    let raw = web::path_param(req, "id").ok_or(ApiError::NotFound)?;
    let id = resolve_id(state, &raw).await?.ok_or(ApiError::NotFound)?;
    let ticket = state.store.get_ticket(id).await?.ok_or(ApiError::NotFound)?;
    ensure_visible(caller, &ticket)?;
    Ok(ticket)
}

pub async fn resolve_id(state: &AppState, raw: &str) -> Result<Option<Uuid>, ApiError> {
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(Some(id));
    }
    match parse_ticket_number(raw) {
        Some(n) => Ok(state.store.ticket_id_by_number(n).await?),
        None => Ok(None),
    }
}

pub fn ensure_visible(caller: &Caller, ticket: &Ticket) -> Result<(), ApiError> {
    if caller.role().is_staff() || ticket.requester_id == caller.id() {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

fn ticket_users(t: &Ticket) -> Vec<Uuid> {
    std::iter::once(t.requester_id).chain(t.assignee_id).collect()
}

async fn ticket_json(state: &AppState, caller: &Caller, t: &Ticket) -> Result<Value, ApiError> {
    let users = state.store.users_by_id(ticket_users(t)).await?;
    Ok(views::ticket(caller, t, &users, clock::now()))
}

// ---- validation of writable fields --------------------------------------------------------

fn enum_field<T>(input: &mut Input, field: &str, parse: fn(&str) -> Option<T>, choices: String) -> Option<T> {
    let raw = input.required_string(field)?;
    let parsed = parse(raw.trim());
    if parsed.is_none() {
        input.error(
            field,
            format!("The selected {} is invalid. Allowed: {choices}.", crate::validation::label(field)),
        );
    }
    parsed
}

fn uuid_field(input: &mut Input, field: &str) -> Option<Option<Uuid>> {
    let raw = input.nullable_string(field)?;
    match raw {
        None => Some(None),
        Some(s) => match Uuid::parse_str(s.trim()) {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                input.error(
                    field,
                    format!("The {} field must be a valid UUID.", crate::validation::label(field)),
                );
                None
            }
        },
    }
}

/// The writable ticket fields present in a body, validated. `create` requires subject and
/// description. Fields the caller's role may not set are a 403.
fn parse_fields(
    map: &Map<String, Value>,
    caller: &Caller,
    create: bool,
) -> Result<(TicketPatch, Option<String>), ApiError> {
    const STAFF_ONLY: [&str; 4] = ["requester_id", "assignee_id", "organization_id", "status"];
    let staff = caller.role().is_staff();
    let customer_fields: &[&str] = if create {
        &["subject", "description", "priority", "tags", "custom_fields", "due_date"]
    } else {
        &["satisfaction"]
    };
    for field in ["subject", "description", "priority", "tags", "custom_fields", "due_date", "satisfaction"]
        .iter()
        .chain(STAFF_ONLY.iter())
    {
        if map.contains_key(*field) {
            let allowed = if staff { *field != "satisfaction" } else { customer_fields.contains(field) };
            if !allowed {
                return Err(ApiError::Forbidden);
            }
        }
    }

    let mut input = Input::new(map.clone());
    let mut patch = TicketPatch::default();
    if create || input.has("subject") {
        if let Some(s) = input.required_string("subject") {
            let s = s.trim().to_owned();
            if s.chars().count() > MAX_SUBJECT_CHARS {
                input.error("subject", "The subject field must not be greater than 255 characters.");
            } else {
                patch.subject = Some(s);
            }
        }
    }
    if create || input.has("description") {
        if let Some(d) = input.required_string("description") {
            if d.chars().count() > MAX_DESCRIPTION_CHARS {
                input
                    .error("description", "The description field must not be greater than 65535 characters.");
            } else {
                patch.description = Some(d);
            }
        }
    }
    if input.has("priority") {
        patch.priority = enum_field(&mut input, "priority", Priority::parse, Priority::choices());
    }
    if input.has("status") {
        patch.status = enum_field(&mut input, "status", Status::parse, Status::choices());
    }
    if input.has("satisfaction") {
        patch.satisfaction =
            enum_field(&mut input, "satisfaction", Satisfaction::parse, Satisfaction::choices());
    }
    match map.get("tags") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            let raw: Vec<String> = items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            match normalize_tags(&raw) {
                Ok(tags) => patch.tags = Some(tags),
                Err(m) => input.error("tags", m),
            }
        }
        Some(Value::Null) => patch.tags = Some(Vec::new()),
        Some(_) => input.error("tags", "The tags field must be an array of strings."),
    }
    match map.get("custom_fields") {
        None => {}
        Some(Value::Object(fields)) => match validate_custom_fields(fields) {
            Ok(()) => patch.custom_fields = Some(fields.clone()),
            Err(m) => input.error("custom_fields", m),
        },
        Some(_) => input.error("custom_fields", "The custom fields field must be an object."),
    }
    if let Some(due) = input.nullable_string("due_date") {
        match due {
            None => patch.due_date = Some(None),
            Some(raw) => match parse_due_date(&raw) {
                Some(d) => patch.due_date = Some(Some(d)),
                None => input.error("due_date", "The due date field must be a valid date."),
            },
        }
    }
    if let Some(r) = uuid_field(&mut input, "requester_id") {
        match r {
            Some(id) => patch.requester_id = Some(id),
            None => input.error("requester_id", "The requester id field is required."),
        }
    }
    patch.assignee_id = uuid_field(&mut input, "assignee_id");
    patch.organization_id = uuid_field(&mut input, "organization_id");
    let stamp = if create { None } else { input.nullable_string("updated_stamp").flatten() };
    input.finish()?;
    Ok((patch, stamp))
}

/// Checks that the users and organization a patch names exist and fit their role.
async fn check_references(state: &AppState, patch: &TicketPatch) -> Result<HashMap<Uuid, User>, ApiError> {
    crate::app::check_references(
        state,
        patch.requester_id,
        patch.assignee_id.flatten(),
        patch.organization_id.flatten(),
    )
    .await
}

// ---- routes --------------------------------------------------------------------------------

/// `POST /tickets`.
pub async fn create(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let body = web::json_object(&req)?;
    let (patch, _) = parse_fields(&body, &caller, true)?;
    let idempotency = Idempotency::from_request(&req, &caller, "POST /tickets", &body)?;
    if let Some(first) = match &idempotency {
        Some(i) => i.replay(state).await?,
        None => None,
    } {
        return Ok(first);
    }
    // The users the ticket names: those the body referenced, and the caller.
    let mut users = check_references(state, &patch).await?;
    users.insert(caller.id(), caller.user.clone());
    let actor = Actor::from(&caller);
    let receipt = |a: &Applied| match &idempotency {
        Some(i) => i.write(StatusCode::CREATED, &views::ticket(&caller, &a.ticket, &users, clock::now())),
        None => Err(ApiError::internal("no receipt without a key")),
    };
    let receipt: Option<Receipt> = idempotency.as_ref().map(|_| &receipt as Receipt);
    let org = caller.user.organization_id;
    match open_ticket(state, &actor, org, &patch, Via::Web, receipt).await? {
        OpenOutcome::Opened(o) => Ok(web::created(&views::ticket(&caller, &o.ticket, &users, clock::now()))),
        OpenOutcome::Replay => match &idempotency {
            Some(i) => i.replay_after_clash(state).await,
            None => Err(ApiError::internal("replay without a key")),
        },
    }
}

/// `GET /tickets/{id}`: the ticket page from one Query, plus one batch read of its users.
pub async fn show(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let raw = web::path_param(&req, "id").ok_or(ApiError::NotFound)?;
    let id = resolve_id(state, &raw).await?.ok_or(ApiError::NotFound)?;
    let page = state.store.ticket_page(id).await?;
    let ticket = page.ticket.ok_or(ApiError::NotFound)?;
    ensure_visible(&caller, &ticket)?;
    let staff = caller.role().is_staff();
    let comments: Vec<_> = page.comments.into_iter().filter(|c| staff || !c.is_internal).collect();
    let changes = if staff { page.changes } else { Vec::new() };
    let ids = ticket_users(&ticket)
        .into_iter()
        .chain(comments.iter().map(|c| c.author_id))
        .chain(changes.iter().filter_map(|c| c.agent_id));
    let users = state.store.users_by_id(ids).await?;
    let now = clock::now();
    let mut body = views::ticket(&caller, &ticket, &users, now);
    let attachments: HashMap<Uuid, _> = page.attachments.into_iter().map(|a| (a.id, a)).collect();
    body["comments"] =
        comments.iter().map(|c| views::comment(&caller, c, &users, &attachments, now)).collect();
    if staff {
        body["changes"] = changes.iter().map(|c| views::change(&caller, c, &users, now)).collect();
    }
    Ok(web::ok(&body))
}

/// Applies a field patch through the one change path.
async fn update_ticket(
    state: &AppState,
    caller: &Caller,
    loaded: Ticket,
    patch: TicketPatch,
    expected_stamp: Option<String>,
) -> Result<Ticket, ApiError> {
    let actor = Actor::from(caller);
    let request = ChangeRequest {
        ticket_id: loaded.id,
        actor: &actor,
        changes: ChangeSet { fields: patch, via: Via::Web, ..Default::default() },
        expected_stamp,
        loaded: Some(loaded),
        receipt: None,
    };
    Ok(change_ticket(state, request).await?.applied()?.ticket)
}

/// `PATCH /tickets/{id}`.
pub async fn update(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let ticket = load_visible(state, &caller, &req).await?;
    let body = web::json_object(&req)?;
    let (patch, stamp) = parse_fields(&body, &caller, false)?;
    check_references(state, &patch).await?;
    let updated = update_ticket(state, &caller, ticket, patch, stamp).await?;
    Ok(web::ok(&ticket_json(state, &caller, &updated).await?))
}

/// `POST /tickets/{id}/assign`.
pub async fn assign(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let ticket = load_visible(state, &caller, &req).await?;
    let body = web::json_object(&req)?;
    let mut input = Input::new(body.clone());
    if !input.has("assignee_id") {
        input.error("assignee_id", "The assignee id field is required.");
    }
    let assignee = uuid_field(&mut input, "assignee_id");
    input.finish()?;
    let patch = TicketPatch { assignee_id: Some(assignee.flatten()), ..Default::default() };
    check_references(state, &patch).await?;
    let updated = update_ticket(state, &caller, ticket, patch, None).await?;
    Ok(web::ok(
        &json!({"message": "Ticket assigned successfully.", "ticket": ticket_json(state, &caller, &updated).await?}),
    ))
}

/// `POST /tickets/{id}/status`.
pub async fn status(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let ticket = load_visible(state, &caller, &req).await?;
    let mut input = Input::new(web::json_object(&req)?);
    let status = enum_field(&mut input, "status", Status::parse, Status::choices());
    input.finish()?;
    let patch = TicketPatch { status, ..Default::default() };
    let updated = update_ticket(state, &caller, ticket, patch, None).await?;
    Ok(web::ok(
        &json!({"message": "Ticket status updated successfully.", "ticket": ticket_json(state, &caller, &updated).await?}),
    ))
}

/// `DELETE /tickets/{id}` (admin): the ticket and everything under it.
pub async fn delete(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_admin()?;
    let ticket = load_visible(state, &caller, &req).await?;
    state.store.delete_ticket(&ticket).await?;
    lambda_http::Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(lambda_http::Body::Empty)
        .map_err(ApiError::internal)
}

/// `POST /tickets/{id}/view`.
pub async fn mark_viewed(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let ticket = load_visible(state, &caller, &req).await?;
    let now = clock::now();
    let viewer = Viewer { ticket_id: ticket.id, user_id: caller.id(), last_viewed: clock::format(now) };
    state.store.put_viewer(&viewer, (now + VIEWER_WINDOW).unix_timestamp()).await?;
    Ok(web::ok(&json!({"message": "Marked as viewed."})))
}

/// `GET /tickets/{id}/viewers`: who looked at the ticket in the last five minutes.
pub async fn viewers(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let ticket = load_visible(state, &caller, &req).await?;
    let now = clock::now();
    let viewers = state.store.viewers_since(ticket.id, &clock::format(now - VIEWER_WINDOW)).await?;
    let users = state.store.users_by_id(viewers.iter().map(|v| v.user_id)).await?;
    let data: Vec<Value> = viewers.iter().map(|v| views::viewer(&caller, v, &users, now)).collect();
    Ok(web::ok(&json!({"data": data})))
}

/// The list filter from the query string; customers only ever get their own tickets.
fn list_filter(req: &Request, caller: &Caller) -> Result<TicketFilter, ApiError> {
    let mut errors = crate::validation::ValidationErrors::default();
    let mut filter = TicketFilter::default();
    for s in query_list(req, "status") {
        match Status::parse(&s) {
            Some(st) if !filter.statuses.contains(&st) => filter.statuses.push(st),
            Some(_) => {}
            None => errors
                .add("status", format!("The selected status is invalid. Allowed: {}.", Status::choices())),
        }
    }
    for p in query_list(req, "priority") {
        match Priority::parse(&p) {
            Some(pr) if !filter.priorities.contains(&pr) => filter.priorities.push(pr),
            Some(_) => {}
            None => errors.add(
                "priority",
                format!("The selected priority is invalid. Allowed: {}.", Priority::choices()),
            ),
        }
    }
    let mut uuid_param = |name: &str| match query_one(req, name) {
        None => None,
        Some(v) => match Uuid::parse_str(&v) {
            Ok(id) => Some(id),
            Err(_) => {
                errors
                    .add(name, format!("The {} field must be a valid UUID.", crate::validation::label(name)));
                None
            }
        },
    };
    filter.assignee = match query_one(req, "assignee_id").as_deref() {
        Some("none") => Some(None),
        Some(_) => uuid_param("assignee_id").map(Some),
        None => None,
    };
    filter.requester = uuid_param("requester_id");
    filter.organization = uuid_param("organization_id");
    filter.tag = query_one(req, "tag").map(|t| t.trim().to_lowercase());
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if caller.role() == Role::Customer {
        filter.requester = Some(caller.id());
    }
    Ok(filter)
}

fn filter_scope(f: &TicketFilter) -> String {
    format!(
        "tickets|s={:?}|p={:?}|a={:?}|r={:?}|o={:?}|t={:?}",
        f.statuses, f.priorities, f.assignee, f.requester, f.organization, f.tag
    )
}

/// `GET /tickets`: newest `updated_at` first, cursor-paginated.
pub async fn list(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let filter = list_filter(&req, &caller)?;
    let per_page = per_page(query_one(&req, "per_page").as_deref())?;
    let scope = filter_scope(&filter);
    let before = match query_one(&req, "cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    let (tickets, more) = if let Some(q) = query_one(&req, "search") {
        search(state, &filter, &q, per_page).await?
    } else {
        state.store.list_tickets(&filter, before.as_deref(), per_page).await?
    };
    let next = more
        .then(|| {
            tickets
                .last()
                .map(|t| state.cursors.encode(&scope, &crate::store::keys::ticket_sort(&t.updated_at, t.id)))
        })
        .flatten();
    let users = state.store.users_by_id(tickets.iter().flat_map(ticket_users)).await?;
    let now = clock::now();
    let data: Vec<Value> = tickets.iter().map(|t| views::ticket(&caller, t, &users, now)).collect();
    Ok(web::ok(&page_body(&data, "/tickets", per_page, next, &query_without_cursor(&req))))
}

/// `search=`: an exact ticket number, or tickets containing every word (subject and
/// description, case-insensitive) through the word index the stream indexer keeps. Returns the
/// newest matches, one page (no further cursor).
async fn search(
    state: &AppState,
    filter: &TicketFilter,
    q: &str,
    per_page: usize,
) -> Result<(Vec<Ticket>, bool), ApiError> {
    let mut found: Vec<Ticket> = Vec::new();
    if let Some(n) = parse_ticket_number(q) {
        if let Some(id) = state.store.ticket_id_by_number(n).await? {
            found.extend(state.store.get_ticket(id).await?);
        }
    } else {
        let words = crate::domain::search::tokens(q);
        if words.is_empty() {
            return Ok((Vec::new(), false));
        }
        let ids = state.store.search_ids(&words, filter.requester).await?;
        found = state.store.tickets_by_id(&ids).await?;
    }
    found.retain(|t| filter.matches(t));
    found.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    found.truncate(per_page);
    Ok((found, false))
}
