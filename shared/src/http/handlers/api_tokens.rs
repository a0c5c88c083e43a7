//! `/api-tokens` (API.md part 2, "Authentication additions"): admins make, list and delete the
//! desk's API tokens. A token is shown once, when made; the desk keeps only its hash
//! (`auth::api_token`). `Authorization: Basic base64("<email>/token:<token>")` then
//! authenticates as that user, until the token is deleted.
use crate::auth::api_token;
use crate::clock::Timestamp;
use crate::http::extract::{Admin, Command, FromJson};
use crate::http::views::Data;
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::api_tokens::{ApiTokenRecord, MAX_API_TOKENS};
use crate::validation::{Input, ValidationErrors};
use crate::ApiError;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The body of `POST /api-tokens`.
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct NewApiToken {
    /// What the token is for (shown in the list): 1 to 255 characters.
    #[schema(min_length = 1, max_length = 255)]
    pub description: String,
}

impl FromJson for NewApiToken {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let Some(raw) = input.required_string("description") else { return Err(input.into_errors()) };
        if raw.chars().count() > 255 {
            input.error("description", "The description field must not be greater than 255 characters.");
        } else if raw.chars().any(char::is_control) || crate::domain::has_deceptive_chars(&raw) {
            input.error(
                "description",
                "The description field must not contain control, invisible or text-direction characters.",
            );
        }
        input.into_result(NewApiToken { description: raw.trim().to_owned() })
    }
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub description: String,
    pub created_at: Timestamp,
    /// Only in the answer to `POST /api-tokens`: shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiTokenEnvelope {
    pub api_token: ApiToken,
}

fn view(r: &ApiTokenRecord, token: Option<String>) -> ApiToken {
    ApiToken { id: r.id, description: r.description.clone(), created_at: r.created_at, token }
}

/// `GET /api-tokens` (admin): every token, oldest first, without the tokens.
#[utoipa::path(
    get,
    path = "/api-tokens",
    operation_id = "get_api_tokens",
    tag = "api-tokens",
    summary = "API tokens (admin)",
    responses((status = 200, description = "Every token, oldest first (the tokens themselves are never shown again).", body = Data<ApiToken>, example = json!({"data": [{"id": "0190f3a4-5f5f-7000-8000-00000000005f", "description": "Zendesk scripts", "created_at": "2026-11-26T15:04:05.123Z"}]})), crate::http::openapi::E401, crate::http::openapi::E403)
)]
pub async fn list(State(state): State<Shared>, _: Admin) -> HandlerResult {
    let data = state.store.all_api_tokens().await?.iter().map(|r| view(r, None)).collect();
    Ok(ok(&Data { data }))
}

/// `POST /api-tokens` (admin): 201 with the token, shown this once.
#[utoipa::path(
    post,
    path = "/api-tokens",
    operation_id = "post_api_tokens",
    tag = "api-tokens",
    summary = "Make an API token (admin)",
    request_body(content = NewApiToken, example = json!({"description": "Zendesk scripts"})),
    responses((status = 201, description = "Made; `token` is shown only now.", body = ApiTokenEnvelope, example = json!({"api_token": {"id": "0190f3a4-5f5f-7000-8000-00000000005f", "description": "Zendesk scripts", "created_at": "2026-11-26T15:04:05.123Z", "token": "hd_0190f3a45f5f70008000000000005f_q9Jf2bW0yXhN4kC7mA1sT8vZ3dE6gR5uL0pO2iY4wKe"}})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    Admin(caller): Admin,
    body: Command<NewApiToken>,
) -> HandlerResult {
    if state.store.all_api_tokens().await?.len() >= MAX_API_TOKENS {
        return Err(ApiError::invalid(
            "description",
            format!("A desk has at most {MAX_API_TOKENS} API tokens."),
        ));
    }
    let issued = api_token::issue().map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    let record = ApiTokenRecord {
        id: issued.id,
        description: body.command.description,
        token_hash: issued.hash,
        created_by: caller.id(),
        created_at: Timestamp::now(),
    };
    state.store.put_api_token(&record).await?;
    Ok(created(&ApiTokenEnvelope { api_token: view(&record, Some(issued.token)) }))
}

/// `DELETE /api-tokens/{id}` (admin): the token is refused from the next request.
#[utoipa::path(
    delete,
    path = "/api-tokens/{id}",
    operation_id = "delete_api_tokens_id",
    tag = "api-tokens",
    summary = "Delete an API token (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, _: Admin, Path(raw): Path<String>) -> HandlerResult {
    let id = Uuid::parse_str(&raw).map_err(|_| ApiError::NotFound)?;
    let record = state.store.get_api_token(id).await?.ok_or(ApiError::NotFound)?;
    state.store.delete_api_token(record.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
