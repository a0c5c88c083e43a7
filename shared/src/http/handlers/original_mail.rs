//! `GET /tickets/{id}/original-mail` (staff): the raw message a ticket or a comment came from,
//! as received (mail in keeps it in the bucket under `inbound/`), through a short-lived URL.
use super::attachments::DOWNLOAD_URL_TTL;
use super::tickets::load_visible;
use crate::auth::Caller;
use crate::http::extract::Params;
use crate::http::{HandlerResult, Shared};
use crate::store::presign::Request;
use crate::ApiError;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use uuid::Uuid;

/// `GET /tickets/{id}/original-mail[?comment_id=]`.
#[utoipa::path(
    get,
    path = "/tickets/{id}/original-mail",
    operation_id = "get_tickets_id_original_mail",
    tag = "tickets",
    summary = "The message a ticket (or one of its comments) came from, as received (staff)",
    params(("id" = String, Path, description = "A UUID or a ticket number (`TKT-000042`)"), ("comment_id" = Option<uuid::Uuid>, Query, description = "A comment made from mail; without it, the message that opened the ticket")),
    responses((status = 302, description = "To a presigned GET URL of the raw message (`message/rfc822`).", headers(("Location" = String, description = "The presigned URL"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn show(
    State(state): State<Shared>,
    caller: Caller,
    Path(raw): Path<String>,
    query: Params,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    if !caller.role().is_staff() {
        return Err(ApiError::Forbidden);
    }
    let key = match query.one("comment_id") {
        Some(c) => {
            let id = Uuid::parse_str(&c)
                .map_err(|_| ApiError::invalid("comment_id", "The comment id must be a UUID."))?;
            state.store.comment(ticket.id, id).await?.ok_or(ApiError::NotFound)?.mail_key
        }
        None => ticket.mail_key,
    };
    let key = key.ok_or(ApiError::NotFound)?;
    let raw_mail = Request::Get {
        content_type: "message/rfc822",
        content_disposition: "attachment; filename=\"original.eml\"",
    };
    let presigned = state
        .object_urls()?
        .presign(&key, raw_mail, crate::clock::now().into(), DOWNLOAD_URL_TTL)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::FOUND,
        [(http::header::LOCATION, presigned.url), (http::header::CACHE_CONTROL, "no-store".to_owned())],
    )
        .into_response())
}
