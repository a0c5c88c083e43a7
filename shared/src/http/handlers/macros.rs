//! `/macros` and applying one to a ticket (API.md part 2, "Macros"). A macro is usable by every
//! agent (no restriction), by one user (personal), or by one group's members. Agents make
//! personal macros only; admins make any. Applying goes through the one ticket-change path
//! (`via: macro`).
use super::workspace::Common;
use crate::app::ticket_change::{change_ticket, plan, ChangeRequest, ChangeSet, NewComment};
use crate::app::{restriction, Actor};
use crate::auth::Caller;
use crate::clock::{self, Timestamp};
use crate::domain::actions::{expand, Actions, Context};
use crate::domain::ticket::{Status, Ticket, Via, CLOSED_IS_FINAL};
use crate::http::extract::{Command, FromJson, Staff};
use crate::http::views::{self, Data, MacroEnvelope, MacroPreview, MacroResult};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::macros::{Macro, Restriction};
use crate::validation::{Input, ValidationErrors};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The body of `POST /macros` and `PATCH /macros/{id}` (a create needs `title` and `actions`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct MacroFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub title: Option<String>,
    #[schema(max_length = 1000, nullable = false)]
    pub description: Option<String>,
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(nullable = false, maximum = 100000)]
    pub position: Option<u32>,
    /// `null` for every agent (admins only); agents may only give themselves (the default).
    pub restriction: Option<Option<Restriction>>,
    /// `[{"field", "value"}]`: status, priority, group_id, assignee_id (`current_user`),
    /// set_tags, add_tags, remove_tags, custom_fields.<key>, comment `{"body", "public"}`.
    #[schema(value_type = Option<Vec<Object>>, nullable = false)]
    pub actions: Option<Value>,
}

impl FromJson for MacroFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let common = Common::parse(body, &mut input);
        let mut f = MacroFields {
            title: common.title,
            active: common.active,
            position: common.position,
            restriction: common.restriction,
            ..Default::default()
        };
        match body.get("description") {
            None => {}
            Some(Value::String(d)) if d.chars().count() <= 1000 => f.description = Some(d.trim().to_owned()),
            Some(_) => {
                input.error("description", "The description must be a string of at most 1000 characters.")
            }
        }
        if let Some(a) = body.get("actions") {
            match Actions::parse(a) {
                Ok(_) => f.actions = Some(a.clone()),
                Err(errors) => input.merge(errors),
            }
        }
        input.into_result(f)
    }
}

/// The macro named by the path, if the caller may reach it (404 otherwise, as for none).
async fn load_usable(state: &AppState, caller: &Caller, raw: &str) -> Result<Macro, ApiError> {
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
    let m = state.store.get_macro(id).await?.ok_or(ApiError::NotFound)?;
    if restriction::reachable(caller, m.restriction, &restriction::groups_of(state, caller).await?) {
        Ok(m)
    } else {
        Err(ApiError::NotFound)
    }
}

/// `GET /macros`: the macros the caller may use, by position.
#[utoipa::path(
    get,
    path = "/macros",
    operation_id = "get_macros",
    tag = "macros",
    summary = "Macros the caller may use (staff)",
    responses((status = 200, description = "By position.", body = crate::http::views::Data<crate::http::views::Macro>, example = json!({"data": [crate::http::openapi::examples::macro_()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, Staff(caller): Staff) -> HandlerResult {
    let groups = restriction::groups_of(&state, &caller).await?;
    let data: Vec<views::Macro> = state
        .store
        .all_macros()
        .await?
        .iter()
        .filter(|m| restriction::usable(&caller, m.restriction, &groups))
        .map(views::Macro::of)
        .collect();
    Ok(ok(&Data { data }))
}

/// `POST /macros`: agents make personal macros (the default for them), admins any.
#[utoipa::path(
    post,
    path = "/macros",
    operation_id = "post_macros",
    tag = "macros",
    summary = "Create a macro (staff; agents: personal only)",
    request_body(content = MacroFields, example = json!({"title": "Close and thank", "actions": [{"field": "status", "value": "solved"}, {"field": "comment", "value": {"body": "Thanks {{ticket.requester.first_name}}!", "public": true}}]})),
    responses((status = 201, description = "Created.", body = crate::http::views::MacroEnvelope, example = json!({"macro": crate::http::openapi::examples::macro_()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Staff(caller): Staff,
    body: Command<MacroFields>,
) -> HandlerResult {
    let f = body.command;
    let mut errors = ValidationErrors::default();
    if f.title.is_none() {
        errors.add("title", "The title field is required.");
    }
    if f.actions.is_none() {
        errors.add("actions", "The actions field is required.");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let restriction = f.restriction.unwrap_or_else(|| restriction::default_for(&caller));
    restriction::check(&state, &caller, restriction, "macros").await?;
    let now = Timestamp::now();
    let mut m = Macro {
        id: Uuid::now_v7(),
        number: None,
        title: f.title.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        active: f.active.unwrap_or(true),
        position: f.position.unwrap_or(0),
        restriction,
        actions: f.actions.unwrap_or_default().to_string(),
        usage_count: 0,
        created_at: now,
        updated_at: now,
    };
    state.store.create_macro(&mut m).await?;
    Ok(created(&MacroEnvelope { macro_: views::Macro::of(&m) }))
}

/// `GET /macros/{id}`.
#[utoipa::path(
    get,
    path = "/macros/{id}",
    operation_id = "get_macros_id",
    tag = "macros",
    summary = "A macro (who may use it)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The macro.", body = crate::http::views::MacroEnvelope, example = json!({"macro": crate::http::openapi::examples::macro_()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let m = load_usable(&state, &caller, &raw).await?;
    Ok(ok(&MacroEnvelope { macro_: views::Macro::of(&m) }))
}

/// `PATCH /macros/{id}`: its owner or an admin.
#[utoipa::path(
    patch,
    path = "/macros/{id}",
    operation_id = "patch_macros_id",
    tag = "macros",
    summary = "Update a macro (its owner, or an admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = MacroFields, example = json!({"active": false})),
    responses((status = 200, description = "Updated.", body = crate::http::views::MacroEnvelope, example = json!({"macro": crate::http::openapi::examples::macro_()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
    body: Command<MacroFields>,
) -> HandlerResult {
    let mut m = load_usable(&state, &caller, &raw).await?;
    if !restriction::writable(&caller, m.restriction) {
        return Err(ApiError::Forbidden);
    }
    let f = body.command;
    if let Some(r) = f.restriction {
        restriction::check(&state, &caller, r, "macros").await?;
        m.restriction = r;
    }
    m.title = f.title.unwrap_or(m.title);
    m.description = f.description.unwrap_or(m.description);
    m.active = f.active.unwrap_or(m.active);
    m.position = f.position.unwrap_or(m.position);
    if let Some(a) = f.actions {
        m.actions = a.to_string();
    }
    m.updated_at = Timestamp::now();
    state.store.put_macro(&m).await?;
    Ok(ok(&MacroEnvelope { macro_: views::Macro::of(&m) }))
}

/// `DELETE /macros/{id}`: its owner or an admin.
#[utoipa::path(
    delete,
    path = "/macros/{id}",
    operation_id = "delete_macros_id",
    tag = "macros",
    summary = "Delete a macro (its owner, or an admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let m = load_usable(&state, &caller, &raw).await?;
    if !restriction::writable(&caller, m.restriction) {
        return Err(ApiError::Forbidden);
    }
    state.store.delete_macro(m.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The ticket, the macro and the change it makes (comment body expanded).
pub(crate) async fn prepare(
    state: &AppState,
    caller: &Caller,
    ticket_raw: &str,
    macro_raw: &str,
) -> Result<(Ticket, Macro, ChangeSet), ApiError> {
    let ticket = super::tickets::load_visible(state, caller, ticket_raw).await?;
    let m = load_usable(state, caller, macro_raw).await?;
    if !m.active {
        return Err(ApiError::invalid("macro_id", "The macro is not active."));
    }
    if ticket.status == Status::Closed {
        return Err(ApiError::invalid(CLOSED_IS_FINAL.field, CLOSED_IS_FINAL.message));
    }
    let actions = Actions::parse(&m.actions_json()).map_err(ApiError::Validation)?;
    let change = actions.to_change(&ticket, caller.id());
    let comment = match change.comment {
        Some((body, public)) => {
            let users =
                state.store.users_by_id([ticket.requester_id].into_iter().chain(ticket.assignee_id)).await?;
            let group = match ticket.group_id {
                Some(g) => state.store.get_group(g).await?,
                None => None,
            };
            let cx = Context {
                ticket: &ticket,
                requester: users.get(&ticket.requester_id),
                assignee: ticket.assignee_id.and_then(|a| users.get(&a)),
                group_name: group.as_ref().map(|g| g.name.as_str()),
                current_user: Some(&caller.user),
                url: None,
                latest_public_comment: None,
                satisfaction_url: None,
            };
            Some(NewComment { content: expand(&body, &cx), is_internal: !public, ..Default::default() })
        }
        None => None,
    };
    let set = ChangeSet { fields: change.fields, comment, via: Via::Macro, ..Default::default() };
    Ok((ticket, m, set))
}

async fn result(
    state: &AppState,
    caller: &Caller,
    ticket: &Ticket,
    comment: Option<&crate::domain::comment::Comment>,
) -> Result<MacroResult, ApiError> {
    let mut names = state.store.names_for([ticket], []).await?;
    names.users.insert(caller.id(), caller.user.clone());
    let now = clock::now();
    Ok(MacroResult {
        ticket: views::ticket(caller, ticket, &names, now),
        comment: comment.map(|c| views::comment(caller, c, &names.users, &HashMap::new(), now)),
    })
}

/// `GET /tickets/{id}/macros/{macro_id}/apply`: what applying would do; nothing is written.
#[utoipa::path(
    get,
    path = "/tickets/{id}/macros/{macro_id}/apply",
    operation_id = "get_tickets_id_macros_macro_id_apply",
    tag = "macros",
    summary = "Preview a macro on a ticket (staff; writes nothing)",
    params(("id" = String, Path, description = "A UUID or a ticket number"), ("macro_id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The ticket as it would be, and the comment it would add.", body = crate::http::views::MacroPreview, example = json!({"result": {"ticket": crate::http::openapi::examples::ticket(), "comment": null}})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn preview(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path((ticket_raw, macro_raw)): Path<(String, String)>,
) -> HandlerResult {
    let (ticket, _, set) = prepare(&state, &caller, &ticket_raw, &macro_raw).await?;
    let actor = Actor::from(&caller);
    let mut set = set;
    crate::app::with_default_group(&state, ticket.group_id, &mut set.fields).await?;
    let applied = plan(&actor, &ticket, &set)?;
    crate::app::check_assignee_in_group(&state, Some(&ticket), &applied.ticket).await?;
    Ok(ok(&MacroPreview {
        result: result(&state, &caller, &applied.ticket, applied.comment.as_ref()).await?,
    }))
}

/// `POST /tickets/{id}/macros/{macro_id}/apply`: one audited update (`via: macro`).
#[utoipa::path(
    post,
    path = "/tickets/{id}/macros/{macro_id}/apply",
    operation_id = "post_tickets_id_macros_macro_id_apply",
    tag = "macros",
    summary = "Apply a macro to a ticket (staff)",
    params(("id" = String, Path, description = "A UUID or a ticket number"), ("macro_id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "Applied through the ticket-change path.", body = crate::http::views::MacroResult, example = json!({"ticket": crate::http::openapi::examples::ticket(), "comment": null})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn apply(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path((ticket_raw, macro_raw)): Path<(String, String)>,
) -> HandlerResult {
    let (ticket, m, set) = prepare(&state, &caller, &ticket_raw, &macro_raw).await?;
    crate::app::check_references(
        &state,
        set.fields.requester_id,
        set.fields.assignee_id.flatten(),
        set.fields.organization_id.flatten(),
        set.fields.group_id.flatten(),
    )
    .await?;
    let actor = Actor::from(&caller);
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: set,
        expected_stamp: None,
        loaded: Some(ticket),
        receipt: None,
    };
    let applied = change_ticket(&state, request).await?.applied()?;
    state.store.count_macro_use(m.id).await?;
    Ok(ok(&result(&state, &caller, &applied.ticket, applied.comment.as_ref()).await?))
}
