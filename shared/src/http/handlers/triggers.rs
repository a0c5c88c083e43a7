//! `/triggers` (API.md part 2, "Triggers, automations and webhooks"): admins only. A trigger is
//! conditions (the ticket dialect plus the update's: `update_type`, `changed`, ...) and actions
//! (the macro fields plus `notify_user`, `notify_group`, `notify_webhook`); `app::triggers`
//! runs them inside every ticket change.
use super::workspace::Common;
use crate::app::rules::ensure_defaults;
use crate::clock::Timestamp;
use crate::domain::actions::{ActionDialect, Actions};
use crate::domain::conditions::{Conditions, Dialect};
use crate::http::extract::{Admin, Command, FromJson, JsonObject};
use crate::http::views::{self as out, Data, TriggerEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::rules::{Rule, RuleKind};
use crate::validation::{Input, ValidationErrors};
use crate::ApiError;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The body of `POST /triggers` and `PATCH /triggers/{id}` (a create needs `title`,
/// `conditions` and `actions`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct TriggerFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub title: Option<String>,
    #[schema(max_length = 1000, nullable = false)]
    pub description: Option<String>,
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(nullable = false, maximum = 100000)]
    pub position: Option<u32>,
    /// `{"all": [...], "any": [...]}`: ticket conditions plus `update_type`, `changed`,
    /// `not_changed`, `changed_to`, `changed_from`, `comment_is_public`, `current_user_role`,
    /// `current_user_id`; at least one condition.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub conditions: Option<Value>,
    /// `[{"field", "value"}]`: the macro fields (no comment; `closed` allowed) plus
    /// `notify_user` `{"to", "subject", "body"}`, `notify_group` `{"group_id", "subject", "body"}`,
    /// `notify_webhook` `{"webhook_id", "body"?}`.
    #[schema(value_type = Option<Vec<Object>>, nullable = false)]
    pub actions: Option<Value>,
}

impl FromJson for TriggerFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let common = Common::parse(body, &mut input);
        if common.restriction.is_some() {
            input.error("restriction", "Triggers apply to every ticket; they have no restriction.");
        }
        let mut f = TriggerFields {
            title: common.title,
            active: common.active,
            position: common.position,
            ..Default::default()
        };
        match body.get("description") {
            None => {}
            Some(Value::String(d)) if d.chars().count() <= 1000 => f.description = Some(d.trim().to_owned()),
            Some(_) => {
                input.error("description", "The description must be a string of at most 1000 characters.")
            }
        }
        let mut errors = ValidationErrors::default();
        if let Some(c) = body.get("conditions") {
            match Conditions::parse_as(c, Dialect::Trigger) {
                Ok(parsed) if parsed.all.is_empty() && parsed.any.is_empty() => {
                    errors.add("conditions", "A trigger needs at least one condition.")
                }
                Ok(_) => f.conditions = Some(c.clone()),
                Err(e) => errors.absorb(e),
            }
        }
        if let Some(a) = body.get("actions") {
            match Actions::parse_as(a, ActionDialect::Rule) {
                Ok(_) => f.actions = Some(a.clone()),
                Err(e) => errors.absorb(e),
            }
        }
        input.merge(errors);
        input.into_result(f)
    }
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

async fn load(state: &crate::AppState, raw: &str) -> Result<Rule, ApiError> {
    state.store.get_rule(RuleKind::Trigger, parse_id(raw)?).await?.ok_or(ApiError::NotFound)
}

/// `GET /triggers`: every trigger, by position (a new desk's first read creates the defaults).
#[utoipa::path(
    get,
    path = "/triggers",
    operation_id = "get_triggers",
    tag = "triggers",
    summary = "Triggers, by position (admin)",
    responses((status = 200, description = "By position.", body = crate::http::views::Data<crate::http::views::Trigger>, example = json!({"data": [crate::http::openapi::examples::trigger()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, Admin(_): Admin) -> HandlerResult {
    ensure_defaults(&state, RuleKind::Trigger).await?;
    let data: Vec<out::Trigger> =
        state.store.all_rules(RuleKind::Trigger).await?.iter().map(out::Trigger::of).collect();
    Ok(ok(&Data { data }))
}

/// `POST /triggers`.
#[utoipa::path(
    post,
    path = "/triggers",
    operation_id = "post_triggers",
    tag = "triggers",
    summary = "Create a trigger (admin)",
    request_body(content = TriggerFields, example = json!({"title": "Urgent to billing", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}, {"field": "priority", "operator": "is", "value": "urgent"}]}, "actions": [{"field": "add_tags", "value": "escalated"}, {"field": "notify_group", "value": {"group_id": "0190f3a4-9999-7000-8000-000000000009", "subject": "Urgent: {{ticket.subject}}", "body": "{{ticket.url}}"}}]})),
    responses((status = 201, description = "Created.", body = crate::http::views::TriggerEnvelope, example = json!({"trigger": crate::http::openapi::examples::trigger()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Admin(_): Admin,
    body: Command<TriggerFields>,
) -> HandlerResult {
    let f = body.command;
    let mut errors = ValidationErrors::default();
    for (field, missing) in [
        ("title", f.title.is_none()),
        ("conditions", f.conditions.is_none()),
        ("actions", f.actions.is_none()),
    ] {
        if missing {
            errors.add(field, format!("The {field} field is required."));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The defaults come first on a new desk, so a new trigger never precedes their creation.
    ensure_defaults(&state, RuleKind::Trigger).await?;
    let now = Timestamp::now();
    let position = match f.position {
        Some(p) => p,
        None => state.store.all_rules(RuleKind::Trigger).await?.last().map_or(0, |r| r.position + 1),
    };
    let rule = Rule {
        id: Uuid::now_v7(),
        kind: RuleKind::Trigger,
        title: f.title.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        active: f.active.unwrap_or(true),
        position,
        conditions: f.conditions.unwrap_or_default().to_string(),
        actions: f.actions.unwrap_or_default().to_string(),
        created_at: now,
        updated_at: now,
    };
    state.store.put_rule(&rule).await?;
    Ok(created(&TriggerEnvelope { trigger: out::Trigger::of(&rule) }))
}

/// `GET /triggers/{id}`.
#[utoipa::path(
    get,
    path = "/triggers/{id}",
    operation_id = "get_triggers_id",
    tag = "triggers",
    summary = "A trigger (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The trigger.", body = crate::http::views::TriggerEnvelope, example = json!({"trigger": crate::http::openapi::examples::trigger()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    let rule = load(&state, &raw).await?;
    Ok(ok(&TriggerEnvelope { trigger: out::Trigger::of(&rule) }))
}

/// `PATCH /triggers/{id}`: `conditions` and `actions` are replaced whole.
#[utoipa::path(
    patch,
    path = "/triggers/{id}",
    operation_id = "patch_triggers_id",
    tag = "triggers",
    summary = "Update a trigger (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = TriggerFields, example = json!({"active": false})),
    responses((status = 200, description = "Updated.", body = crate::http::views::TriggerEnvelope, example = json!({"trigger": crate::http::openapi::examples::trigger()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Admin(_): Admin,
    Path(raw): Path<String>,
    body: Command<TriggerFields>,
) -> HandlerResult {
    let mut rule = load(&state, &raw).await?;
    let f = body.command;
    rule.title = f.title.unwrap_or(rule.title);
    rule.description = f.description.unwrap_or(rule.description);
    rule.active = f.active.unwrap_or(rule.active);
    rule.position = f.position.unwrap_or(rule.position);
    if let Some(c) = f.conditions {
        rule.conditions = c.to_string();
    }
    if let Some(a) = f.actions {
        rule.actions = a.to_string();
    }
    rule.updated_at = Timestamp::now();
    state.store.put_rule(&rule).await?;
    Ok(ok(&TriggerEnvelope { trigger: out::Trigger::of(&rule) }))
}

/// `DELETE /triggers/{id}`.
#[utoipa::path(
    delete,
    path = "/triggers/{id}",
    operation_id = "delete_triggers_id",
    tag = "triggers",
    summary = "Delete a trigger (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    let rule = load(&state, &raw).await?;
    state.store.delete_rule(rule.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /triggers/reorder`: `{"ids": [...]}` names every trigger once, in the new order.
#[utoipa::path(
    put,
    path = "/triggers/reorder",
    operation_id = "put_triggers_reorder",
    tag = "triggers",
    summary = "Reorder the triggers (admin)",
    request_body(content = Object, description = "`{\"ids\": [id, ...]}`: every trigger once", example = json!({"ids": ["0190f3a4-6666-7000-8000-000000000006"]})),
    responses((status = 200, description = "The triggers in their new order.", body = crate::http::views::Data<crate::http::views::Trigger>, example = json!({"data": [crate::http::openapi::examples::trigger()]})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn reorder(
    State(state): State<Shared>,
    Admin(_): Admin,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    let invalid = || ApiError::invalid("ids", "The ids must list every trigger exactly once.");
    let ids: Vec<Uuid> = match body.get("ids").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(invalid)?,
        None => return Err(invalid()),
    };
    let mut rules = state.store.all_rules(RuleKind::Trigger).await?;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    let mut known: Vec<Uuid> = rules.iter().map(|r| r.id).collect();
    known.sort();
    if unique.len() != ids.len() || unique != known {
        return Err(invalid());
    }
    if rules.len() > 100 {
        return Err(ApiError::invalid("ids", "At most 100 triggers can be reordered at once."));
    }
    let now = Timestamp::now();
    for r in &mut rules {
        r.position = ids.iter().position(|id| *id == r.id).unwrap_or(0) as u32;
        r.updated_at = now;
    }
    rules.sort_by_key(|r| r.position);
    state.store.put_rules(&rules).await?;
    let data: Vec<out::Trigger> = rules.iter().map(out::Trigger::of).collect();
    Ok(ok(&Data { data }))
}
