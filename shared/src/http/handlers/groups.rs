//! `/groups`: groups of agents and their memberships (API.md part 2, "Groups"). Staff read;
//! admins write.
use crate::clock::Timestamp;
use crate::cursor::per_page;
use crate::http::extract::{Admin, Command, FromJson, Params, Staff};
use crate::http::views::{
    Group as GroupView, GroupEnvelope, Membership as MembershipView, MembershipEnvelope, Page,
};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::groups::Group;
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

const MAX_NAME_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// The body of `POST /groups` and `PATCH /groups/{id}`: absent fields are left alone (a
/// create needs `name`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct GroupFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub name: Option<String>,
    #[schema(max_length = 1000, nullable = false)]
    pub description: Option<String>,
    /// Makes this the desk's default group (the previous default stops being one).
    #[schema(nullable = false)]
    pub is_default: Option<bool>,
}

impl FromJson for GroupFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let mut fields = GroupFields::default();
        if input.has("name") {
            if let Some(n) = input.required_string("name") {
                // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
                let too_long = n.chars().count() > MAX_NAME_CHARS;
                let n = n.trim().to_owned();
                if too_long {
                    input.error("name", "The name field must not be greater than 255 characters.");
                } else if n.chars().any(char::is_control) || crate::domain::has_deceptive_chars(&n) {
                    input.error(
                        "name",
                        "The name field must not contain control, invisible or text-direction characters.",
                    );
                } else if n.is_empty() {
                    input.error("name", "The name field is required.");
                } else {
                    fields.name = Some(n);
                }
            }
        }
        if input.has("description") {
            match body.get("description") {
                Some(Value::String(d)) if d.chars().count() <= MAX_DESCRIPTION_CHARS => {
                    fields.description = Some(d.trim().to_owned())
                }
                Some(Value::String(_)) => input
                    .error("description", "The description field must not be greater than 1000 characters."),
                _ => input.error("description", "The description field must be a string."),
            }
        }
        if input.has("is_default") {
            match body.get("is_default") {
                Some(Value::Bool(b)) => fields.is_default = Some(*b),
                _ => input.error("is_default", "The is default field must be true or false."),
            }
        }
        input.into_result(fields)
    }
}

fn group_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// `GET /groups`: by name, paginated.
#[utoipa::path(
    get,
    path = "/groups",
    operation_id = "get_groups",
    tag = "groups",
    summary = "Groups (staff)",
    params(("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")),
    responses((status = 200, description = "A page of groups by name.", body = crate::http::views::Page<crate::http::views::Group>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::group(), "/groups"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode("groups", &c)?),
        None => None,
    };
    let (rows, more) = state.store.list_groups(after.as_deref(), per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode("groups", s))).flatten();
    let data: Vec<GroupView> = rows.iter().map(|(_, g)| GroupView::of(g)).collect();
    Ok(ok(&Page::new(data, "/groups", per_page, next, &query.without_cursor())))
}

/// `POST /groups` (admin).
#[utoipa::path(
    post,
    path = "/groups",
    operation_id = "post_groups",
    tag = "groups",
    summary = "Create a group (admin)",
    request_body(content = GroupFields, example = json!({"name": "Billing", "description": "Invoices and refunds"})),
    responses((status = 201, description = "Created.", body = crate::http::views::GroupEnvelope, example = json!({"group": crate::http::openapi::examples::group()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(State(state): State<Shared>, _: Admin, body: Command<GroupFields>) -> HandlerResult {
    let GroupFields { name, description, is_default } = body.command;
    let name = name.ok_or_else(|| ApiError::invalid("name", "The name field is required."))?;
    let now = Timestamp::now();
    let mut group = Group {
        id: Uuid::now_v7(),
        number: None,
        name,
        description: description.unwrap_or_default(),
        is_default: is_default.unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    state.store.create_group(&mut group).await?;
    Ok(created(&GroupEnvelope { group: GroupView::of(&group) }))
}

/// `GET /groups/{id}` (staff).
#[utoipa::path(
    get,
    path = "/groups/{id}",
    operation_id = "get_groups_id",
    tag = "groups",
    summary = "A group (staff)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The group.", body = crate::http::views::GroupEnvelope, example = json!({"group": crate::http::openapi::examples::group()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, _: Staff, Path(raw): Path<String>) -> HandlerResult {
    let group = state.store.get_group(group_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    Ok(ok(&GroupEnvelope { group: GroupView::of(&group) }))
}

/// `PATCH /groups/{id}` (admin).
#[utoipa::path(
    patch,
    path = "/groups/{id}",
    operation_id = "patch_groups_id",
    tag = "groups",
    summary = "Update a group (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = GroupFields, example = json!({"is_default": true})),
    responses((status = 200, description = "Updated.", body = crate::http::views::GroupEnvelope, example = json!({"group": crate::http::openapi::examples::group()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    _: Admin,
    Path(raw): Path<String>,
    body: Command<GroupFields>,
) -> HandlerResult {
    let mut group = state.store.get_group(group_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let GroupFields { name, description, is_default } = body.command;
    group.name = name.unwrap_or(group.name);
    group.description = description.unwrap_or(group.description);
    group.is_default = is_default.unwrap_or(group.is_default);
    group.updated_at = Timestamp::now();
    state.store.put_group(&group).await?;
    Ok(ok(&GroupEnvelope { group: GroupView::of(&group) }))
}

/// `DELETE /groups/{id}` (admin): the group and its memberships.
#[utoipa::path(
    delete,
    path = "/groups/{id}",
    operation_id = "delete_groups_id",
    tag = "groups",
    summary = "Delete a group (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted with its memberships."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn delete(State(state): State<Shared>, _: Admin, Path(raw): Path<String>) -> HandlerResult {
    let group = state.store.get_group(group_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    if state.store.group_has_tickets(group.id).await? {
        return Err(ApiError::invalid("id", "The group has tickets: move them to another group first."));
    }
    state.store.delete_group(group.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /groups/{id}/memberships` (staff): a page of the members, by user id, each with the
/// user (one Query of the group's partition, one batch read of the users).
#[utoipa::path(
    get,
    path = "/groups/{id}/memberships",
    operation_id = "get_groups_id_memberships",
    tag = "groups",
    summary = "A group's members (staff)",
    params(("id" = String, Path, description = "A UUID"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the group")),
    responses((status = 200, description = "A page of memberships.", body = crate::http::views::Page<crate::http::views::Membership>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::membership(), "/groups/0192f3c4-1111-7000-8000-000000000001/memberships"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn memberships(
    State(state): State<Shared>,
    _: Staff,
    Path(raw): Path<String>,
    query: Params,
) -> HandlerResult {
    let group = state.store.get_group(group_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let per_page = per_page(query.present("per_page").as_deref())?;
    let scope = format!("group-members:{}", group.id);
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    let (rows, more) = state.store.members_page(group.id, after.as_deref(), per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode(&scope, s))).flatten();
    let users = state.store.users_by_id(rows.iter().map(|(_, m)| m.user_id)).await?;
    let now = clock::now();
    let data: Vec<MembershipView> =
        rows.iter().map(|(_, m)| MembershipView::of(m, users.get(&m.user_id), now)).collect();
    let path = format!("/groups/{}/memberships", group.id);
    Ok(ok(&Page::new(data, &path, per_page, next, &query.without_cursor())))
}

/// The body of `POST /groups/{id}/memberships`.
#[derive(Debug, utoipa::ToSchema)]
pub struct NewMembership {
    /// An agent or an admin.
    pub user_id: Uuid,
    /// Makes this the user's default group (their other memberships stop being default).
    #[schema(nullable = false, required = false)]
    pub is_default: bool,
}

impl FromJson for NewMembership {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let user_id = input.required_string("user_id");
        let user_id = user_id.and_then(|raw| match Uuid::parse_str(raw.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                input.error("user_id", "The user id field must be a valid UUID.");
                None
            }
        });
        let is_default = match body.get("is_default") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                input.error("is_default", "The is default field must be true or false.");
                false
            }
        };
        match user_id {
            Some(user_id) if input.is_clean() => Ok(NewMembership { user_id, is_default }),
            _ => Err(input.into_errors()),
        }
    }
}

/// `POST /groups/{id}/memberships` (admin): agents and admins only.
#[utoipa::path(
    post,
    path = "/groups/{id}/memberships",
    operation_id = "post_groups_id_memberships",
    tag = "groups",
    summary = "Add a member (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = NewMembership, example = json!({"user_id": crate::http::openapi::examples::AGENT, "is_default": true})),
    responses((status = 201, description = "Added.", body = crate::http::views::MembershipEnvelope, example = json!({"membership": crate::http::openapi::examples::membership()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn add_member(
    State(state): State<Shared>,
    _: Admin,
    Path(raw): Path<String>,
    body: Command<NewMembership>,
) -> HandlerResult {
    let group = state.store.get_group(group_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let NewMembership { user_id, is_default } = body.command;
    let (membership, user) = crate::app::groups::add_member(&state, &group, user_id, is_default).await?;
    Ok(created(&MembershipEnvelope {
        membership: MembershipView::of(&membership, Some(&user), clock::now()),
    }))
}

/// `DELETE /groups/{id}/memberships/{user_id}` (admin).
#[utoipa::path(
    delete,
    path = "/groups/{id}/memberships/{user_id}",
    operation_id = "delete_groups_id_memberships_user_id",
    tag = "groups",
    summary = "Remove a member (admin)",
    params(("id" = String, Path, description = "A UUID"), ("user_id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Removed."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn remove_member(
    State(state): State<Shared>,
    _: Admin,
    Path((raw, user)): Path<(String, String)>,
) -> HandlerResult {
    let group = group_id(&raw)?;
    let user = Uuid::parse_str(&user).map_err(|_| ApiError::NotFound)?;
    state.store.membership(group, user).await?.ok_or(ApiError::NotFound)?;
    state.store.remove_member(group, user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
