//! `/tickets` and `/tickets/{id}`: list, create, show, update, delete, assign, status, viewers.
use crate::app::ticket_change::{change_ticket, Applied, ChangeRequest, ChangeSet, Receipt};
use crate::app::ticket_create::{open_ticket, NewTicket, OpenOutcome};
use crate::app::Actor;
use crate::auth::Caller;
use crate::cursor::per_page;
use crate::domain::comment::Viewer;
use crate::domain::ticket::{
    CustomFields, Description, DueDate, Priority, Satisfaction, Status, Subject, Tags, Ticket, TicketNumber,
    TicketPatch, Via,
};
use crate::domain::user::{Role, User};
use crate::http::extract::{Admin, Command, FromJson, JsonObject, Params, Staff};
use crate::http::idempotency::Idempotency;
use crate::http::{created, ok, views, HandlerResult, Shared};
use crate::store::tickets::{Names, TicketFilter};
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};
use std::collections::HashMap;
use time::Duration;
use uuid::Uuid;

/// How long a view counts for the viewers list.
pub const VIEWER_WINDOW: Duration = Duration::minutes(5);

/// The ticket named by a path id (a UUID or a ticket number), if the caller may see it. A
/// customer asking for someone else's ticket gets the same 404 as for none.
pub async fn load_visible(state: &AppState, caller: &Caller, raw: &str) -> Result<Ticket, ApiError> {
    let id = resolve_id(state, raw).await?.ok_or(ApiError::NotFound)?;
    let ticket = state.store.get_ticket(id).await?.ok_or(ApiError::NotFound)?;
    ensure_visible(caller, &ticket)?;
    Ok(ticket)
}

pub async fn resolve_id(state: &AppState, raw: &str) -> Result<Option<Uuid>, ApiError> {
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(Some(id));
    }
    match TicketNumber::parse(raw) {
        Some(n) => Ok(state.store.ticket_id_by_number(n.0).await?),
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

async fn ticket_json(state: &AppState, caller: &Caller, t: &Ticket) -> Result<views::Ticket, ApiError> {
    let names = state.store.names_for([t], []).await?;
    Ok(views::ticket(caller, t, &names, clock::now()))
}

// ---- commands: each body parsed once into its typed form ------------------------------------

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

/// `None` when absent; `Some(None)` for null; `Some(Some(id))` for a UUID (else a 422).
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

/// The body of `PATCH /tickets/{id}`: every field optional; `null` clears the nullable ones.
/// Customers may send only `satisfaction`; staff anything but `satisfaction` (403 otherwise).
#[derive(Debug, Clone, Default, utoipa::ToSchema)]
pub struct TicketFields {
    #[schema(nullable = false)]
    pub subject: Option<Subject>,
    #[schema(nullable = false)]
    pub description: Option<Description>,
    #[schema(nullable = false)]
    pub priority: Option<Priority>,
    #[schema(nullable = false)]
    pub status: Option<Status>,
    /// The requester's rating: `good` or `bad`, on a solved or closed ticket.
    #[schema(nullable = false)]
    pub satisfaction: Option<Satisfaction>,
    pub tags: Option<Tags>,
    /// Merged into the ticket's fields; a `null` value removes a key.
    #[schema(nullable = false)]
    pub custom_fields: Option<CustomFields>,
    pub due_date: Option<Option<DueDate>>,
    #[schema(nullable = false)]
    pub requester_id: Option<Uuid>,
    pub assignee_id: Option<Option<Uuid>>,
    pub organization_id: Option<Option<Uuid>>,
    /// The group working the ticket (staff); `null` for none. With an assignee, the assignee must
    /// be a member (422 otherwise).
    pub group_id: Option<Option<Uuid>>,
    /// Makes the update safe: 409 if the ticket changed since this version (`null`: not safe).
    pub updated_stamp: Option<String>,
}

/// The body of `POST /tickets`. Customers may send subject, description, priority, tags,
/// custom_fields and due_date; staff also requester_id, assignee_id, organization_id and
/// status (403 otherwise).
#[derive(Debug, Clone, utoipa::ToSchema)]
pub struct CreateTicket {
    pub subject: Subject,
    pub description: Description,
    #[schema(nullable = false)]
    pub priority: Option<Priority>,
    #[schema(nullable = false)]
    pub status: Option<Status>,
    pub tags: Option<Tags>,
    #[schema(nullable = false)]
    pub custom_fields: Option<CustomFields>,
    pub due_date: Option<DueDate>,
    /// Defaults to the caller.
    #[schema(nullable = false)]
    pub requester_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// Defaults to the caller's own when they open the ticket for themself; `null` for none.
    pub organization_id: Option<Option<Uuid>>,
    /// The group (staff); an assignee without a group brings their default group.
    pub group_id: Option<Uuid>,
}

impl TicketFields {
    fn from_patch(patch: TicketPatch, updated_stamp: Option<String>) -> TicketFields {
        TicketFields {
            subject: patch.subject,
            description: patch.description,
            priority: patch.priority,
            status: patch.status,
            satisfaction: patch.satisfaction,
            tags: patch.tags,
            custom_fields: patch.custom_fields,
            due_date: patch.due_date,
            requester_id: patch.requester_id,
            assignee_id: patch.assignee_id,
            organization_id: patch.organization_id,
            group_id: patch.group_id,
            updated_stamp,
        }
    }

    /// The domain's change of fields (the stamp is the caller's precondition, apart).
    pub fn into_patch(self) -> (TicketPatch, Option<String>) {
        let patch = TicketPatch {
            subject: self.subject,
            description: self.description,
            priority: self.priority,
            status: self.status,
            satisfaction: self.satisfaction,
            tags: self.tags,
            custom_fields: self.custom_fields,
            due_date: self.due_date,
            requester_id: self.requester_id,
            assignee_id: self.assignee_id,
            organization_id: self.organization_id,
            group_id: self.group_id,
            ..Default::default()
        };
        (patch, self.updated_stamp)
    }
}

impl CreateTicket {
    pub fn into_new_ticket(self) -> NewTicket {
        NewTicket {
            subject: self.subject,
            description: self.description,
            fields: TicketPatch {
                priority: self.priority,
                status: self.status,
                tags: self.tags,
                custom_fields: self.custom_fields,
                due_date: self.due_date.map(Some),
                requester_id: self.requester_id,
                assignee_id: self.assignee_id.map(Some),
                organization_id: self.organization_id,
                group_id: self.group_id.map(Some),
                ..Default::default()
            },
            follow_up_of: None,
            mail_key: None,
        }
    }
}

const STAFF_ONLY: [&str; 5] = ["requester_id", "assignee_id", "organization_id", "group_id", "status"];
const CUSTOMER_CREATE: [&str; 6] =
    ["subject", "description", "priority", "tags", "custom_fields", "due_date"];

/// 403 when the body names a field the caller's role may not set (before any validation).
fn check_writable(map: &Map<String, Value>, caller: &Caller, create: bool) -> Result<(), ApiError> {
    let staff = caller.role().is_staff();
    for field in CUSTOMER_CREATE.iter().chain(&["satisfaction"]).chain(STAFF_ONLY.iter()) {
        if map.contains_key(*field) {
            let allowed = match (staff, create) {
                (true, _) => *field != "satisfaction",
                (false, true) => CUSTOMER_CREATE.contains(field),
                (false, false) => *field == "satisfaction",
            };
            if !allowed {
                return Err(ApiError::Forbidden);
            }
        }
    }
    Ok(())
}

impl TicketFields {
    /// Parses the fields present (all optional) into typed values.
    fn parse(map: &Map<String, Value>, input: &mut Input) -> TicketFields {
        let mut patch = TicketPatch::default();
        if input.has("subject") {
            patch.subject = input
                .required_string("subject")
                .and_then(|s| Subject::parse(&s).map_err(|m| input.error("subject", m)).ok());
        }
        if input.has("description") {
            patch.description = input
                .required_string("description")
                .and_then(|d| Description::parse(&d).map_err(|m| input.error("description", m)).ok());
        }
        if input.has("priority") {
            patch.priority = enum_field(input, "priority", Priority::parse, Priority::choices());
        }
        if input.has("status") {
            patch.status = enum_field(input, "status", Status::parse, Status::choices());
        }
        if input.has("satisfaction") {
            patch.satisfaction =
                enum_field(input, "satisfaction", Satisfaction::parse, Satisfaction::choices());
        }
        match map.get("tags") {
            None => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                let raw: Vec<String> = items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                match Tags::parse(&raw) {
                    Ok(tags) => patch.tags = Some(tags),
                    Err(m) => input.error("tags", m),
                }
            }
            Some(Value::Null) => patch.tags = Some(Tags::default()),
            Some(_) => input.error("tags", "The tags field must be an array of strings."),
        }
        match map.get("custom_fields") {
            None => {}
            Some(Value::Object(fields)) => match CustomFields::parse(fields) {
                Ok(fields) => patch.custom_fields = Some(fields),
                Err(m) => input.error("custom_fields", m),
            },
            Some(_) => input.error("custom_fields", "The custom fields field must be an object."),
        }
        if let Some(due) = input.nullable_string("due_date") {
            match due {
                None => patch.due_date = Some(None),
                Some(raw) => match DueDate::parse(&raw) {
                    Some(d) => patch.due_date = Some(Some(d)),
                    None => input.error("due_date", "The due date field must be a valid date."),
                },
            }
        }
        if let Some(r) = uuid_field(input, "requester_id") {
            match r {
                Some(id) => patch.requester_id = Some(id),
                None => input.error("requester_id", "The requester id field is required."),
            }
        }
        patch.assignee_id = uuid_field(input, "assignee_id");
        patch.organization_id = uuid_field(input, "organization_id");
        patch.group_id = uuid_field(input, "group_id");
        let updated_stamp = input.nullable_string("updated_stamp").flatten();
        TicketFields::from_patch(patch, updated_stamp)
    }

    /// The body of `PATCH /tickets/{id}`, for this caller.
    pub fn for_update(map: &Map<String, Value>, caller: &Caller) -> Result<TicketFields, ApiError> {
        check_writable(map, caller, false)?;
        let mut input = Input::new(map.clone());
        let fields = Self::parse(map, &mut input);
        input.into_result(fields).map_err(ApiError::Validation)
    }

    /// The body of `POST /tickets`, for this caller: subject and description required.
    pub fn for_create(map: &Map<String, Value>, caller: &Caller) -> Result<CreateTicket, ApiError> {
        check_writable(map, caller, true)?;
        let mut input = Input::new(map.clone());
        for field in ["subject", "description"] {
            if !input.has(field) {
                input.required_string(field);
            }
        }
        let f = Self::parse(map, &mut input);
        match (f.subject, f.description) {
            (Some(subject), Some(description)) if input.is_clean() => Ok(CreateTicket {
                subject,
                description,
                priority: f.priority,
                status: f.status,
                tags: f.tags,
                custom_fields: f.custom_fields,
                due_date: f.due_date.flatten(),
                requester_id: f.requester_id,
                assignee_id: f.assignee_id.flatten(),
                organization_id: f.organization_id,
                group_id: f.group_id.flatten(),
            }),
            _ => Err(ApiError::Validation(input.into_errors())),
        }
    }
}

/// The body of `POST /tickets/{id}/assign`: `assignee_id` required, `null` unassigns.
#[derive(utoipa::ToSchema)]
pub struct AssignTicket {
    #[schema(required)]
    pub assignee_id: Option<Uuid>,
}

impl FromJson for AssignTicket {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        if !input.has("assignee_id") {
            return Err(input.required_missing("assignee_id"));
        }
        match uuid_field(&mut input, "assignee_id") {
            Some(assignee_id) => input.into_result(AssignTicket { assignee_id }),
            None => Err(input.into_errors()),
        }
    }
}

/// The body of `POST /tickets/{id}/status`.
#[derive(utoipa::ToSchema)]
pub struct SetStatus {
    pub status: Status,
}

impl FromJson for SetStatus {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        match enum_field(&mut input, "status", Status::parse, Status::choices()) {
            Some(status) => input.into_result(SetStatus { status }),
            None => Err(input.into_errors()),
        }
    }
}

/// Checks that the users and organization a patch names exist and fit their role.
pub(crate) async fn check_references(
    state: &AppState,
    patch: &TicketPatch,
) -> Result<HashMap<Uuid, User>, ApiError> {
    crate::app::check_references(
        state,
        patch.requester_id,
        patch.assignee_id.flatten(),
        patch.organization_id.flatten(),
        patch.group_id.flatten(),
    )
    .await
}

// ---- routes --------------------------------------------------------------------------------

/// `POST /tickets`.
#[utoipa::path(
    post,
    path = "/tickets",
    operation_id = "post_tickets",
    tag = "tickets",
    summary = "Open a ticket",
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "Printable ASCII. A retry with the same key and body returns the first result; another body is 409")),
    request_body(content = CreateTicket, example = json!({"subject": "Printer on fire", "description": "Smoke everywhere", "priority": "high"})),
    responses((status = 201, description = "Created.", body = crate::http::views::Ticket, example = json!(crate::http::openapi::examples::ticket())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E409, crate::http::openapi::E413, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn create(
    State(state): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    let new = TicketFields::for_create(&body, &caller)?.into_new_ticket();
    let idempotency = Idempotency::from_request(&headers, &caller, "POST /tickets", &body)?;
    if let Some(i) = &idempotency {
        if let Some(first) = i.replay(&state).await? {
            return Ok(first);
        }
    }
    if !caller.role().is_staff() {
        crate::http::throttle::take(
            &state,
            crate::http::throttle::Scope::TicketCreate,
            &caller.id().to_string(),
        )
        .await?;
    }
    // The users the ticket names: those the body referenced, and the caller; and its group.
    let mut names = Names { users: check_references(&state, &new.fields).await?, ..Default::default() };
    names.users.insert(caller.id(), caller.user.clone());
    if let Some(g) = new.fields.group_id.flatten() {
        names.groups.extend(state.store.get_group(g).await?.map(|group| (g, group)));
    }
    let actor = Actor::from(&caller);
    let receipt = |a: &Applied| match &idempotency {
        Some(i) => i.write(
            a.ticket.id,
            StatusCode::CREATED,
            &views::ticket(&caller, &a.ticket, &names, clock::now()),
        ),
        None => Err(ApiError::internal("no receipt without a key")),
    };
    let receipt: Option<Receipt> = idempotency.as_ref().map(|_| &receipt as Receipt);
    let org = caller.user.organization_id;
    match open_ticket(&state, &actor, org, &new, Via::Web, receipt).await? {
        OpenOutcome::Opened(o) => {
            // A default group the assignee brought is not among the names read before.
            if let Some(g) = o.ticket.group_id.filter(|g| !names.groups.contains_key(g)) {
                names.groups.extend(state.store.get_group(g).await?.map(|group| (g, group)));
            }
            Ok(created(&views::ticket(&caller, &o.ticket, &names, clock::now())))
        }
        OpenOutcome::Replay => match &idempotency {
            Some(i) => i.replay_after_clash(&state).await,
            None => Err(ApiError::internal("replay without a key")),
        },
    }
}

/// `GET /tickets/{id}`: the ticket item (visibility), then the page from one Query, plus one batch
/// read of its users.
#[utoipa::path(
    get,
    path = "/tickets/{id}",
    operation_id = "get_tickets_id",
    tag = "tickets",
    summary = "A ticket page: ticket, comments, changes",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 200, description = "The ticket with its comments (customers: public only) and, for staff, its changes.", body = crate::http::views::TicketPage, example = json!(crate::http::openapi::examples::ticket_page())), crate::http::openapi::E401, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, caller: Caller, Path(raw): Path<String>) -> HandlerResult {
    // A customer's visibility is decided from the ticket item alone (one GetItem, whatever the
    // ticket holds), so their 404 costs the same for a missing ticket as for someone else's
    // large one. Staff may see every ticket: the page's Query decides existence.
    let id = if caller.role().is_staff() {
        resolve_id(&state, &raw).await?.ok_or(ApiError::NotFound)?
    } else {
        load_visible(&state, &caller, &raw).await?.id
    };
    let page = state.store.ticket_page(id).await?;
    let ticket = page.ticket.ok_or(ApiError::NotFound)?;
    ensure_visible(&caller, &ticket)?;
    let staff = caller.role().is_staff();
    let comments: Vec<_> = page.comments.into_iter().filter(|c| staff || !c.is_internal).collect();
    let changes = if staff { page.changes } else { Vec::new() };
    let ids = comments.iter().map(|c| c.author_id).chain(changes.iter().filter_map(|c| c.agent_id));
    let names = state.store.names_for([&ticket], ids).await?;
    let users = &names.users;
    let now = clock::now();
    let attachments: HashMap<Uuid, _> = page.attachments.into_iter().map(|a| (a.id, a)).collect();
    let body = views::TicketPage {
        ticket: views::ticket(&caller, &ticket, &names, now),
        comments: comments.iter().map(|c| views::comment(&caller, c, users, &attachments, now)).collect(),
        changes: staff.then(|| changes.iter().map(|c| views::change(&caller, c, users, now)).collect()),
    };
    Ok(ok(&body))
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

/// The assign and status routes: one field through the change path, answered as
/// `{"message", "ticket"}`.
async fn change_and_answer(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    patch: TicketPatch,
    message: &str,
) -> HandlerResult {
    let ticket = load_visible(state, caller, raw).await?;
    check_references(state, &patch).await?;
    let updated = update_ticket(state, caller, ticket, patch, None).await?;
    let ticket = ticket_json(state, caller, &updated).await?;
    Ok(ok(&views::TicketMessage { message: message.into(), ticket }))
}

/// `PATCH /tickets/{id}`.
#[utoipa::path(
    patch,
    path = "/tickets/{id}",
    operation_id = "patch_tickets_id",
    tag = "tickets",
    summary = "Update a ticket (staff; customers: satisfaction only)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = TicketFields, example = json!({"priority": "urgent"})),
    responses((status = 200, description = "Updated (each changed field audited).", body = crate::http::views::Ticket, example = json!(crate::http::openapi::examples::ticket())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    let (patch, updated_stamp) = TicketFields::for_update(&body, &caller)?.into_patch();
    if let (false, Some(score)) = (caller.role().is_staff(), patch.satisfaction) {
        // The requester's rating (the older form of POST /tickets/{id}/satisfaction).
        let score = crate::app::satisfaction::Score { score, comment: None, reason: None };
        let (_, updated) =
            crate::app::satisfaction::rate(&state, ticket, &Actor::from(&caller), score, Via::Web).await?;
        return Ok(ok(&ticket_json(&state, &caller, &updated).await?));
    }
    check_references(&state, &patch).await?;
    let updated = update_ticket(&state, &caller, ticket, patch, updated_stamp).await?;
    Ok(ok(&ticket_json(&state, &caller, &updated).await?))
}

/// `POST /tickets/{id}/assign`.
#[utoipa::path(
    post,
    path = "/tickets/{id}/assign",
    operation_id = "post_tickets_id_assign",
    tag = "tickets",
    summary = "Assign (staff)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = AssignTicket, example = json!({"assignee_id": crate::http::openapi::examples::AGENT})),
    responses((status = 200, description = "Assigned.", body = crate::http::views::TicketMessage, example = json!(crate::http::openapi::examples::ticket_message("Ticket assigned successfully."))), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn assign(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
    body: Command<AssignTicket>,
) -> HandlerResult {
    let patch = TicketPatch { assignee_id: Some(body.command.assignee_id), ..Default::default() };
    change_and_answer(&state, &caller, &raw, patch, "Ticket assigned successfully.").await
}

/// `POST /tickets/{id}/status`.
#[utoipa::path(
    post,
    path = "/tickets/{id}/status",
    operation_id = "post_tickets_id_status",
    tag = "tickets",
    summary = "Change status (staff)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = SetStatus, example = json!({"status": "pending"})),
    responses((status = 200, description = "Changed.", body = crate::http::views::TicketMessage, example = json!(crate::http::openapi::examples::ticket_message("Ticket status updated successfully."))), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn status(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
    body: Command<SetStatus>,
) -> HandlerResult {
    let patch = TicketPatch { status: Some(body.command.status), ..Default::default() };
    change_and_answer(&state, &caller, &raw, patch, "Ticket status updated successfully.").await
}

/// `DELETE /tickets/{id}` (admin): the ticket and everything under it.
#[utoipa::path(
    delete,
    path = "/tickets/{id}",
    operation_id = "delete_tickets_id",
    tag = "tickets",
    summary = "Delete a ticket and everything under it (admin)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(
    State(state): State<Shared>,
    Admin(caller): Admin,
    Path(raw): Path<String>,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    state.store.delete_ticket(&ticket).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /tickets/{id}/view`.
#[utoipa::path(
    post,
    path = "/tickets/{id}/view",
    operation_id = "post_tickets_id_view",
    tag = "tickets",
    summary = "Mark the ticket viewed (staff)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 200, description = "Recorded.", body = crate::http::views::Message, example = json!({"message": "Marked as viewed."})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn mark_viewed(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    let now = clock::now();
    let viewer =
        Viewer { ticket_id: ticket.id, user_id: caller.id(), last_viewed: crate::clock::Timestamp(now) };
    state.store.put_viewer(&viewer, (now + VIEWER_WINDOW).unix_timestamp()).await?;
    Ok(ok(&views::Message { message: "Marked as viewed.".into() }))
}

/// `GET /tickets/{id}/viewers`: who looked at the ticket in the last five minutes.
#[utoipa::path(
    get,
    path = "/tickets/{id}/viewers",
    operation_id = "get_tickets_id_viewers",
    tag = "tickets",
    summary = "Who viewed the ticket in the last 5 minutes (staff)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 200, description = "Viewers.", body = crate::http::views::Data<crate::http::views::Viewer>, example = json!(crate::http::openapi::examples::viewers())), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn viewers(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    let now = clock::now();
    let viewers = state.store.viewers_since(ticket.id, &clock::format(now - VIEWER_WINDOW)).await?;
    let users = state.store.users_by_id(viewers.iter().map(|v| v.user_id)).await?;
    let data: Vec<views::Viewer> = viewers.iter().map(|v| views::viewer(&caller, v, &users, now)).collect();
    Ok(ok(&views::Data { data }))
}

/// The list filter from the query string; customers only ever get their own tickets.
fn list_filter(query: &Params, caller: &Caller) -> Result<TicketFilter, ApiError> {
    let mut errors = crate::validation::ValidationErrors::default();
    let mut filter = TicketFilter::default();
    if query.has_empty("status") {
        errors.add("status", format!("The selected status is invalid. Allowed: {}.", Status::choices()));
    }
    if query.has_empty("priority") {
        errors
            .add("priority", format!("The selected priority is invalid. Allowed: {}.", Priority::choices()));
    }
    for s in query.list("status") {
        match Status::parse(&s) {
            Some(st) if !filter.statuses.contains(&st) => filter.statuses.push(st),
            Some(_) => {}
            None => errors
                .add("status", format!("The selected status is invalid. Allowed: {}.", Status::choices())),
        }
    }
    for p in query.list("priority") {
        match Priority::parse(&p) {
            Some(pr) if !filter.priorities.contains(&pr) => filter.priorities.push(pr),
            Some(_) => {}
            None => errors.add(
                "priority",
                format!("The selected priority is invalid. Allowed: {}.", Priority::choices()),
            ),
        }
    }
    let mut uuid_param = |name: &str| match query.first(name) {
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
    filter.assignee = match query.first("assignee_id").as_deref() {
        Some("none") => Some(None),
        Some(_) => uuid_param("assignee_id").map(Some),
        None => None,
    };
    filter.requester = uuid_param("requester_id");
    filter.organization = uuid_param("organization_id");
    filter.group = match query.first("group_id").as_deref() {
        Some("none") => Some(None),
        Some(_) => uuid_param("group_id").map(Some),
        None => None,
    };
    filter.tag = query.one("tag").map(|t| t.trim().to_lowercase());
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
#[utoipa::path(
    get,
    path = "/tickets",
    operation_id = "get_tickets",
    tag = "tickets",
    summary = "Tickets, newest update first (customers: their own)",
    params(("status[]" = Option<Vec<crate::domain::ticket::Status>>, Query, description = "Repeatable; comma lists too"), ("priority[]" = Option<Vec<crate::domain::ticket::Priority>>, Query, description = "Repeatable; comma lists too"), ("assignee_id" = Option<String>, Query, description = "A user id, or `none`"), ("requester_id" = Option<uuid::Uuid>, Query), ("organization_id" = Option<uuid::Uuid>, Query), ("group_id" = Option<String>, Query, description = "A group id, or `none`"), ("tag" = Option<String>, Query), ("search" = Option<String>, Query, description = "Words of subject and description, or a ticket number"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")),
    responses((status = 200, description = "A page of tickets.", body = crate::http::views::Page<crate::http::views::Ticket>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::ticket(), "/tickets"))), crate::http::openapi::E401, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, caller: Caller, query: Params) -> HandlerResult {
    let filter = list_filter(&query, &caller)?;
    let per_page = per_page(query.present("per_page").as_deref())?;
    let scope = filter_scope(&filter);
    let before = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    if let Some(q) = query.one("search") {
        // The search engine's page, with the other filters applied to it (API.md: the same
        // engine as `GET /search`, newest update first by default).
        let found = super::search::results(&state, &caller, &q, &query, true, &|t| filter.matches(t)).await?;
        let data: Vec<views::Ticket> = found
            .data
            .into_iter()
            .filter_map(|r| match r {
                views::SearchResult::Ticket(t) => Some(*t),
                _ => None,
            })
            .collect();
        return Ok(ok(&views::Page::new(
            data,
            "/tickets",
            per_page,
            found.page.next,
            &query.without_cursor(),
        )));
    }
    let (tickets, more) = state.store.list_tickets(&filter, before.as_deref(), per_page).await?;
    let next = more
        .then(|| {
            tickets
                .last()
                .map(|t| state.cursors.encode(&scope, &crate::store::keys::ticket_sort(t.updated_at, t.id)))
        })
        .flatten();
    let names = state.store.names_for(&tickets, []).await?;
    let now = clock::now();
    let data: Vec<views::Ticket> = tickets.iter().map(|t| views::ticket(&caller, t, &names, now)).collect();
    Ok(ok(&views::Page::new(data, "/tickets", per_page, next, &query.without_cursor())))
}
