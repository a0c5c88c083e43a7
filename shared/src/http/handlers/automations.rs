//! `/automations` (API.md part 2, "Triggers, automations and webhooks"): admins only; the
//! shared parsing and CRUD are in `rules.rs`, the runner in `app::automations`.
use super::rules::{self, RuleFields};
use crate::http::extract::{Admin, Command, FromJson, JsonObject};
use crate::http::views::{AutomationEnvelope, Data};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::rules::RuleKind;
use crate::validation::ValidationErrors;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};

/// A automation body ([`RuleFields`] in the automation dialect).
#[derive(Debug)]
pub struct AutomationBody(pub RuleFields);

impl FromJson for AutomationBody {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        RuleFields::parse(body, RuleKind::Automation).map(AutomationBody)
    }
}

/// `GET /automations`: every automation, by position.
#[utoipa::path(
    get,
    path = "/automations",
    operation_id = "get_automations",
    tag = "automations",
    summary = "Automations, by position (admin)",
    responses((status = 200, description = "By position.", body = crate::http::views::Data<crate::http::views::Rule>, example = json!({"data": [crate::http::openapi::examples::automation()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, Admin(_): Admin) -> HandlerResult {
    Ok(ok(&Data { data: rules::list(&state, RuleKind::Automation).await? }))
}

/// `POST /automations`.
#[utoipa::path(
    post,
    path = "/automations",
    operation_id = "post_automations",
    tag = "automations",
    summary = "Create a automation (admin)",
    request_body(content = RuleFields, example = json!({"title": "Nudge pending", "conditions": {"all": [{"field": "status", "operator": "is", "value": "pending"}, {"field": "hours_since_updated", "operator": "greater_than", "value": 48}, {"field": "tags", "operator": "not_includes", "value": "nudged"}]}, "actions": [{"field": "add_tags", "value": "nudged"}, {"field": "notify_user", "value": {"to": "requester", "subject": "Still there?", "body": "We are waiting for your answer on {{ticket.ticket_number}}."}}]})),
    responses((status = 201, description = "Created.", body = crate::http::views::AutomationEnvelope, example = json!({"automation": crate::http::openapi::examples::automation()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Admin(_): Admin,
    body: Command<AutomationBody>,
) -> HandlerResult {
    let rule = rules::create(&state, RuleKind::Automation, body.command.0).await?;
    Ok(created(&AutomationEnvelope { automation: crate::http::views::Rule::of(&rule) }))
}

/// `GET /automations/{id}`.
#[utoipa::path(
    get,
    path = "/automations/{id}",
    operation_id = "get_automations_id",
    tag = "automations",
    summary = "A automation (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The automation.", body = crate::http::views::AutomationEnvelope, example = json!({"automation": crate::http::openapi::examples::automation()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    let rule = rules::load(&state, RuleKind::Automation, &raw).await?;
    Ok(ok(&AutomationEnvelope { automation: crate::http::views::Rule::of(&rule) }))
}

/// `PATCH /automations/{id}`: `conditions` and `actions` are replaced whole.
#[utoipa::path(
    patch,
    path = "/automations/{id}",
    operation_id = "patch_automations_id",
    tag = "automations",
    summary = "Update a automation (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = RuleFields, example = json!({"active": false})),
    responses((status = 200, description = "Updated.", body = crate::http::views::AutomationEnvelope, example = json!({"automation": crate::http::openapi::examples::automation()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Admin(_): Admin,
    Path(raw): Path<String>,
    body: Command<AutomationBody>,
) -> HandlerResult {
    let rule = rules::update(&state, RuleKind::Automation, &raw, body.command.0).await?;
    Ok(ok(&AutomationEnvelope { automation: crate::http::views::Rule::of(&rule) }))
}

/// `DELETE /automations/{id}`.
#[utoipa::path(
    delete,
    path = "/automations/{id}",
    operation_id = "delete_automations_id",
    tag = "automations",
    summary = "Delete a automation (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    rules::delete(&state, RuleKind::Automation, &raw).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /automations/reorder`: `{"ids": [...]}` names every automation once, in the new order.
#[utoipa::path(
    put,
    path = "/automations/reorder",
    operation_id = "put_automations_reorder",
    tag = "automations",
    summary = "Reorder the automations (admin)",
    request_body(content = Object, description = "`{\"ids\": [id, ...]}`: every automation once", example = json!({"ids": ["0190f3a4-6666-7000-8000-000000000006"]})),
    responses((status = 200, description = "The automations in their new order.", body = crate::http::views::Data<crate::http::views::Rule>, example = json!({"data": [crate::http::openapi::examples::automation()]})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn reorder(
    State(state): State<Shared>,
    Admin(_): Admin,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    Ok(ok(&Data { data: rules::reorder(&state, RuleKind::Automation, &body).await? }))
}
