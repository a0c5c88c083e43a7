//! `/sla-policies` (API.md part 2, "SLA policies, business hours, satisfaction"): staff read,
//! admins write and reorder. The first policy by position whose filter matches a ticket applies
//! (the per-ticket metrics are the next step of issue 16).
use crate::clock::Timestamp;
use crate::domain::conditions::Conditions;
use crate::domain::sla::{parse_metrics, PolicyMetric};
use crate::http::extract::{Admin, Command, FromJson, JsonObject, Staff};
use crate::http::views::Data;
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::sla::SlaPolicy;
use crate::validation::{Input, ValidationErrors};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A policy as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaPolicyView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub position: u32,
    /// `{"all": [...], "any": [...]}` in the ticket conditions dialect (views').
    #[schema(value_type = Object)]
    pub filter: Value,
    pub schedule_id: Option<Uuid>,
    pub policy_metrics: Vec<PolicyMetric>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SlaPolicyView {
    pub fn of(p: &SlaPolicy) -> Self {
        SlaPolicyView {
            id: p.id,
            title: p.title.clone(),
            description: p.description.clone(),
            position: p.position,
            filter: serde_json::from_str(&p.filter)
                .unwrap_or_else(|_| serde_json::json!({"all": [], "any": []})),
            schedule_id: p.schedule_id,
            policy_metrics: p.policy_metrics.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// `{"sla_policy": {...}}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaPolicyEnvelope {
    pub sla_policy: SlaPolicyView,
}

/// The body of `POST /sla-policies` and `PATCH /sla-policies/{id}`: absent fields are left
/// alone (a create needs `title` and `policy_metrics`; `filter` defaults to every ticket).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct SlaPolicyFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub title: Option<String>,
    #[schema(max_length = 1000, nullable = false)]
    pub description: Option<String>,
    #[schema(nullable = false, maximum = 100000)]
    pub position: Option<u32>,
    /// `{"all": [...], "any": [...]}` in the views' conditions; default every ticket.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub filter: Option<Value>,
    /// `null` for calendar hours only.
    pub schedule_id: Option<Option<Uuid>>,
    #[schema(nullable = false)]
    pub policy_metrics: Option<Vec<PolicyMetric>>,
}

impl FromJson for SlaPolicyFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let mut f = SlaPolicyFields::default();
        if input.has("title") {
            if let Some(t) = input.required_string("title") {
                // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
                let too_long = t.chars().count() > 255;
                let t = t.trim().to_owned();
                if t.is_empty() {
                    input.error("title", "The title field is required.");
                } else if too_long {
                    input.error("title", "The title field must not be greater than 255 characters.");
                } else if t.chars().any(char::is_control) || crate::domain::has_deceptive_chars(&t) {
                    input.error(
                        "title",
                        "The title field must not contain control, invisible or text-direction characters.",
                    );
                } else {
                    f.title = Some(t);
                }
            }
        }
        if input.has("description") {
            match body.get("description") {
                Some(Value::String(d)) if d.chars().count() <= 1000 => {
                    f.description = Some(d.trim().to_owned())
                }
                Some(Value::String(_)) => input
                    .error("description", "The description field must not be greater than 1000 characters."),
                _ => input.error("description", "The description field must be a string."),
            }
        }
        if input.has("position") {
            match body.get("position").and_then(Value::as_u64).filter(|p| *p <= 100_000) {
                Some(p) => f.position = Some(p as u32),
                None => {
                    input.error("position", "The position field must be a whole number from 0 to 100000.")
                }
            }
        }
        if input.has("filter") {
            let raw = body.get("filter").cloned().unwrap_or(Value::Null);
            match Conditions::parse(&raw) {
                Ok(_) if raw.is_object() => f.filter = Some(raw),
                Ok(_) => input.error("filter", "The filter must be an object with all and any."),
                Err(errors) => {
                    for (field, messages) in errors.fields() {
                        for m in messages {
                            input.error(&field.replacen("conditions", "filter", 1), m);
                        }
                    }
                }
            }
        }
        if input.has("schedule_id") {
            match body.get("schedule_id") {
                Some(Value::Null) => f.schedule_id = Some(None),
                Some(Value::String(s)) if Uuid::parse_str(s).is_ok() => {
                    f.schedule_id = Some(Uuid::parse_str(s).ok())
                }
                _ => input.error("schedule_id", "The schedule id must be a schedule's id or null."),
            }
        }
        if input.has("policy_metrics") {
            match parse_metrics(body.get("policy_metrics").unwrap_or(&Value::Null)) {
                Ok(m) => f.policy_metrics = Some(m),
                Err(e) => input.error("policy_metrics", &e),
            }
        }
        input.into_result(f)
    }
}

/// The policy `p` becomes with `f`: a schedule that exists when any target counts business
/// hours.
async fn apply(state: &AppState, mut p: SlaPolicy, f: SlaPolicyFields) -> Result<SlaPolicy, ApiError> {
    p.title = f.title.unwrap_or(p.title);
    p.description = f.description.unwrap_or(p.description);
    p.position = f.position.unwrap_or(p.position);
    p.filter = f.filter.map(|v| v.to_string()).unwrap_or(p.filter);
    p.schedule_id = f.schedule_id.unwrap_or(p.schedule_id);
    p.policy_metrics = f.policy_metrics.unwrap_or(p.policy_metrics);
    match p.schedule_id {
        Some(id) if state.store.get_schedule(id).await?.is_none() => {
            return Err(ApiError::invalid("schedule_id", "The selected schedule id is invalid."))
        }
        None if p.policy_metrics.iter().any(|m| m.business_hours) => {
            return Err(ApiError::invalid(
                "schedule_id",
                "Targets in business hours need a schedule (schedule_id).",
            ))
        }
        _ => {}
    }
    Ok(p)
}

fn policy_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// `GET /sla-policies` (staff): by position.
#[utoipa::path(
    get,
    path = "/sla-policies",
    operation_id = "get_sla_policies",
    tag = "sla-policies",
    summary = "SLA policies, by position (staff)",
    responses((status = 200, description = "Every policy, the first applies first.", body = crate::http::views::Data<SlaPolicyView>, example = json!({"data": [crate::http::openapi::examples::sla_policy()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, _: Staff) -> HandlerResult {
    let data: Vec<SlaPolicyView> =
        state.store.all_sla_policies().await?.iter().map(SlaPolicyView::of).collect();
    Ok(ok(&Data { data }))
}

/// `POST /sla-policies` (admin).
#[utoipa::path(
    post,
    path = "/sla-policies",
    operation_id = "post_sla_policies",
    tag = "sla-policies",
    summary = "Create an SLA policy (admin)",
    request_body(content = SlaPolicyFields, example = json!({"title": "Urgent first", "filter": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}, "schedule_id": null, "policy_metrics": [{"priority": "urgent", "metric": "first_reply_time", "target": 30, "business_hours": false}]})),
    responses((status = 201, description = "Created (last, unless `position` says otherwise).", body = SlaPolicyEnvelope, example = json!({"sla_policy": crate::http::openapi::examples::sla_policy()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(State(state): State<Shared>, _: Admin, body: Command<SlaPolicyFields>) -> HandlerResult {
    let f = body.command;
    let mut missing = ValidationErrors::default();
    if f.title.is_none() {
        missing.add("title", "The title field is required.");
    }
    if f.policy_metrics.is_none() {
        missing.add("policy_metrics", "The policy metrics field is required.");
    }
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let existing = state.store.all_sla_policies().await?;
    if existing.len() >= crate::domain::sla::MAX_POLICIES {
        return Err(ApiError::invalid(
            "title",
            format!("A desk has at most {} SLA policies.", crate::domain::sla::MAX_POLICIES),
        ));
    }
    let now = Timestamp::now();
    let blank = SlaPolicy {
        id: Uuid::now_v7(),
        title: String::new(),
        description: String::new(),
        position: existing.iter().map(|p| p.position + 1).max().unwrap_or(0),
        filter: serde_json::json!({"all": [], "any": []}).to_string(),
        schedule_id: None,
        policy_metrics: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    let policy = apply(&state, blank, f).await?;
    state.store.put_sla_policy(&policy).await?;
    Ok(created(&SlaPolicyEnvelope { sla_policy: SlaPolicyView::of(&policy) }))
}

/// `GET /sla-policies/{id}` (staff).
#[utoipa::path(
    get,
    path = "/sla-policies/{id}",
    operation_id = "get_sla_policies_id",
    tag = "sla-policies",
    summary = "An SLA policy (staff)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The policy.", body = SlaPolicyEnvelope, example = json!({"sla_policy": crate::http::openapi::examples::sla_policy()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, _: Staff, Path(raw): Path<String>) -> HandlerResult {
    let p = state.store.get_sla_policy(policy_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    Ok(ok(&SlaPolicyEnvelope { sla_policy: SlaPolicyView::of(&p) }))
}

/// `PATCH /sla-policies/{id}` (admin): `filter` and `policy_metrics` are replaced whole.
#[utoipa::path(
    patch,
    path = "/sla-policies/{id}",
    operation_id = "patch_sla_policies_id",
    tag = "sla-policies",
    summary = "Update an SLA policy (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = SlaPolicyFields, example = json!({"title": "Urgent tickets"})),
    responses((status = 200, description = "Updated.", body = SlaPolicyEnvelope, example = json!({"sla_policy": crate::http::openapi::examples::sla_policy()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    _: Admin,
    Path(raw): Path<String>,
    body: Command<SlaPolicyFields>,
) -> HandlerResult {
    let stored = state.store.get_sla_policy(policy_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let mut p = apply(&state, stored, body.command).await?;
    p.updated_at = Timestamp::now();
    state.store.put_sla_policy(&p).await?;
    Ok(ok(&SlaPolicyEnvelope { sla_policy: SlaPolicyView::of(&p) }))
}

/// `DELETE /sla-policies/{id}` (admin).
#[utoipa::path(
    delete,
    path = "/sla-policies/{id}",
    operation_id = "delete_sla_policies_id",
    tag = "sla-policies",
    summary = "Delete an SLA policy (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, _: Admin, Path(raw): Path<String>) -> HandlerResult {
    let p = state.store.get_sla_policy(policy_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    state.store.delete_sla_policy(p.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /sla-policies/reorder` (admin): `{"ids": [...]}` names every policy once, in order.
#[utoipa::path(
    put,
    path = "/sla-policies/reorder",
    operation_id = "put_sla_policies_reorder",
    tag = "sla-policies",
    summary = "Reorder the SLA policies (admin)",
    request_body(content = Object, example = json!({"ids": ["0190f3a4-5a5a-7000-8000-00000000005a"]})),
    responses((status = 200, description = "Every policy in the new order.", body = crate::http::views::Data<SlaPolicyView>, example = json!({"data": [crate::http::openapi::examples::sla_policy()]})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn reorder(State(state): State<Shared>, _: Admin, body: JsonObject) -> HandlerResult {
    let mut policies = state.store.all_sla_policies().await?;
    let known: Vec<Uuid> = policies.iter().map(|p| p.id).collect();
    let ids = crate::http::extract::new_order(&body.0, &known, "SLA policy")?;
    let now = Timestamp::now();
    for p in &mut policies {
        p.position = ids.iter().position(|id| *id == p.id).unwrap_or(0) as u32;
        p.updated_at = now;
    }
    policies.sort_by_key(|p| p.position);
    state.store.put_sla_policies(&policies).await?;
    Ok(ok(&Data { data: policies.iter().map(SlaPolicyView::of).collect::<Vec<_>>() }))
}
