//! `/attachments`: presigned uploads and downloads. The bytes go straight between the client
//! and S3; these handlers only check who may do what and sign short-lived URLs.
use super::tickets::ensure_visible;
use crate::auth::Caller;
use crate::clock::Timestamp;
use crate::domain::attachment::{
    content_disposition, parse_filename, parse_mime_type, storage_name, Attachment,
};
use crate::domain::ticket::Status;
use crate::http::extract::{Command, FromJson};
use crate::http::views::{self, UploadStarted};
use crate::http::{created, HandlerResult, Shared};
use crate::store::presign::Request;
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use std::time::Duration;
use uuid::Uuid;

/// Upload URLs live this long.
pub const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);
/// Download URLs live this long.
pub const DOWNLOAD_URL_TTL: Duration = Duration::from_secs(5 * 60);

/// The body of `POST /attachments` (the size limit is checked against the configuration by
/// the handler).
#[derive(utoipa::ToSchema)]
pub struct NewUpload {
    pub ticket_id: Uuid,
    /// No path separators, control, invisible or text-direction characters.
    #[schema(min_length = 1, max_length = 255)]
    pub filename: String,
    #[schema(min_length = 1, max_length = 255)]
    pub mime_type: String,
    /// Bytes; at most `MAX_ATTACHMENT_BYTES` (default 25 MiB).
    #[schema(minimum = 1, maximum = 26214400)]
    pub file_size: u64,
}

impl FromJson for NewUpload {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let ticket_id = input.required_string("ticket_id");
        let filename = input
            .required_string("filename")
            .and_then(|f| parse_filename(&f).map_err(|m| input.error("filename", m)).ok());
        let mime = input
            .required_string("mime_type")
            .and_then(|m| parse_mime_type(&m).map_err(|e| input.error("mime_type", e)).ok());
        let size = match body.get("file_size") {
            None | Some(Value::Null) => {
                input.error("file_size", "The file size field is required.");
                None
            }
            Some(v) => match v.as_u64() {
                Some(0) => {
                    input.error("file_size", "The file size field must be at least 1 byte.");
                    None
                }
                Some(n) => Some(n),
                None => {
                    input.error("file_size", "The file size field must be a positive integer.");
                    None
                }
            },
        };
        let ticket_id = ticket_id.and_then(|t| {
            Uuid::parse_str(t.trim())
                .map_err(|_| input.error("ticket_id", "The ticket id field must be a valid UUID."))
                .ok()
        });
        match (ticket_id, filename, mime, size) {
            (Some(ticket_id), Some(filename), Some(mime_type), Some(file_size)) => {
                input.into_result(NewUpload { ticket_id, filename, mime_type, file_size })
            }
            _ => Err(input.into_errors()),
        }
    }
}

/// `POST /attachments`: records a pending attachment and returns a presigned PUT bound to its
/// object key, content type and length.
#[utoipa::path(
    post,
    path = "/attachments",
    operation_id = "post_attachments",
    tag = "attachments",
    summary = "Start an upload: a presigned PUT URL",
    request_body(content = NewUpload, example = json!({"ticket_id": crate::http::openapi::examples::TICKET, "filename": "photo.jpg", "mime_type": "image/jpeg", "file_size": 52311})),
    responses((status = 201, description = "Upload with exactly these headers before expires_at.", body = crate::http::views::UploadStarted, example = json!(crate::http::openapi::examples::upload())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn create(State(state): State<Shared>, caller: Caller, body: Command<NewUpload>) -> HandlerResult {
    let urls = state.object_urls()?;
    let NewUpload { ticket_id, filename, mime_type: mime, file_size: size } = body.command;
    let max = state.config.max_attachment_bytes;
    if size > max {
        return Err(ApiError::invalid(
            "file_size",
            format!("The file size field must not be greater than {max} bytes."),
        ));
    }
    let ticket = state.store.get_ticket(ticket_id).await?.ok_or(ApiError::NotFound)?;
    ensure_visible(&caller, &ticket)?;
    if ticket.status == Status::Closed {
        return Err(ApiError::invalid("ticket_id", "This ticket is closed and can no longer be changed."));
    }

    let now = clock::now();
    let id = Uuid::now_v7();
    let attachment = Attachment {
        id,
        ticket_id,
        comment_id: None,
        object_key: format!("attachments/{ticket_id}/{id}/{}", storage_name(&filename)),
        filename,
        file_size: size,
        mime_type: mime,
        uploaded_by: caller.id(),
        created_at: clock::Timestamp(now),
    };
    let upload = Request::Put { content_type: &attachment.mime_type, content_length: size };
    let presigned = urls
        .presign(&attachment.object_key, upload, now.into(), UPLOAD_URL_TTL)
        .await
        .map_err(ApiError::internal)?;
    state.store.put_pending_attachment(&attachment, now.unix_timestamp()).await?;
    let upload_headers = presigned.headers.into_iter().collect();
    Ok(created(&UploadStarted {
        attachment: views::Attachment::of(&attachment),
        upload_url: presigned.url,
        upload_method: "PUT".into(),
        upload_headers,
        expires_at: Timestamp(now + UPLOAD_URL_TTL),
    }))
}

/// May `caller` download `a`? Staff and the uploader always (when they see the ticket);
/// others only when it is linked to a public comment.
async fn may_download(state: &AppState, caller: &Caller, a: &Attachment) -> Result<bool, ApiError> {
    let Some(ticket) = state.store.get_ticket(a.ticket_id).await? else { return Ok(false) };
    if ensure_visible(caller, &ticket).is_err() {
        return Ok(false);
    }
    if caller.role().is_staff() || a.uploaded_by == caller.id() {
        return Ok(true);
    }
    match a.comment_id {
        None => Ok(false),
        Some(comment_id) => {
            Ok(state.store.comment(a.ticket_id, comment_id).await?.is_some_and(|c| !c.is_internal))
        }
    }
}

/// `GET /attachments/{id}`: 302 to a short-lived download URL.
#[utoipa::path(
    get,
    path = "/attachments/{id}",
    operation_id = "get_attachments_id",
    tag = "attachments",
    summary = "Download: a redirect to a short-lived URL",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 302, description = "To a presigned GET URL (Content-Disposition: attachment).", headers(("Location" = String, description = "The presigned URL"))), crate::http::openapi::E401, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, caller: Caller, Path(raw): Path<String>) -> HandlerResult {
    let urls = state.object_urls()?;
    let id = Uuid::parse_str(&raw).map_err(|_| ApiError::NotFound)?;
    let attachment = state.store.attachment(id).await?.ok_or(ApiError::NotFound)?;
    if !may_download(&state, &caller, &attachment).await? {
        return Err(ApiError::NotFound);
    }
    let disposition = content_disposition(&attachment.filename);
    let download = Request::Get { content_type: &attachment.mime_type, content_disposition: &disposition };
    let presigned = urls
        .presign(&attachment.object_key, download, clock::now().into(), DOWNLOAD_URL_TTL)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::FOUND,
        [(http::header::LOCATION, presigned.url), (http::header::CACHE_CONTROL, "no-store".to_owned())],
    )
        .into_response())
}

/// Checks that each id names an upload of this caller on this ticket that is not linked yet and
/// whose bytes are in the bucket with the declared size. Any failure is a 422 on the field.
pub async fn linkable(
    state: &AppState,
    caller: &Caller,
    ticket_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Attachment>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let invalid = || ApiError::invalid("attachment_ids", "The selected attachment ids are invalid.");
    let (s3, bucket) = state.attachments()?;
    let found = state.store.attachments_of(ticket_id, ids).await?;
    if found.len() != ids.len() {
        return Err(invalid());
    }
    for a in &found {
        if a.uploaded_by != caller.id() || a.comment_id.is_some() {
            return Err(invalid());
        }
        match s3.head_object().bucket(bucket).key(&a.object_key).send().await {
            Ok(head) if head.content_length() == Some(a.file_size as i64) => {}
            Ok(_) => {
                return Err(ApiError::invalid(
                    "attachment_ids",
                    "An attachment was uploaded with another size than declared.",
                ))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
                return Err(ApiError::invalid("attachment_ids", "An attachment has not been uploaded yet."))
            }
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    Ok(found)
}
