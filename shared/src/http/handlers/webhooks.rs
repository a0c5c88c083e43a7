//! `/webhooks` (API.md part 2): admins only. A webhook is a name and an https endpoint that
//! resolves to public addresses only; its signing secret is shown once, when it is created.
//! Rules post to it with `notify_webhook`; `consumers::webhooks` delivers.
use crate::clock::Timestamp;
use crate::consumers::webhooks::check_host;
use crate::domain::webhooks::Endpoint;
use crate::http::extract::{Admin, Command, FromJson};
use crate::http::views::{self as out, CreatedWebhookEnvelope, Data, WebhookEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::webhooks::{Webhook, WebhookStatus};
use crate::validation::{Input, ValidationErrors};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The body of `POST /webhooks` and `PATCH /webhooks/{id}` (a create needs `name` and
/// `endpoint`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct WebhookFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub name: Option<String>,
    /// `https://` and a host that resolves to public addresses only.
    #[schema(max_length = 2000, nullable = false)]
    pub endpoint: Option<String>,
    #[schema(nullable = false)]
    pub status: Option<WebhookStatus>,
}

impl FromJson for WebhookFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let mut f = WebhookFields::default();
        if input.has("name") {
            if let Some(n) = input.required_string("name") {
                // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
                let too_long = n.chars().count() > 255;
                let n = n.trim().to_owned();
                if n.is_empty() || too_long || crate::domain::has_deceptive_chars(&n) {
                    input.error("name", "The name must be 1 to 255 visible characters.");
                } else {
                    f.name = Some(n);
                }
            }
        }
        if input.has("endpoint") {
            f.endpoint = input.required_string("endpoint").map(|e| e.trim().to_owned());
        }
        match body.get("status") {
            None => {}
            Some(v) => match serde_json::from_value::<WebhookStatus>(v.clone()) {
                Ok(s) => f.status = Some(s),
                Err(_) => input.error("status", "The status must be active or inactive."),
            },
        }
        input.into_result(f)
    }
}

/// The endpoint, checked: its form, then every address its host resolves to.
async fn checked_endpoint(state: &AppState, raw: &str) -> Result<String, ApiError> {
    let allow = state.config.allow_loopback_webhooks;
    let endpoint = Endpoint::parse(raw, allow).map_err(|m| ApiError::invalid("endpoint", m))?;
    check_host(&endpoint, allow).await.map_err(|m| ApiError::invalid("endpoint", m))?;
    Ok(raw.to_owned())
}

async fn load(state: &AppState, raw: &str) -> Result<Webhook, ApiError> {
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
    state.store.get_webhook(id).await?.ok_or(ApiError::NotFound)
}

fn new_secret() -> Result<String, ApiError> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    Ok(format!("whsec_{}", raw.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// `GET /webhooks`: every webhook, by name (secrets never shown).
#[utoipa::path(
    get,
    path = "/webhooks",
    operation_id = "get_webhooks",
    tag = "webhooks",
    summary = "Webhooks, by name (admin)",
    responses((status = 200, description = "By name.", body = crate::http::views::Data<crate::http::views::Webhook>, example = json!({"data": [crate::http::openapi::examples::webhook()]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, Admin(_): Admin) -> HandlerResult {
    let data: Vec<out::Webhook> = state.store.all_webhooks().await?.iter().map(out::Webhook::of).collect();
    Ok(ok(&Data { data }))
}

/// `POST /webhooks`: the answer carries `signing_secret`, this once.
#[utoipa::path(
    post,
    path = "/webhooks",
    operation_id = "post_webhooks",
    tag = "webhooks",
    summary = "Create a webhook (admin; the signing secret is shown once)",
    request_body(content = WebhookFields, example = json!({"name": "CRM", "endpoint": "https://crm.example.com/hooks/helpdesk"})),
    responses((status = 201, description = "Created, with its signing secret.", body = crate::http::views::CreatedWebhookEnvelope, example = json!({"webhook": crate::http::openapi::examples::webhook(), "signing_secret": "whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Admin(_): Admin,
    body: Command<WebhookFields>,
) -> HandlerResult {
    let f = body.command;
    let mut errors = ValidationErrors::default();
    if f.name.is_none() {
        errors.add("name", "The name field is required.");
    }
    if f.endpoint.is_none() {
        errors.add("endpoint", "The endpoint field is required.");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let endpoint = checked_endpoint(&state, f.endpoint.as_deref().unwrap_or_default()).await?;
    let now = Timestamp::now();
    let hook = Webhook {
        id: Uuid::now_v7(),
        name: f.name.unwrap_or_default(),
        endpoint,
        status: f.status.unwrap_or(WebhookStatus::Active),
        signing_secret: new_secret()?,
        created_at: now,
        updated_at: now,
    };
    state.store.put_webhook(&hook).await?;
    Ok(created(&CreatedWebhookEnvelope {
        webhook: out::Webhook::of(&hook),
        signing_secret: hook.signing_secret.clone(),
    }))
}

/// `GET /webhooks/{id}`.
#[utoipa::path(
    get,
    path = "/webhooks/{id}",
    operation_id = "get_webhooks_id",
    tag = "webhooks",
    summary = "A webhook (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The webhook (no secret).", body = crate::http::views::WebhookEnvelope, example = json!({"webhook": crate::http::openapi::examples::webhook()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    let hook = load(&state, &raw).await?;
    Ok(ok(&WebhookEnvelope { webhook: out::Webhook::of(&hook) }))
}

/// `PATCH /webhooks/{id}`: name, endpoint (checked again), status.
#[utoipa::path(
    patch,
    path = "/webhooks/{id}",
    operation_id = "patch_webhooks_id",
    tag = "webhooks",
    summary = "Update a webhook (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = WebhookFields, example = json!({"status": "inactive"})),
    responses((status = 200, description = "Updated.", body = crate::http::views::WebhookEnvelope, example = json!({"webhook": crate::http::openapi::examples::webhook()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    Admin(_): Admin,
    Path(raw): Path<String>,
    body: Command<WebhookFields>,
) -> HandlerResult {
    let mut hook = load(&state, &raw).await?;
    let f = body.command;
    if let Some(e) = f.endpoint {
        hook.endpoint = checked_endpoint(&state, &e).await?;
    }
    hook.name = f.name.unwrap_or(hook.name);
    hook.status = f.status.unwrap_or(hook.status);
    hook.updated_at = Timestamp::now();
    state.store.put_webhook(&hook).await?;
    Ok(ok(&WebhookEnvelope { webhook: out::Webhook::of(&hook) }))
}

/// `DELETE /webhooks/{id}`: deliveries still queued for it are dropped.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    operation_id = "delete_webhooks_id",
    tag = "webhooks",
    summary = "Delete a webhook (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, Admin(_): Admin, Path(raw): Path<String>) -> HandlerResult {
    let hook = load(&state, &raw).await?;
    state.store.delete_webhook(hook.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
