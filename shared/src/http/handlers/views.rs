//! `/views` (API.md part 2, "Views"): saved ticket lists for staff. Restricted like macros
//! (personal, group, everyone); the tickets and counts come from `app::views`, which serves
//! every view from the index partition of its anchor condition.
use super::workspace::Common;
use crate::app::restriction;
use crate::app::views::{self as run, Position, Query};
use crate::auth::Caller;
use crate::clock::{self, Timestamp};
use crate::domain::conditions::Conditions;
use crate::domain::views::{Anchor, Execution};
use crate::http::extract::{Command, FromJson, JsonObject, Params, Staff};
use crate::http::views::{self as out, Data, ViewCount, ViewCountEnvelope, ViewCounts, ViewEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::macros::Restriction;
use crate::store::views::View;
use crate::validation::{Input, ValidationErrors};
use crate::{cursor, ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// At most this many ids in one `count_many`.
pub const MAX_COUNT_MANY: usize = 20;

/// The body of `POST /views` and `PATCH /views/{id}` (a create needs `title` and `conditions`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct ViewFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub title: Option<String>,
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(nullable = false, maximum = 100000)]
    pub position: Option<u32>,
    /// `null` for every agent (admins only); agents may only give themselves (the default).
    pub restriction: Option<Option<Restriction>>,
    /// `{"all": [{"field", "operator", "value"}], "any": [...]}`; `all` needs an anchor:
    /// `status` (is, less_than, greater_than) or `group_id`, `assignee_id`, `requester_id`,
    /// `organization_id` with `is`.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub conditions: Option<Value>,
    /// `{"sort_by", "sort_order", "columns"}`; default `updated_at`, `desc`.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub execution: Option<Execution>,
}

/// The body of `POST /views/preview`: conditions and, optionally, an execution.
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct ViewPreview {
    /// As a view's: `all` needs an anchor.
    #[schema(value_type = Object)]
    pub conditions: Value,
    /// `{"sort_by", "sort_order", "columns"}`; default `updated_at`, `desc`.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub execution: Option<Execution>,
}

/// Conditions as a view needs them: valid (422 with positions) and anchored (422 otherwise).
fn view_conditions(raw: &Value, errors: &mut ValidationErrors) -> Option<Conditions> {
    match Conditions::parse(raw) {
        Ok(c) if Anchor::available(&c) => Some(c),
        Ok(_) => {
            errors.add(
                "conditions.all",
                "A view needs an all condition an index can serve: status (is, less_than, greater_than), or group_id, assignee_id, requester_id or organization_id with is.",
            );
            None
        }
        Err(e) => {
            errors.absorb(e);
            None
        }
    }
}

impl FromJson for ViewFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let common = Common::parse(body, &mut input);
        let mut f = ViewFields {
            title: common.title,
            active: common.active,
            position: common.position,
            restriction: common.restriction,
            ..Default::default()
        };
        let mut errors = ValidationErrors::default();
        if let Some(c) = body.get("conditions") {
            if view_conditions(c, &mut errors).is_some() {
                f.conditions = Some(c.clone());
            }
        }
        if let Some(e) = body.get("execution") {
            match Execution::parse(e) {
                Ok(e) => f.execution = Some(e),
                Err(e) => errors.absorb(e),
            }
        }
        input.merge(errors);
        input.into_result(f)
    }
}

/// The view named by the path, if the caller may reach it (404 otherwise, as for none).
async fn load_usable(state: &AppState, caller: &Caller, raw: &str) -> Result<View, ApiError> {
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
    let v = state.store.get_view(id).await?.ok_or(ApiError::NotFound)?;
    if restriction::reachable(caller, v.restriction, &restriction::groups_of(state, caller).await?) {
        Ok(v)
    } else {
        Err(ApiError::NotFound)
    }
}

fn parsed(v: &View) -> Result<Conditions, ApiError> {
    Conditions::parse(&v.conditions_json()).map_err(ApiError::Validation)
}

/// `GET /views`: the active views the caller may use, by position (`include_inactive=true`
/// adds the inactive ones). The first call on a new desk creates the six default views.
#[utoipa::path(
    get,
    path = "/views",
    operation_id = "get_views",
    tag = "views",
    summary = "Views the caller may use (staff)",
    params(("include_inactive" = Option<bool>, Query, description = "Also inactive views (default false)")),
    responses((status = 200, description = "By position.", body = crate::http::views::Data<crate::http::views::View>, example = json!({"data": [crate::http::openapi::examples::view()]})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, Staff(caller): Staff, query: Params) -> HandlerResult {
    // `present`: an empty value is a mistake to report (the parameter is a boolean), not "not sent".
    let inactive = match query.present("include_inactive").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "include_inactive",
                "The include inactive field must be true or false.",
            ))
        }
    };
    run::ensure_defaults(&state).await?;
    let groups = restriction::groups_of(&state, &caller).await?;
    let data: Vec<out::View> = state
        .store
        .all_views()
        .await?
        .iter()
        .filter(|v| (v.active || inactive) && restriction::usable(&caller, v.restriction, &groups))
        .map(out::View::of)
        .collect();
    Ok(ok(&Data { data }))
}

/// `POST /views`: agents make personal views (the default for them), admins any.
#[utoipa::path(
    post,
    path = "/views",
    operation_id = "post_views",
    tag = "views",
    summary = "Create a view (staff; agents: personal only)",
    request_body(content = ViewFields, example = json!({"title": "Urgent and open", "conditions": {"all": [{"field": "status", "operator": "less_than", "value": "solved"}, {"field": "priority", "operator": "is", "value": "urgent"}]}, "execution": {"sort_by": "created_at", "sort_order": "asc"}})),
    responses((status = 201, description = "Created.", body = crate::http::views::ViewEnvelope, example = json!({"view": crate::http::openapi::examples::view()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Staff(caller): Staff,
    body: Command<ViewFields>,
) -> HandlerResult {
    let f = body.command;
    let mut errors = ValidationErrors::default();
    if f.title.is_none() {
        errors.add("title", "The title field is required.");
    }
    if f.conditions.is_none() {
        errors.add("conditions", "The conditions field is required.");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let restriction = f.restriction.unwrap_or_else(|| restriction::default_for(&caller));
    restriction::check(&state, &caller, restriction, "views").await?;
    let now = Timestamp::now();
    let mut v = View {
        id: Uuid::now_v7(),
        number: None,
        title: f.title.unwrap_or_default(),
        active: f.active.unwrap_or(true),
        position: f.position.unwrap_or(0),
        restriction,
        conditions: f.conditions.unwrap_or_default().to_string(),
        execution: f.execution.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    state.store.create_view(&mut v).await?;
    Ok(created(&ViewEnvelope { view: out::View::of(&v) }))
}

/// `GET /views/{id}`.
#[utoipa::path(
    get,
    path = "/views/{id}",
    operation_id = "get_views_id",
    tag = "views",
    summary = "A view (who may use it)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The view.", body = crate::http::views::ViewEnvelope, example = json!({"view": crate::http::openapi::examples::view()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let v = load_usable(&state, &caller, &raw).await?;
    Ok(ok(&ViewEnvelope { view: out::View::of(&v) }))
}

/// `PATCH /views/{id}`: its owner or an admin. `conditions` and `execution` are replaced whole.
#[utoipa::path(
    patch,
    path = "/views/{id}",
    operation_id = "patch_views_id",
    tag = "views",
    summary = "Update a view (its owner, or an admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = ViewFields, example = json!({"title": "Urgent tickets", "position": 2})),
    responses((status = 200, description = "Updated.", body = crate::http::views::ViewEnvelope, example = json!({"view": crate::http::openapi::examples::view()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
    body: Command<ViewFields>,
) -> HandlerResult {
    let mut v = load_usable(&state, &caller, &raw).await?;
    if !restriction::writable(&caller, v.restriction) {
        return Err(ApiError::Forbidden);
    }
    let f = body.command;
    if let Some(r) = f.restriction {
        restriction::check(&state, &caller, r, "views").await?;
        v.restriction = r;
    }
    v.title = f.title.unwrap_or(v.title);
    v.active = f.active.unwrap_or(v.active);
    v.position = f.position.unwrap_or(v.position);
    if let Some(c) = f.conditions {
        v.conditions = c.to_string();
    }
    v.execution = f.execution.unwrap_or(v.execution);
    v.updated_at = Timestamp::now();
    state.store.put_view(&v).await?;
    Ok(ok(&ViewEnvelope { view: out::View::of(&v) }))
}

/// `DELETE /views/{id}`: its owner or an admin.
#[utoipa::path(
    delete,
    path = "/views/{id}",
    operation_id = "delete_views_id",
    tag = "views",
    summary = "Delete a view (its owner, or an admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let v = load_usable(&state, &caller, &raw).await?;
    if !restriction::writable(&caller, v.restriction) {
        return Err(ApiError::Forbidden);
    }
    state.store.delete_view(v.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A page of the tickets that `conditions` and `execution` select, with a cursor bound to
/// `scope` (the view, or the preview's body) and the caller.
async fn ticket_page(
    state: &AppState,
    caller: &Caller,
    conditions: &Conditions,
    execution: &Execution,
    scope: &str,
    path: &str,
    query: &Params,
) -> HandlerResult {
    let per_page = cursor::per_page(query.present("per_page").as_deref())?;
    let scope = format!("{scope}:{}", caller.id());
    let from = match query.one("cursor") {
        Some(c) => {
            let raw = state.cursors.decode(&scope, &c)?;
            Some(
                serde_json::from_str::<Position>(&raw)
                    .map_err(|_| ApiError::invalid("cursor", "The cursor is invalid."))?,
            )
        }
        None => None,
    };
    let q = Query { conditions, execution, caller: caller.id() };
    let page = run::page(state, &q, from, per_page).await?;
    let next =
        page.next.map(|p| state.cursors.encode(&scope, &serde_json::to_string(&p).unwrap_or_default()));
    let names = state.store.names_for(&page.tickets, []).await?;
    let now = clock::now();
    let data: Vec<out::Ticket> = page.tickets.iter().map(|t| out::ticket(caller, t, &names, now)).collect();
    let mut body = out::Page::new(data, path, per_page, next, &query.without_cursor());
    body.truncated = (execution.sort_by != crate::domain::views::SortBy::UpdatedAt).then_some(page.truncated);
    Ok(ok(&body))
}

/// `GET /views/{id}/tickets`: the view's tickets in its order, cursor-paged.
#[utoipa::path(
    get,
    path = "/views/{id}/tickets",
    operation_id = "get_views_id_tickets",
    tag = "views",
    summary = "A view's tickets (who may use it)",
    params(("id" = String, Path, description = "A UUID"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the view and the caller")),
    responses((status = 200, description = "A page of tickets. A page may be shorter than `per_page` (even empty) with a `next_cursor`: each page reads a bounded part of the index (docs/api.md).", body = crate::http::views::Page<crate::http::views::Ticket>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::ticket(), "/views/0190f3a4-7777-7000-8000-000000000007/tickets"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn tickets(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
    query: Params,
) -> HandlerResult {
    let v = load_usable(&state, &caller, &raw).await?;
    let conditions = parsed(&v)?;
    let path = format!("/views/{}/tickets", v.id);
    ticket_page(&state, &caller, &conditions, &v.execution, &format!("view:{}", v.id), &path, &query).await
}

async fn view_count(state: &AppState, caller: &Caller, v: &View) -> Result<ViewCount, ApiError> {
    let counted = run::count(state, v, &parsed(v)?, caller.id()).await?;
    Ok(ViewCount { view_id: v.id, value: counted.value, fresh: counted.fresh })
}

/// `GET /views/{id}/count`.
#[utoipa::path(
    get,
    path = "/views/{id}/count",
    operation_id = "get_views_id_count",
    tag = "views",
    summary = "How many tickets a view holds (who may use it)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The count; `fresh: false` when up to 60 s old, `value: null` while a first count is under way.", body = crate::http::views::ViewCountEnvelope, example = json!({"view_count": {"view_id": "0190f3a4-7777-7000-8000-000000000007", "value": 12, "fresh": true}})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn count(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let v = load_usable(&state, &caller, &raw).await?;
    Ok(ok(&ViewCountEnvelope { view_count: view_count(&state, &caller, &v).await? }))
}

/// `GET /views/count_many?ids=a,b`: counts of up to 20 views; ids the caller may not use, or
/// that name no view, are left out.
#[utoipa::path(
    get,
    path = "/views/count_many",
    operation_id = "get_views_count_many",
    tag = "views",
    summary = "Counts of several views (staff)",
    params(("ids" = String, Query, description = "Comma-separated view ids, 1 to 20")),
    responses((status = 200, description = "The counts of the views the caller may use.", body = crate::http::views::ViewCounts, example = json!({"view_counts": [{"view_id": "0190f3a4-7777-7000-8000-000000000007", "value": 12, "fresh": true}]})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn count_many(State(state): State<Shared>, Staff(caller): Staff, query: Params) -> HandlerResult {
    let raw = query.one("ids").unwrap_or_default();
    let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() || parts.len() > MAX_COUNT_MANY {
        return Err(ApiError::invalid("ids", "The ids field must list 1 to 20 view ids, comma-separated."));
    }
    let mut ids = Vec::new();
    for p in parts {
        match Uuid::parse_str(p) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => return Err(ApiError::invalid("ids", "The ids field must list view ids (UUIDs).")),
        }
    }
    let groups = restriction::groups_of(&state, &caller).await?;
    let mut view_counts = Vec::new();
    for id in ids {
        if let Some(v) = state.store.get_view(id).await? {
            if restriction::usable(&caller, v.restriction, &groups) {
                view_counts.push(view_count(&state, &caller, &v).await?);
            }
        }
    }
    Ok(ok(&ViewCounts { view_counts }))
}

/// `POST /views/preview`: the tickets a view with these conditions would hold; nothing saved.
#[utoipa::path(
    post,
    path = "/views/preview",
    operation_id = "post_views_preview",
    tag = "views",
    summary = "Tickets of unsaved view conditions (staff)",
    params(("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque; bound to this body and the caller")),
    request_body(content = ViewPreview, example = json!({"conditions": {"all": [{"field": "status", "operator": "is", "value": "open"}]}, "execution": {"sort_by": "priority", "sort_order": "desc"}})),
    responses((status = 200, description = "A page of tickets, as for a saved view.", body = crate::http::views::Page<crate::http::views::Ticket>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::ticket(), "/views/preview"))), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn preview(
    State(state): State<Shared>,
    Staff(caller): Staff,
    query: Params,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    let mut errors = ValidationErrors::default();
    let conditions = match body.get("conditions") {
        Some(c) => view_conditions(c, &mut errors),
        None => {
            errors.add("conditions", "The conditions field is required.");
            None
        }
    };
    let execution = match body.get("execution").map(Execution::parse) {
        None => Some(Execution::default()),
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            errors.absorb(e);
            None
        }
    };
    let (Some(conditions), Some(execution), true) = (conditions, execution, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let digest = Sha256::digest(format!(
        "{}|{}",
        body.get("conditions").unwrap_or(&Value::Null),
        body.get("execution").unwrap_or(&Value::Null)
    ));
    let scope = format!("preview:{}", URL_SAFE_NO_PAD.encode(&digest[..12]));
    ticket_page(&state, &caller, &conditions, &execution, &scope, "/views/preview", &query).await
}
