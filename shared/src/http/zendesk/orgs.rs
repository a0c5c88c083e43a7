//! `/api/v2/organizations` (list, show, create, update) and `/api/v2/groups` (list): the native
//! rules (staff read, admins write) in Zendesk's shapes.
use super::shapes;
use super::{
    base_url, check_kinds, envelope, numeric_id, Kind, ListPage, Paging, ZdError, ZdObject, ZdResult, ZdStaff,
};
use crate::http::extract::{FromJson, Params};
use crate::http::handlers::orgs::{NewOrg, OrgFields};
use crate::http::Shared;
use crate::store::numbers::Numbered;
use crate::store::orgs::Organization;
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};
use uuid::Uuid;

async fn by_number(state: &AppState, raw: &str) -> Result<Organization, ZdError> {
    let n = numeric_id(raw)?;
    let id = state.store.id_by_number(Numbered::Organization, n).await?.ok_or_else(ZdError::not_found)?;
    state.store.get_org(id).await?.ok_or_else(ZdError::not_found)
}

/// Zendesk's organization body as the native one: `domain_names` (first) is `domain`,
/// `organization_fields` is `settings`.
fn native(zd: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(name) = zd.get("name") {
        out.insert("name".into(), name.clone());
    }
    if let Some(domains) = zd.get("domain_names") {
        out.insert(
            "domain".into(),
            domains.as_array().and_then(|d| d.first()).cloned().unwrap_or(Value::Null),
        );
    }
    if let Some(fields) = zd.get("organization_fields") {
        out.insert("settings".into(), fields.clone());
    }
    out
}

/// `GET /api/v2/organizations` (staff): by name.
pub async fn list(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let store = &state.store;
    let (rows, after, more) = super::sorted_page(&state, &paging, "zd-orgs", |after, n| async move {
        store.list_orgs(after.as_deref(), n).await
    })
    .await?;
    let base = base_url(&headers);
    let items = rows.iter().map(|o| shapes::organization(o, &base)).collect();
    let page = ListPage { key: "organizations", items, after, more, count: None };
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/organizations.json", &params)))
}

/// `GET /api/v2/organizations/{id}` (staff).
pub async fn show(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let org = by_number(&state, &raw).await?;
    Ok(super::ok(&json!({"organization": shapes::organization(&org, &base_url(&headers))})))
}

/// `POST /api/v2/organizations` (admins): `{"organization": {name, domain_names, organization_fields}}`.
pub async fn create(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    caller.require_admin()?;
    let zd = envelope(&body, "organization")?;
    check_kinds(&zd, &[("domain_names", Kind::Array), ("organization_fields", Kind::Object)])?;
    let NewOrg { name, domain, settings } = NewOrg::from_json(&native(&zd)).map_err(ApiError::Validation)?;
    let now = clock::Timestamp::now();
    let mut org = Organization {
        id: Uuid::now_v7(),
        number: None,
        name,
        domain,
        settings: settings.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    state.store.create_org(&mut org).await?;
    Ok(super::created(&json!({"organization": shapes::organization(&org, &base_url(&headers))})))
}

/// `PUT /api/v2/organizations/{id}` (admins).
pub async fn update(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    caller.require_admin()?;
    let mut org = by_number(&state, &raw).await?;
    let zd = envelope(&body, "organization")?;
    check_kinds(&zd, &[("domain_names", Kind::Array), ("organization_fields", Kind::Object)])?;
    let OrgFields { name, domain, settings } =
        OrgFields::from_json(&native(&zd)).map_err(ApiError::Validation)?;
    if let Some(n) = name {
        org.name = n;
    }
    if let Some(d) = domain {
        org.domain = d;
    }
    if let Some(s) = settings {
        org.settings = s;
    }
    org.updated_at = clock::Timestamp::now();
    state.store.put_org(&org).await?;
    Ok(super::ok(&json!({"organization": shapes::organization(&org, &base_url(&headers))})))
}

/// `GET /api/v2/groups` (staff): a page of groups, by name (one Query of GSI1 `GROUPS`).
pub async fn groups(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let store = &state.store;
    let (rows, after, more) = super::sorted_page(&state, &paging, "zd-groups", |after, n| async move {
        store.list_groups(after.as_deref(), n).await
    })
    .await?;
    let base = base_url(&headers);
    let count = super::count_if_last(&paging, more, rows.len());
    let items = rows.iter().map(|g| shapes::group(g, &base)).collect();
    let page = ListPage { key: "groups", items, after, more, count };
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/groups.json", &params)))
}

/// The Zendesk shape of memberships of `group`.
fn membership_items(
    group: &crate::store::groups::Group,
    members: &[crate::store::groups::Membership],
    users: &std::collections::HashMap<Uuid, crate::domain::user::User>,
    base: &str,
) -> Vec<Value> {
    members.iter().map(|m| membership_shape(m, group.number, users.get(&m.user_id), base)).collect()
}

/// One membership in Zendesk's shape (`id` is `null` for one made before memberships were
/// numbered, until the backfill numbers it).
fn membership_shape(
    m: &crate::store::groups::Membership,
    group_number: Option<u64>,
    user: Option<&crate::domain::user::User>,
    base: &str,
) -> Value {
    json!({
        "id": m.number,
        "url": m.number.map(|n| format!("{base}/api/v2/group_memberships/{n}.json")),
        "user_id": user.and_then(|u| u.number),
        "group_id": group_number,
        "default": m.is_default,
        "created_at": m.created_at,
        "updated_at": m.created_at,
    })
}

/// The membership a number names, with its group (404 when none does).
async fn membership_by_number(
    state: &AppState,
    raw: &str,
) -> Result<(crate::store::groups::Membership, crate::store::groups::Group), ZdError> {
    let n = numeric_id(raw)?;
    let m = state.store.membership_by_number(n).await?.ok_or_else(ZdError::not_found)?;
    let group = state.store.get_group(m.group_id).await?.ok_or_else(ZdError::not_found)?;
    Ok((m, group))
}

/// `GET /api/v2/group_memberships/{id}` (staff).
pub async fn membership_show(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let (m, group) = membership_by_number(&state, &raw).await?;
    let user = state.store.get_user(m.user_id).await?.map(|r| r.user);
    let shown = membership_shape(&m, group.number, user.as_ref(), &base_url(&headers));
    Ok(super::ok(&json!({"group_membership": shown})))
}

/// `POST /api/v2/group_memberships` (admins): `{"group_membership": {user_id, group_id,
/// default?}}`, the ids numbers; the native rules (agents and admins only, once per group).
pub async fn membership_create(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    caller.require_admin()?;
    let zd = envelope(&body, "group_membership")?;
    check_kinds(&zd, &[("default", Kind::Bool)])?;
    let required = |field: &str| {
        zd.get(field)
            .filter(|v| !v.is_null())
            .ok_or_else(|| ZdError::invalid(field, format!("The {field} field is required.")))
    };
    let group_id =
        super::tickets::record_id(&state, Numbered::Group, "group_id", required("group_id")?).await?;
    let user_id = super::tickets::record_id(&state, Numbered::User, "user_id", required("user_id")?).await?;
    let invalid_group = || ZdError::invalid("group_id", "The selected group_id is invalid.");
    let group =
        state.store.get_group(group_id.ok_or_else(invalid_group)?).await?.ok_or_else(invalid_group)?;
    let user_id = user_id.ok_or_else(|| ZdError::invalid("user_id", "The selected user_id is invalid."))?;
    let is_default = zd.get("default").and_then(Value::as_bool).unwrap_or(false);
    let (m, user) = crate::app::groups::add_member(&state, &group, user_id, is_default).await?;
    let shown = membership_shape(&m, group.number, Some(&user), &base_url(&headers));
    Ok(super::created(&json!({"group_membership": shown})))
}

/// `DELETE /api/v2/group_memberships/{id}` (admins): 204.
pub async fn membership_delete(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    caller.require_admin()?;
    let (m, _) = membership_by_number(&state, &raw).await?;
    state.store.remove_member(m.group_id, m.user_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v2/users/{id}/group_memberships` (staff): a page of the user's memberships, by
/// group (one Query of the user's memberships, one batch read of their groups).
pub async fn user_memberships(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let n = numeric_id(&raw)?;
    let id = state.store.id_by_number(Numbered::User, n).await?.ok_or_else(ZdError::not_found)?;
    let user = state.store.get_user(id).await?.ok_or_else(ZdError::not_found)?.user;
    let store = &state.store;
    let scope = format!("zd-user-memberships:{id}");
    let (members, after, more) = super::sorted_page(&state, &paging, &scope, |after, n| async move {
        store.user_memberships_page(id, after.as_deref(), n).await
    })
    .await?;
    let users = std::collections::HashMap::from([(user.id, user)]);
    let page = membership_page(&state, &paging, &members, &users, &headers, after, more).await?;
    Ok(super::ok(&page.render(
        &paging,
        &base_url(&headers),
        &format!("/api/v2/users/{n}/group_memberships.json"),
        &params,
    )))
}

/// `GET /api/v2/group_memberships` (staff): a page of the desk's memberships, by number (one
/// Query of GSI2 `MEMBERSHIPS`, one batch read of their groups, one of their users).
pub async fn all_memberships(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let store = &state.store;
    let (members, after, more) =
        super::sorted_page(&state, &paging, "zd-memberships", |after, n| async move {
            store.memberships_page(after.as_deref(), n).await
        })
        .await?;
    let users = state.store.users_by_id(members.iter().map(|m| m.user_id)).await?;
    let page = membership_page(&state, &paging, &members, &users, &headers, after, more).await?;
    Ok(super::ok(&page.render(&paging, &base_url(&headers), "/api/v2/group_memberships.json", &params)))
}

/// `GET /api/v2/groups/{id}/memberships` (staff): a page of the group's members, by user (one
/// Query of the group's partition, one batch read of the users).
pub async fn memberships(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let n = numeric_id(&raw)?;
    let id = state.store.id_by_number(Numbered::Group, n).await?.ok_or_else(ZdError::not_found)?;
    let group = state.store.get_group(id).await?.ok_or_else(ZdError::not_found)?;
    let store = &state.store;
    let scope = format!("zd-group-memberships:{id}");
    let (members, after, more) = super::sorted_page(&state, &paging, &scope, |after, n| async move {
        store.members_page(id, after.as_deref(), n).await
    })
    .await?;
    let users = state.store.users_by_id(members.iter().map(|m| m.user_id)).await?;
    let base = base_url(&headers);
    let items = membership_items(&group, &members, &users, &base);
    let count = super::count_if_last(&paging, more, members.len());
    let page = ListPage { key: "group_memberships", items, after, more, count };
    Ok(super::ok(&page.render(&paging, &base, &format!("/api/v2/groups/{n}/memberships.json"), &params)))
}

/// A page of memberships of any groups in Zendesk's shape: their groups' numbers from one
/// batch read (a membership whose group is gone meanwhile is left out).
async fn membership_page(
    state: &AppState,
    paging: &Paging,
    members: &[crate::store::groups::Membership],
    users: &std::collections::HashMap<Uuid, crate::domain::user::User>,
    headers: &HeaderMap,
    after: Option<String>,
    more: bool,
) -> Result<ListPage, ZdError> {
    let mut group_ids: Vec<Uuid> = members.iter().map(|m| m.group_id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    let groups: std::collections::HashMap<Uuid, Option<u64>> =
        state.store.groups_by_id(&group_ids).await?.into_iter().map(|g| (g.id, g.number)).collect();
    let base = base_url(headers);
    let items: Vec<Value> = members
        .iter()
        .filter_map(|m| {
            groups.get(&m.group_id).map(|number| membership_shape(m, *number, users.get(&m.user_id), &base))
        })
        .collect();
    let count = super::count_if_last(paging, more, members.len());
    Ok(ListPage { key: "group_memberships", items, after, more, count })
}

/// `GET /api/v2/organizations/autocomplete?name=` (staff): organizations whose name starts with
/// the text (at least 2 characters), by name, at most 100.
pub async fn autocomplete(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let name = params.one("name").unwrap_or_default();
    if name.trim().chars().count() < 2 {
        return Err(ZdError::invalid("name", "The name must be at least 2 characters."));
    }
    let (mut rows, _) = state.store.orgs_by_name_prefix(name.trim(), 100).await?;
    // The index orders `<name>#<id>`, which puts "Acme Europe" before "Acme"; by name here.
    rows.sort_by_key(|o| o.name.to_lowercase());
    let base = base_url(&headers);
    let items: Vec<Value> = rows.iter().map(|o| shapes::organization(o, &base)).collect();
    let count = items.len();
    Ok(super::ok(&json!({"organizations": items, "next_page": null, "previous_page": null, "count": count})))
}

/// `GET /api/v2/organizations/search?name=` (staff): the organization with exactly this name
/// (any letter case); `external_id` is not kept, so searching by it finds nothing.
pub async fn search(
    State(state): State<Shared>,
    ZdStaff(_): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let base = base_url(&headers);
    let mut items: Vec<Value> = Vec::new();
    if let Some(name) = params.one("name") {
        // `<name>#`: exactly this name (the sort key is the lower-cased name, `#`, the id).
        let (rows, _) = state.store.orgs_by_name_prefix(&format!("{}#", name.trim()), 100).await?;
        items = rows
            .iter()
            .filter(|o| o.name.eq_ignore_ascii_case(name.trim()))
            .map(|o| shapes::organization(o, &base))
            .collect();
    } else if params.one("external_id").is_none() {
        return Err(ZdError::bad_request("name or external_id is required"));
    }
    let count = items.len();
    Ok(super::ok(&json!({"organizations": items, "next_page": null, "previous_page": null, "count": count})))
}
