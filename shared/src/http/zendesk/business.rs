//! `/api/v2` views, macros, triggers and automations: the native objects (their conditions and
//! actions are written in Zendesk's language already) with the numeric id as `id` and an
//! absolute `url`. Condition and action values that name records (an assignee, a group) are
//! their numeric ids, read and written by [`record_ids`]. Roles and restrictions as natively:
//! staff use the views and macros they may use; admins write triggers and automations.
use super::record_ids;
use super::shapes::{self, Refs};
use super::tickets::visible;
use super::{base_url, envelope, numeric_id, ListPage, Paging, ZdError, ZdObject, ZdResult, ZdStaff};
use crate::app::restriction;
use crate::app::ticket_change::plan;
use crate::app::views::{self as run, Position, Query};
use crate::app::Actor;
use crate::domain::conditions::Conditions;
use crate::http::extract::Params;
use crate::http::handlers::rules::{self, RuleFields};
use crate::http::views as out;
use crate::http::Shared;
use crate::store::numbers::Numbered;
use crate::store::rules::RuleKind;
use crate::store::views::View;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

/// The native object's JSON with Zendesk's `id` and `url`.
fn shaped(native: &impl Serialize, number: Option<u64>, base: &str, kind: &str) -> Value {
    let mut v = serde_json::to_value(native).unwrap_or(Value::Null);
    v["id"] = json!(number);
    v["url"] = json!(format!("{base}/api/v2/{kind}/{}.json", number.unwrap_or_default()));
    v
}

async fn id_of(state: &AppState, kind: Numbered, raw: &str) -> Result<uuid::Uuid, ZdError> {
    let n = numeric_id(raw)?;
    state.store.id_by_number(kind, n).await?.ok_or_else(ZdError::not_found)
}

async fn usable_view(state: &AppState, caller: &crate::auth::Caller, raw: &str) -> Result<View, ZdError> {
    let id = id_of(state, Numbered::View, raw).await?;
    let v = state.store.get_view(id).await?.ok_or_else(ZdError::not_found)?;
    if restriction::reachable(caller, v.restriction, &restriction::groups_of(state, caller).await?) {
        Ok(v)
    } else {
        Err(ZdError::not_found())
    }
}

fn conditions(v: &View) -> Result<Conditions, ZdError> {
    Conditions::parse(&v.conditions_json()).map_err(|e| ZdError(ApiError::Validation(e)))
}

/// `GET /api/v2/views`: the active views the caller may use, by position.
pub async fn views(State(state): State<Shared>, ZdStaff(caller): ZdStaff, headers: HeaderMap) -> ZdResult {
    run::ensure_defaults(&state).await?;
    let groups = restriction::groups_of(&state, &caller).await?;
    let base = base_url(&headers);
    let mut items: Vec<Value> = state
        .store
        .all_views()
        .await?
        .iter()
        .filter(|v| v.active && restriction::usable(&caller, v.restriction, &groups))
        .map(|v| shaped(&out::View::of(v), v.number, &base, "views"))
        .collect();
    record_ids::numbers_in(&state, &mut items).await?;
    let count = items.len();
    Ok(super::ok(&json!({"views": items, "next_page": null, "previous_page": null, "count": count})))
}

/// `GET /api/v2/views/{id}`.
pub async fn view(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let v = usable_view(&state, &caller, &raw).await?;
    let mut one = [shaped(&out::View::of(&v), v.number, &base_url(&headers), "views")];
    record_ids::numbers_in(&state, &mut one).await?;
    let [view] = one;
    Ok(super::ok(&json!({"view": view})))
}

/// `GET /api/v2/views/{id}/tickets` (and `execute`): the view's tickets in its order, by
/// cursor (`page[size]`, `page[after]`).
pub async fn view_tickets(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    params: Params,
) -> ZdResult {
    let v = usable_view(&state, &caller, &raw).await?;
    let parsed = conditions(&v)?;
    let paging = Paging::from(&params)?;
    let scope = format!("zd-view:{}:{}", v.id, caller.id());
    let (size, from) = match &paging {
        Paging::Cursor { size, .. } => {
            let from = match paging.cursor_position(&state, &scope)? {
                Some(raw) => Some(
                    serde_json::from_str::<Position>(&raw)
                        .map_err(|_| ZdError::bad_request("page[after] is invalid"))?,
                ),
                None => None,
            };
            (*size, from)
        }
        Paging::Offset { per_page, .. } => (*per_page, None),
    };
    let q = Query { conditions: &parsed, execution: &v.execution, caller: caller.id() };
    let mut from = from;
    if let Paging::Offset { page, per_page } = &paging {
        // Skips the earlier pages 100 tickets a read (at most 10,000 records).
        let mut skip = (page - 1) * per_page;
        while skip > 0 {
            let seen = run::page(&state, &q, from.clone(), skip.min(100)).await?;
            skip -= seen.tickets.len().min(skip);
            match seen.next {
                Some(next) => from = Some(next),
                None => {
                    // The view ends before this page.
                    let path = format!("/api/v2/views/{}/tickets.json", v.number.unwrap_or_default());
                    let empty =
                        ListPage { key: "tickets", items: Vec::new(), after: None, more: false, count: None };
                    return Ok(super::ok(&empty.render(&paging, &base_url(&headers), &path, &params)));
                }
            }
        }
    }
    let page = run::page(&state, &q, from, size).await?;
    let after =
        page.next.map(|p| state.cursors.encode(&scope, &serde_json::to_string(&p).unwrap_or_default()));
    let more = after.is_some();
    let refs = Refs::of(&state, &page.tickets, []).await?;
    let base = base_url(&headers);
    let items = page.tickets.iter().map(|t| shapes::ticket(t, &refs, &base, true)).collect();
    let path = format!("/api/v2/views/{}/tickets.json", v.number.unwrap_or_default());
    let listed = ListPage { key: "tickets", items, after, more, count: None };
    Ok(super::ok(&listed.render(&paging, &base, &path, &params)))
}

async fn count_of(
    state: &AppState,
    caller: &crate::auth::Caller,
    v: &View,
    base: &str,
) -> Result<Value, ZdError> {
    let counted = run::count(state, v, &conditions(v)?, caller.id()).await?;
    Ok(json!({
        "view_id": v.number,
        "url": format!("{base}/api/v2/views/{}/count.json", v.number.unwrap_or_default()),
        "value": counted.value,
        "pretty": counted.value.map(|n| n.to_string()).unwrap_or_else(|| "...".into()),
        "fresh": counted.fresh,
    }))
}

/// `GET /api/v2/views/{id}/count`.
pub async fn view_count(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let v = usable_view(&state, &caller, &raw).await?;
    Ok(super::ok(&json!({"view_count": count_of(&state, &caller, &v, &base_url(&headers)).await?})))
}

/// `GET /api/v2/views/count_many?ids=1,2` (at most 20; unknown or unusable ones left out).
pub async fn view_count_many(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let ids = params.list("ids");
    if ids.is_empty() || ids.len() > 20 || !ids.iter().all(|id| numeric_id(id).is_ok()) {
        return Err(ZdError::bad_request("ids must list 1 to 20 view ids"));
    }
    let base = base_url(&headers);
    let mut counts = Vec::new();
    for raw in ids {
        match usable_view(&state, &caller, &raw).await {
            Ok(v) => counts.push(count_of(&state, &caller, &v, &base).await?),
            Err(ZdError(ApiError::NotFound)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(super::ok(&json!({"view_counts": counts})))
}

/// `GET /api/v2/macros`: the active macros the caller may use.
pub async fn macros(State(state): State<Shared>, ZdStaff(caller): ZdStaff, headers: HeaderMap) -> ZdResult {
    let groups = restriction::groups_of(&state, &caller).await?;
    let base = base_url(&headers);
    let mut items: Vec<Value> = state
        .store
        .all_macros()
        .await?
        .iter()
        .filter(|m| m.active && restriction::usable(&caller, m.restriction, &groups))
        .map(|m| shaped(&out::Macro::of(m), m.number, &base, "macros"))
        .collect();
    record_ids::numbers_in(&state, &mut items).await?;
    let count = items.len();
    Ok(super::ok(&json!({"macros": items, "next_page": null, "previous_page": null, "count": count})))
}

/// `GET /api/v2/macros/{id}`.
pub async fn macro_show(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let id = id_of(&state, Numbered::Macro, &raw).await?;
    let m = state.store.get_macro(id).await?.ok_or_else(ZdError::not_found)?;
    let groups = restriction::groups_of(&state, &caller).await?;
    if !restriction::reachable(&caller, m.restriction, &groups) {
        return Err(ZdError::not_found());
    }
    let mut one = [shaped(&out::Macro::of(&m), m.number, &base_url(&headers), "macros")];
    record_ids::numbers_in(&state, &mut one).await?;
    let [shown] = one;
    Ok(super::ok(&json!({"macro": shown})))
}

/// `GET /api/v2/tickets/{id}/macros/{macro_id}/apply`: what the macro would do to the ticket
/// (Zendesk's apply writes nothing; the client then updates the ticket).
pub async fn macro_apply(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path((ticket_raw, macro_raw)): Path<(String, String)>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &ticket_raw).await?;
    let macro_id = id_of(&state, Numbered::Macro, &macro_raw).await?;
    let (ticket, _, mut set) = crate::http::handlers::macros::prepare(
        &state,
        &caller,
        &ticket.id.to_string(),
        &macro_id.to_string(),
    )
    .await?;
    crate::app::with_default_group(&state, ticket.group_id, &mut set.fields).await?;
    let applied = plan(&Actor::from(&caller), &ticket, &set)?;
    crate::app::check_assignee_in_group(&state, Some(&ticket), &applied.ticket).await?;
    let refs = Refs::of(&state, std::slice::from_ref(&applied.ticket), []).await?;
    let comment = applied.comment.as_ref().map(|c| json!({"body": c.content, "public": !c.is_internal}));
    Ok(super::ok(
        &json!({"result": {"ticket": shapes::ticket(&applied.ticket, &refs, &base_url(&headers), true), "comment": comment}}),
    ))
}

fn rule_path(kind: RuleKind) -> (&'static str, &'static str) {
    match kind {
        RuleKind::Trigger => ("trigger", "triggers"),
        RuleKind::Automation => ("automation", "automations"),
    }
}

async fn rule_list(state: &AppState, kind: RuleKind, base: &str) -> ZdResult {
    crate::app::rules::ensure_defaults(state, kind).await?;
    let (_, plural) = rule_path(kind);
    let mut items: Vec<Value> = state
        .store
        .all_rules(kind)
        .await?
        .iter()
        .map(|r| shaped(&out::Rule::of(r), r.number, base, plural))
        .collect();
    record_ids::numbers_in(state, &mut items).await?;
    let count = items.len();
    let mut body = serde_json::Map::new();
    body.insert(plural.into(), Value::Array(items));
    body.insert("next_page".into(), Value::Null);
    body.insert("previous_page".into(), Value::Null);
    body.insert("count".into(), json!(count));
    Ok(super::ok(&Value::Object(body)))
}

async fn rule_show(state: &AppState, kind: RuleKind, raw: &str, base: &str) -> ZdResult {
    let id = id_of(state, Numbered::Rule, raw).await?;
    let r = state.store.get_rule(kind, id).await?.ok_or_else(ZdError::not_found)?;
    let (one, plural) = rule_path(kind);
    Ok(super::ok(&json!({one: rule_shaped(state, &r, base, plural).await?})))
}

async fn rule_write(
    state: &AppState,
    kind: RuleKind,
    raw: Option<&str>,
    body: &serde_json::Map<String, Value>,
    base: &str,
) -> ZdResult {
    let (one, plural) = rule_path(kind);
    let mut inner = Value::Object(envelope(body, one)?);
    record_ids::uuids_in(state, &mut inner).await?;
    let inner = inner.as_object().cloned().unwrap_or_default();
    let fields = RuleFields::parse(&inner, kind).map_err(|e| ZdError(ApiError::Validation(e)))?;
    let (rule, fresh) = match raw {
        None => (rules::create(state, kind, fields).await?, true),
        Some(raw) => {
            let id = id_of(state, Numbered::Rule, raw).await?;
            (rules::update(state, kind, &id.to_string(), fields).await?, false)
        }
    };
    let shaped = json!({one: rule_shaped(state, &rule, base, plural).await?});
    Ok(if fresh { super::created(&shaped) } else { super::ok(&shaped) })
}

/// A rule in Zendesk's shape, the records its conditions and actions name by number.
async fn rule_shaped(
    state: &AppState,
    rule: &crate::store::rules::Rule,
    base: &str,
    plural: &str,
) -> Result<Value, ZdError> {
    let mut one = [shaped(&out::Rule::of(rule), rule.number, base, plural)];
    record_ids::numbers_in(state, &mut one).await?;
    let [shown] = one;
    Ok(shown)
}

/// The admin check of trigger and automation routes, in Zendesk's 403 shape.
fn admin(caller: &crate::auth::Caller) -> Result<(), ZdError> {
    caller.require_admin().map_err(ZdError)
}

/// `GET /api/v2/triggers` (admins).
pub async fn triggers(State(state): State<Shared>, ZdStaff(caller): ZdStaff, headers: HeaderMap) -> ZdResult {
    admin(&caller)?;
    rule_list(&state, RuleKind::Trigger, &base_url(&headers)).await
}

/// `GET /api/v2/triggers/{id}` (admins).
pub async fn trigger(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    admin(&caller)?;
    rule_show(&state, RuleKind::Trigger, &raw, &base_url(&headers)).await
}

/// `POST /api/v2/triggers` (admins): `{"trigger": {title, conditions, actions, ...}}`.
pub async fn trigger_create(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    admin(&caller)?;
    rule_write(&state, RuleKind::Trigger, None, &body, &base_url(&headers)).await
}

/// `PUT /api/v2/triggers/{id}` (admins).
pub async fn trigger_update(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    admin(&caller)?;
    rule_write(&state, RuleKind::Trigger, Some(&raw), &body, &base_url(&headers)).await
}

/// `GET /api/v2/automations` (admins).
pub async fn automations(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
) -> ZdResult {
    admin(&caller)?;
    rule_list(&state, RuleKind::Automation, &base_url(&headers)).await
}

/// `GET /api/v2/automations/{id}` (admins).
pub async fn automation(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    admin(&caller)?;
    rule_show(&state, RuleKind::Automation, &raw, &base_url(&headers)).await
}

/// `POST /api/v2/automations` (admins).
pub async fn automation_create(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    admin(&caller)?;
    rule_write(&state, RuleKind::Automation, None, &body, &base_url(&headers)).await
}

/// `PUT /api/v2/automations/{id}` (admins).
pub async fn automation_update(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    admin(&caller)?;
    rule_write(&state, RuleKind::Automation, Some(&raw), &body, &base_url(&headers)).await
}

/// `DELETE /api/v2/views/{id}`: its owner or an admin (as natively), 204.
pub async fn view_delete(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    let v = usable_view(&state, &caller, &raw).await?;
    if !restriction::writable(&caller, v.restriction) {
        return Err(ZdError(ApiError::Forbidden));
    }
    state.store.delete_view(v.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v2/macros/{id}`: its owner or an admin (as natively), 204.
pub async fn macro_delete(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    let id = id_of(&state, Numbered::Macro, &raw).await?;
    let m = state.store.get_macro(id).await?.ok_or_else(ZdError::not_found)?;
    if !restriction::reachable(&caller, m.restriction, &restriction::groups_of(&state, &caller).await?) {
        return Err(ZdError::not_found());
    }
    if !restriction::writable(&caller, m.restriction) {
        return Err(ZdError(ApiError::Forbidden));
    }
    state.store.delete_macro(m.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v2/triggers/{id}` (admins), 204.
pub async fn trigger_delete(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    admin(&caller)?;
    rule_delete(&state, RuleKind::Trigger, &raw).await
}

/// `DELETE /api/v2/automations/{id}` (admins), 204.
pub async fn automation_delete(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    admin(&caller)?;
    rule_delete(&state, RuleKind::Automation, &raw).await
}

/// A trigger or automation by number, deleted (a number of the other kind is a 404).
async fn rule_delete(state: &AppState, kind: RuleKind, raw: &str) -> ZdResult {
    let id = id_of(state, Numbered::Rule, raw).await?;
    rules::delete(state, kind, &id.to_string()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
