//! `/triggers` (API.md part 2, "Triggers, automations and webhooks"): admins only; the
//! shared parsing and CRUD are in `rules.rs`, the engine in `app::triggers`.
use super::rules::{self, RuleFields};
use crate::http::extract::{Admin, Command, FromJson, JsonObject};
use crate::http::views::{Data, TriggerEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::rules::RuleKind;
use crate::validation::ValidationErrors;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};

/// A trigger body ([`RuleFields`] in the trigger dialect).
#[derive(Debug)]
pub struct TriggerBody(pub RuleFields);

impl FromJson for TriggerBody {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        RuleFields::parse(body, RuleKind::Trigger).map(TriggerBody)
    }
}

/// `GET /triggers`: every trigger, by position.
#[utoipa::path(
    get,
    path = "/triggers",
    operation_id = "get_triggers",
    tag = "triggers",
    summary = "Triggers, by position (admin)",
    responses((status = 200, description = "By position.", body = crate::http::views::Data<crate::http::views::Rule>, example = json!({"data": [crate::http::openapi::examples::trigger()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, Admin(_): Admin) -> HandlerResult {
    Ok(ok(&Data { data: rules::list(&state, RuleKind::Trigger).await? }))
}

/// `POST /triggers`.
#[utoipa::path(
    post,
    path = "/triggers",
    operation_id = "post_triggers",
    tag = "triggers",
    summary = "Create a trigger (admin)",
    request_body(content = RuleFields, example = json!({"title": "Urgent to billing", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}, {"field": "priority", "operator": "is", "value": "urgent"}]}, "actions": [{"field": "add_tags", "value": "escalated"}, {"field": "notify_group", "value": {"group_id": "0190f3a4-9999-7000-8000-000000000009", "subject": "Urgent: {{ticket.subject}}", "body": "{{ticket.url}}"}}]})),
    responses((status = 201, description = "Created.", body = crate::http::views::TriggerEnvelope, example = json!({"trigger": crate::http::openapi::examples::trigger()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Admin(_): Admin,
    body: Command<TriggerBody>,
) -> HandlerResult {
    let rule = rules::create(&state, RuleKind::Trigger, body.command.0).await?;
    Ok(created(&TriggerEnvelope { trigger: crate::http::views::Rule::of(&rule) }))
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
    let rule = rules::load(&state, RuleKind::Trigger, &raw).await?;
    Ok(ok(&TriggerEnvelope { trigger: crate::http::views::Rule::of(&rule) }))
}

/// `PATCH /triggers/{id}`: `conditions` and `actions` are replaced whole.
#[utoipa::path(
    patch,
    path = "/triggers/{id}",
    operation_id = "patch_triggers_id",
    tag = "triggers",
    summary = "Update a trigger (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = RuleFields, example = json!({"active": false})),
    responses((status = 200, description = "Updated.", body = crate::http::views::TriggerEnvelope, example = json!({"trigger": crate::http::openapi::examples::trigger()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Admin(_): Admin,
    Path(raw): Path<String>,
    body: Command<TriggerBody>,
) -> HandlerResult {
    let rule = rules::update(&state, RuleKind::Trigger, &raw, body.command.0).await?;
    Ok(ok(&TriggerEnvelope { trigger: crate::http::views::Rule::of(&rule) }))
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
    rules::delete(&state, RuleKind::Trigger, &raw).await?;
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
    responses((status = 200, description = "The triggers in their new order.", body = crate::http::views::Data<crate::http::views::Rule>, example = json!({"data": [crate::http::openapi::examples::trigger()]})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn reorder(
    State(state): State<Shared>,
    Admin(_): Admin,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    Ok(ok(&Data { data: rules::reorder(&state, RuleKind::Trigger, &body).await? }))
}
