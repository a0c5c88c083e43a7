//! `/users`: directory for staff, and the admin's role and organization assignment.
use super::parse_uuid;
use crate::auth::Caller;
use crate::cursor::per_page;
use crate::domain::user::Role;
use crate::http::extract::{Admin, Command, FromJson, Params, Staff};
use crate::http::views::{Data, Page, User, UserEnvelope};
use crate::http::{ok, HandlerResult, Shared};
use crate::store::keys::{self, Index};
use crate::store::users::UserRecord;
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError};
use axum::extract::{Path, State};
use serde_json::{Map, Value};
use uuid::Uuid;

/// `GET /users`: by name; `role=` narrows to one role, `search=` is a name or email prefix.
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "get_users",
    tag = "users",
    summary = "Users (staff)",
    params(("role" = Option<crate::domain::user::Role>, Query), ("search" = Option<String>, Query, description = "A name or email prefix"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")),
    responses((status = 200, description = "A page of users by name.", body = crate::http::views::Page<crate::http::views::User>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::user(), "/users"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let role = match query.first("role") {
        Some(r) => Some(Role::parse(&r).ok_or_else(|| {
            ApiError::invalid("role", "The selected role is invalid. Allowed: admin, agent, customer.")
        })?),
        None => None,
    };
    let search = query.one("search").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let (index, partition) = match role {
        Some(r) => (Index::Gsi1, keys::role_partition(r.as_str())),
        None => (Index::Gsi3, keys::USERS_PARTITION.to_owned()),
    };
    let scope = format!("users|{:?}|{:?}", role, search);
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    let (mut rows, mut more) = state
        .store
        .query_sorted::<UserRecord>(index, &partition, search.as_deref(), after.as_deref(), per_page)
        .await?;
    if let Some(prefix) = &search {
        // A search is a name prefix or an email prefix: the email index adds its matches.
        // Search answers with the first page of matches by name (no further cursor).
        let (by_email, _) = state
            .store
            .query_sorted::<UserRecord>(Index::Gsi2, keys::USERS_PARTITION, Some(prefix), None, per_page)
            .await?;
        for (_, u) in by_email {
            if role.is_none_or(|r| r == u.user.role) && !rows.iter().any(|(_, x)| x.user.id == u.user.id) {
                rows.push((keys::name_sort(&u.user.name, u.user.id), u));
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.truncate(per_page);
        more = false;
    }
    let next = more.then(|| rows.last().map(|(sort, _)| state.cursors.encode(&scope, sort))).flatten();
    let now = clock::now();
    let data: Vec<User> = rows.iter().map(|(_, u)| User::of(&u.user, now)).collect();
    Ok(ok(&Page::new(data, "/users", per_page, next, &query.without_cursor())))
}

/// `GET /users/agents`: every agent and admin, by name, with `is_online`.
#[utoipa::path(
    get,
    path = "/users/agents",
    operation_id = "get_users_agents",
    tag = "users",
    summary = "Agents and admins with presence (staff)",
    responses((status = 200, description = "Every agent and admin.", body = crate::http::views::Data<crate::http::views::User>, example = json!({"data": [crate::http::openapi::examples::user()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn agents(State(state): State<Shared>, _: Staff) -> HandlerResult {
    let mut all = with_role(&state, Role::Agent).await?;
    all.extend(with_role(&state, Role::Admin).await?);
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let now = clock::now();
    let data: Vec<User> = all.iter().map(|(_, u)| User::of(&u.user, now)).collect();
    Ok(ok(&Data { data }))
}

/// `GET /users/{id}`: staff see anyone; a customer only themself (others are 404).
#[utoipa::path(
    get,
    path = "/users/{id}",
    operation_id = "get_users_id",
    tag = "users",
    summary = "A user (staff, or oneself)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 200, description = "The user.", body = crate::http::views::UserEnvelope, example = json!(crate::http::openapi::examples::user_envelope())), crate::http::openapi::E401, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, caller: Caller, Path(raw): Path<String>) -> HandlerResult {
    let id = Uuid::parse_str(&raw).map_err(|_| ApiError::NotFound)?;
    if !caller.role().is_staff() && id != caller.id() {
        return Err(ApiError::NotFound);
    }
    let user = state.store.get_user(id).await?.ok_or(ApiError::NotFound)?;
    Ok(ok(&UserEnvelope { user: User::of(&user.user, clock::now()) }))
}

/// The body of `PATCH /users/{id}/assign`: an absent field is left alone.
#[derive(utoipa::ToSchema)]
pub struct AssignUser {
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// `Some(None)` removes the user from their organization.
    pub organization_id: Option<Option<Uuid>>,
}

impl FromJson for AssignUser {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let role = if input.has("role") {
            input.required_string("role").and_then(|r| {
                let parsed = Role::parse(r.trim());
                if parsed.is_none() {
                    input.error("role", "The selected role is invalid. Allowed: admin, agent, customer.");
                }
                parsed
            })
        } else {
            None
        };
        let mut errors = ValidationErrors::default();
        let organization_id = match input.nullable_string("organization_id") {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => parse_uuid(&mut errors, "organization_id", &raw).map(Some),
        };
        input.merge(errors);
        if !input.has("role") && !input.has("organization_id") {
            input.error("role", "Give a role or an organization_id to assign.");
        }
        input.into_result(AssignUser { role, organization_id })
    }
}

/// `PATCH /users/{id}/assign` (admin): role and/or organization, audited under the user.
#[utoipa::path(
    patch,
    path = "/users/{id}/assign",
    operation_id = "patch_users_id_assign",
    tag = "users",
    summary = "Assign a role or organization (admin)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = AssignUser, example = json!({"role": "agent"})),
    responses((status = 200, description = "Assigned (audited).", body = crate::http::views::UserEnvelope, example = json!(crate::http::openapi::examples::user_envelope())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn assign(
    State(state): State<Shared>,
    Admin(caller): Admin,
    Path(raw): Path<String>,
    body: Command<AssignUser>,
) -> HandlerResult {
    let id = Uuid::parse_str(&raw).map_err(|_| ApiError::NotFound)?;
    let AssignUser { role, organization_id: org } = body.command;
    let updated = assign_role_and_org(&state, &caller, id, role, org).await?;
    Ok(ok(&UserEnvelope { user: User::of(&updated.user, clock::now()) }))
}

/// An admin's change of a user's role and organization (the native assign route and the
/// Zendesk API's user update): the organization must exist; the last admin is never demoted;
/// audited as a user change.
pub async fn assign_role_and_org(
    state: &crate::AppState,
    caller: &crate::auth::Caller,
    id: Uuid,
    role: Option<Role>,
    org: Option<Option<Uuid>>,
) -> Result<UserRecord, ApiError> {
    if let Some(Some(o)) = org {
        if state.store.get_org(o).await?.is_none() {
            return Err(ApiError::invalid("organization_id", "The selected organization id is invalid."));
        }
    }
    let record = state.store.get_user(id).await?.ok_or(ApiError::NotFound)?;
    let demotes_admin = record.user.role == Role::Admin && role.is_some_and(|r| r != Role::Admin);
    let another_admin = if demotes_admin {
        Some(another_admin(state, id).await?.ok_or_else(|| {
            ApiError::invalid("role", "The last admin cannot be demoted. Make another user an admin first.")
        })?)
    } else {
        None
    };
    state
        .store
        .assign_user(&record, role, org, caller.id(), another_admin, &clock::format(clock::now()))
        .await?
        .ok_or_else(|| ApiError::Conflict("The user was changed by someone else. Try again.".into()))
}

/// Every user of a role (the role index, page by page), with their sort keys (name order).
async fn with_role(state: &crate::AppState, role: Role) -> Result<Vec<(String, UserRecord)>, ApiError> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (rows, more) = state
            .store
            .query_sorted::<UserRecord>(
                Index::Gsi1,
                &keys::role_partition(role.as_str()),
                None,
                after.as_deref(),
                100,
            )
            .await?;
        after = rows.last().map(|(s, _)| s.clone());
        all.extend(rows);
        if !more {
            return Ok(all);
        }
    }
}

/// An admin other than `except`, confirmed by a consistent read (the role index only proposes
/// candidates). The demotion's transaction checks that this one is still an admin.
async fn another_admin(state: &crate::AppState, except: Uuid) -> Result<Option<Uuid>, ApiError> {
    for (_, candidate) in with_role(state, Role::Admin).await? {
        if candidate.user.id == except {
            continue;
        }
        let current = state.store.get_user(candidate.user.id).await?;
        if current.is_some_and(|u| u.user.role == Role::Admin) {
            return Ok(Some(candidate.user.id));
        }
    }
    Ok(None)
}
