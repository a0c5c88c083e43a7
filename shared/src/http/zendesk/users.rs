//! `/api/v2/users`: me, list, show, create (end users; admins may make agents and admins) and
//! search (by email, or words of name and email through the search engine).
use super::shapes;
use super::{
    base_url, check_kinds, envelope, numeric_id, Kind, ListPage, Paging, ZdCaller, ZdError, ZdObject,
    ZdResult, ZdStaff,
};
use crate::auth::Caller;
use crate::domain::user::{Email, PersonName, Role, User};
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::keys::{self, Index};
use crate::store::numbers::Numbered;
use crate::store::users::{CreateUserError, UserRecord};
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::{json, Value};
use uuid::Uuid;

/// A user with their organization's number.
async fn shape(state: &AppState, u: &User, base: &str) -> Result<Value, ZdError> {
    let org = match u.organization_id {
        Some(o) => state.store.get_org(o).await?,
        None => None,
    };
    Ok(shapes::user_in(u, org.as_ref(), base))
}

/// `GET /api/v2/users/me`.
pub async fn me(State(state): State<Shared>, ZdCaller(caller): ZdCaller, headers: HeaderMap) -> ZdResult {
    let user = shape(&state, &caller.user, &base_url(&headers)).await?;
    Ok(super::ok(&json!({"user": user})))
}

/// `GET /api/v2/users/{id}`: staff see anyone; an end user only themself (others: 404).
pub async fn show(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let n = numeric_id(&raw)?;
    let id = state.store.id_by_number(Numbered::User, n).await?.ok_or_else(ZdError::not_found)?;
    if !caller.role().is_staff() && id != caller.id() {
        return Err(ZdError::not_found());
    }
    let record = state.store.get_user(id).await?.ok_or_else(ZdError::not_found)?;
    Ok(super::ok(&json!({"user": shape(&state, &record.user, &base_url(&headers)).await?})))
}

/// `GET /api/v2/users` (staff): by name; `role` = `end-user`, `agent` or `admin`.
pub async fn list(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let role = match params.one("role").as_deref() {
        None => None,
        Some("end-user") => Some(Role::Customer),
        Some("agent") => Some(Role::Agent),
        Some("admin") => Some(Role::Admin),
        Some(_) => return Err(ZdError::invalid("role", "The role must be end-user, agent or admin.")),
    };
    let (index, partition) = match role {
        Some(r) => (Index::Gsi1, keys::role_partition(r.as_str())),
        None => (Index::Gsi3, keys::USERS_PARTITION.to_owned()),
    };
    let scope = format!("zd-users|{role:?}");
    let store = &state.store;
    let partition = &partition;
    let (rows, after, more) = super::sorted_page(&state, &paging, &scope, |after, n| async move {
        store.query_sorted::<UserRecord>(index, partition, None, after.as_deref(), n).await
    })
    .await?;
    let base = base_url(&headers);
    let items = rows.iter().map(|u| shapes::user(&u.user, &base)).collect();
    let page = ListPage { key: "users", items, after, more, count: None };
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/users.json", &params)))
}

/// `GET /api/v2/users/search?query=` (staff): an email finds its user exactly; other words go
/// to the search engine (`type:user`), first 100 matches.
pub async fn search(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let query = params.one("query").or_else(|| params.one("email")).unwrap_or_default();
    let base = base_url(&headers);
    let mut users: Vec<User> = Vec::new();
    if let Ok(email) = Email::parse(query.trim()) {
        users.extend(state.store.user_by_email(&email.normalized()).await?.map(|r| r.user));
    } else if !query.trim().is_empty() {
        let found = super::search::find(&state, &caller, &format!("type:user {query}"), 100, None).await?;
        users = found.users;
    }
    let items: Vec<Value> = users.iter().map(|u| shapes::user(u, &base)).collect();
    let count = items.len();
    Ok(super::ok(&json!({"users": items, "next_page": null, "previous_page": null, "count": count})))
}

/// The user with `email`, else a new end user named `name` (or the email's local part), with no
/// password (they set one through the reset flow), as mail-in makes them.
pub async fn find_or_create_end_user(
    state: &AppState,
    email: &str,
    name: Option<&str>,
) -> Result<User, ZdError> {
    let email = Email::parse(email).map_err(|m| ZdError::invalid("email", m))?;
    if let Some(r) = state.store.user_by_email(&email.normalized()).await? {
        return Ok(r.user);
    }
    match create_user(state, &email, name, Role::Customer).await {
        Ok(u) => Ok(u),
        // Someone made them meanwhile.
        Err(CreateUserError::EmailTaken) => state
            .store
            .user_by_email(&email.normalized())
            .await?
            .map(|r| r.user)
            .ok_or_else(|| ZdError(ApiError::internal("email claimed without its user"))),
        Err(CreateUserError::Store(e)) => Err(e.into()),
    }
}

async fn create_user(
    state: &AppState,
    email: &Email,
    name: Option<&str>,
    role: Role,
) -> Result<User, CreateUserError> {
    let fallback = email.as_str().split('@').next().unwrap_or("User").to_owned();
    let name = name.filter(|n| PersonName::parse(n).is_ok()).map(str::to_owned).unwrap_or(fallback);
    let now = clock::Timestamp::now();
    let mut record = UserRecord {
        user: User {
            id: Uuid::now_v7(),
            number: None,
            name,
            email: email.as_str().to_owned(),
            role,
            avatar_url: None,
            organization_id: None,
            notify_email: true,
            email_verified: false,
            last_seen: None,
            created_at: now,
            updated_at: now,
        },
        email_lower: email.normalized(),
        password_hash: String::new(),
        session_epoch: 0,
    };
    state.store.create_user(&mut record, None).await?;
    Ok(record.user)
}

/// A `{"user": {...}}` body, parsed once: each field present and well formed, or a 422 naming
/// it (`None`: absent).
struct UserBody {
    name: Option<String>,
    email: Option<Email>,
    role: Option<Role>,
    /// `Some(None)`: no organization.
    org: Option<Option<Uuid>>,
}

impl UserBody {
    async fn parse(state: &AppState, body: &serde_json::Map<String, Value>) -> Result<Self, ZdError> {
        let zd = envelope(body, "user")?;
        check_kinds(&zd, &[("name", Kind::Str), ("email", Kind::Str), ("role", Kind::Str)])?;
        let present = |field: &str| zd.get(field).filter(|v| !v.is_null());
        let name = match present("name").and_then(Value::as_str) {
            None => None,
            Some(raw) => {
                Some(PersonName::parse(raw).map_err(|m| ZdError::invalid("name", m))?.as_str().to_owned())
            }
        };
        let email = match present("email").and_then(Value::as_str) {
            None => None,
            Some(raw) => Some(Email::parse(raw).map_err(|m| ZdError::invalid("email", m))?),
        };
        let role = match present("role").and_then(Value::as_str) {
            None => None,
            Some("end-user") => Some(Role::Customer),
            Some("agent") => Some(Role::Agent),
            Some("admin") => Some(Role::Admin),
            Some(_) => return Err(ZdError::invalid("role", "The role must be end-user, agent or admin.")),
        };
        let org = match zd.get("organization_id") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(v) => {
                let number = v.as_u64().ok_or_else(|| {
                    ZdError::invalid("organization_id", "The organization id must be an integer.")
                })?;
                let org = state.store.id_by_number(Numbered::Organization, number).await?;
                Some(Some(org.ok_or_else(|| {
                    ZdError::invalid("organization_id", "The selected organization id is invalid.")
                })?))
            }
        };
        Ok(UserBody { name, email, role, org })
    }

    /// A new user from this body: `name` and `email` required, an end user unless `role` says
    /// otherwise. Agents make end users; admins also agents and admins, and place users in
    /// organizations. `Ok(None)`: the email is in use.
    async fn create(&self, state: &AppState, caller: &Caller) -> Result<Option<User>, ZdError> {
        let name =
            self.name.as_deref().ok_or_else(|| ZdError::invalid("name", "The name field is required."))?;
        let email =
            self.email.as_ref().ok_or_else(|| ZdError::invalid("email", "The email field is required."))?;
        let role = self.role.unwrap_or(Role::Customer);
        if role != Role::Customer || self.org.is_some_and(|o| o.is_some()) {
            caller.require_admin()?;
        }
        let user = match create_user(state, email, Some(name), role).await {
            Ok(user) => user,
            Err(CreateUserError::EmailTaken) => return Ok(None),
            Err(CreateUserError::Store(e)) => return Err(e.into()),
        };
        match self.org {
            Some(Some(org)) => {
                let record = crate::http::handlers::users::assign_role_and_org(
                    state,
                    caller,
                    user.id,
                    None,
                    Some(Some(org)),
                )
                .await?;
                Ok(Some(record.user))
            }
            _ => Ok(Some(user)),
        }
    }

    /// Applies what this body changes in `user` (fields equal to what the user has are no
    /// change). A user may rename themself; admins change anyone's name, role (never the last
    /// admin's) and organization; anything else is a 403.
    async fn apply(&self, state: &AppState, caller: &Caller, user: &User) -> Result<(), ZdError> {
        let name = self.name.as_ref().filter(|n| **n != user.name);
        let role = self.role.filter(|r| *r != user.role);
        let org = self.org.filter(|o| *o != user.organization_id);
        if (role.is_some() || org.is_some() || (name.is_some() && user.id != caller.id()))
            && caller.role() != Role::Admin
        {
            return Err(ZdError(ApiError::Forbidden));
        }
        if role.is_some() || org.is_some() {
            crate::http::handlers::users::assign_role_and_org(state, caller, user.id, role, org).await?;
        }
        if let Some(name) = name {
            let changes =
                crate::store::users::ProfileChanges { name: Some(name.clone()), ..Default::default() };
            state.store.update_profile(user.id, &changes, &clock::format(clock::now())).await?;
        }
        Ok(())
    }
}

/// `POST /api/v2/users` (staff): `{"user": {name, email, role?, organization_id?}}`
/// ([`UserBody::create`]).
pub async fn create(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let parsed = UserBody::parse(&state, &body).await?;
    let Some(user) = parsed.create(&state, &caller).await? else {
        let email = parsed.email.as_ref().map(Email::as_str).unwrap_or_default();
        return Err(ZdError::invalid("email", format!("{email} is already being used by another user")));
    };
    Ok(super::created(&json!({"user": shape(&state, &user, &base_url(&headers)).await?})))
}

/// `POST /api/v2/users/create_or_update` (staff): the user with the body's `email` is updated
/// (200; [`UserBody::apply`]), or made (201; [`UserBody::create`]). `external_id` is not kept,
/// so `email` is required.
pub async fn create_or_update(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let parsed = UserBody::parse(&state, &body).await?;
    let email =
        parsed.email.as_ref().ok_or_else(|| ZdError::invalid("email", "The email field is required."))?;
    let base = base_url(&headers);
    if let Some(existing) = state.store.user_by_email(&email.normalized()).await? {
        return update_existing(&state, &caller, &parsed, existing.user.id, &base).await;
    }
    match parsed.create(&state, &caller).await? {
        Some(user) => Ok(super::created(&json!({"user": shape(&state, &user, &base).await?}))),
        // Made meanwhile (a concurrent request): update it instead.
        None => match state.store.user_by_email(&email.normalized()).await? {
            Some(existing) => update_existing(&state, &caller, &parsed, existing.user.id, &base).await,
            None => Err(ZdError(ApiError::internal("email claimed without its user"))),
        },
    }
}

async fn update_existing(
    state: &AppState,
    caller: &Caller,
    body: &UserBody,
    id: Uuid,
    base: &str,
) -> ZdResult {
    let record = state.store.get_user(id).await?.ok_or_else(ZdError::not_found)?;
    body.apply(state, caller, &record.user).await?;
    let record = state.store.get_user(id).await?.ok_or_else(ZdError::not_found)?;
    Ok(super::ok(&json!({"user": shape(state, &record.user, base).await?})))
}

/// `PUT /api/v2/users/{id}`: `{"user": {name, role, organization_id}}` ([`UserBody::apply`];
/// `email` is not changed here). An end user naming someone else: 404.
pub async fn update(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let n = numeric_id(&raw)?;
    let id = state.store.id_by_number(Numbered::User, n).await?.ok_or_else(ZdError::not_found)?;
    if !caller.role().is_staff() && id != caller.id() {
        return Err(ZdError::not_found());
    }
    let parsed = UserBody::parse(&state, &body).await?;
    update_existing(&state, &caller, &parsed, id, &base_url(&headers)).await
}

/// `GET /api/v2/users/show_many?ids=1,2` (staff; at most 100).
pub async fn show_many(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let numbers = super::ids_param(&params, 100)?;
    let mut ids = Vec::new();
    for n in &numbers {
        if let Some(id) = state.store.id_by_number(Numbered::User, *n).await? {
            ids.push(id);
        }
    }
    let users = state.store.users_by_id(ids.iter().copied()).await?;
    let base = base_url(&headers);
    let items: Vec<Value> =
        ids.iter().filter_map(|id| users.get(id)).map(|u| shapes::user(u, &base)).collect();
    let count = items.len();
    Ok(super::ok(&json!({"users": items, "next_page": null, "previous_page": null, "count": count})))
}
