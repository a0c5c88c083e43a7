//! `/tickets/{id}/comments`: public replies and internal notes.
use super::attachments::linkable;
use super::tickets::load_visible;
use crate::app::ticket_change::{
    change_ticket, Applied, ChangeRequest, ChangeSet, NewComment, Outcome, Receipt,
};
use crate::app::Actor;
use crate::auth::Caller;
use crate::cursor::per_page;
use crate::domain::attachment::Attachment;
use crate::domain::comment::{Comment, MAX_COMMENT_CHARS};
use crate::domain::ticket::Via;
use crate::http::extract::{FromJson, JsonObject, Params};
use crate::http::idempotency::Idempotency;
use crate::http::{created, ok, views, HandlerResult, Shared};
use crate::store::keys;
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError};
use axum::extract::{Path, State};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

const MAX_ATTACHMENTS_PER_COMMENT: usize = 10;

/// `GET /tickets/{id}/comments`: oldest first; customers see public comments only.
#[utoipa::path(
    get,
    path = "/tickets/{id}/comments",
    operation_id = "get_tickets_id_comments",
    tag = "comments",
    summary = "Comments, oldest first (customers: public only)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")),
    responses((status = 200, description = "A page of comments.", body = crate::http::views::Page<crate::http::views::Comment>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::comment(), "/tickets/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506/comments"))), crate::http::openapi::E401, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn list(
    State(state): State<Shared>,
    caller: Caller,
    Path(raw): Path<String>,
    query: Params,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    let per_page = per_page(query.present("per_page").as_deref())?;
    let staff = caller.role().is_staff();
    let scope = format!("comments|{}|{}", ticket.id, staff);
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    let (comments, more) = state.store.comments_after(ticket.id, after.as_deref(), per_page, staff).await?;
    let ids: Vec<Uuid> = comments.iter().flat_map(|c| c.attachment_ids.iter().copied()).collect();
    let attachments: HashMap<Uuid, Attachment> =
        state.store.attachments_of(ticket.id, &ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let next = more
        .then(|| comments.last().map(|c| state.cursors.encode(&scope, &keys::comment_sk(c.id))))
        .flatten();
    let users = state.store.users_by_id(comments.iter().map(|c| c.author_id)).await?;
    let now = clock::now();
    let data: Vec<views::Comment> =
        comments.iter().map(|c| views::comment(&caller, c, &users, &attachments, now)).collect();
    let path = format!("/tickets/{}/comments", ticket.id);
    Ok(ok(&views::Page::new(data, &path, per_page, next, &query.without_cursor())))
}

/// The body of `POST /tickets/{id}/comments`.
#[derive(utoipa::ToSchema)]
pub struct AddComment {
    #[schema(min_length = 1, max_length = 65535)]
    pub content: String,
    /// An internal note (staff only); default false.
    #[schema(default = false, required = false, nullable)]
    pub is_internal: bool,
    /// Uploads of the caller on this ticket to link, at most ten (`null`: none).
    #[schema(max_items = 10, required = false, nullable)]
    pub attachment_ids: Vec<Uuid>,
}

impl FromJson for AddComment {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let content = input.required_string("content");
        if content.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            input.error("content", "The content field must not be greater than 65535 characters.");
        }
        let is_internal = input.optional_bool("is_internal").unwrap_or(false);
        let mut attachment_ids: Vec<Uuid> = Vec::new();
        match body.get("attachment_ids") {
            None | Some(Value::Null) => {}
            Some(Value::Array(ids)) if ids.len() > MAX_ATTACHMENTS_PER_COMMENT => {
                input.error("attachment_ids", "The attachment ids field must not have more than 10 items.")
            }
            Some(Value::Array(ids)) => {
                for v in ids {
                    match v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                        Some(id) if !attachment_ids.contains(&id) => attachment_ids.push(id),
                        Some(_) => {}
                        None => input.error("attachment_ids", "The selected attachment ids are invalid."),
                    }
                }
            }
            Some(_) => input.error("attachment_ids", "The attachment ids field must be an array."),
        }
        match content {
            Some(content) => input.into_result(AddComment { content, is_internal, attachment_ids }),
            None => Err(input.into_errors()),
        }
    }
}

/// `POST /tickets/{id}/comments`: adds a reply or note through the one change path (which
/// moves the ticket's status as the rules say), in one transaction with the ticket.
#[utoipa::path(
    post,
    path = "/tickets/{id}/comments",
    operation_id = "post_tickets_id_comments",
    tag = "comments",
    summary = "Reply or add an internal note",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)"), ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "Printable ASCII. A retry with the same key and body returns the first result; another body is 409")),
    request_body(content = AddComment, example = json!({"content": "We are on it.", "attachment_ids": [crate::http::openapi::examples::ATTACHMENT]})),
    responses((status = 201, description = "Created.", body = crate::http::views::Comment, example = json!(crate::http::openapi::examples::comment())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(
    State(state): State<Shared>,
    caller: Caller,
    Path(raw): Path<String>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    let ticket = load_visible(&state, &caller, &raw).await?;
    let AddComment { content, is_internal, attachment_ids } =
        AddComment::from_json(&body).map_err(ApiError::Validation)?;
    if is_internal && !caller.role().is_staff() {
        return Err(ApiError::Forbidden);
    }
    let scope = format!("POST /tickets/{}/comments", ticket.id);
    let idempotency = Idempotency::from_request(&headers, &caller, &scope, &body)?;
    if let Some(i) = &idempotency {
        if let Some(first) = i.replay(&state).await? {
            return Ok(first);
        }
    }

    let author = HashMap::from([(caller.id(), caller.user.clone())]);
    let attachments = linkable(&state, &caller, ticket.id, &attachment_ids).await?;
    let linked = |c: &Comment| -> HashMap<Uuid, Attachment> {
        attachments.iter().map(|a| (a.id, Attachment { comment_id: Some(c.id), ..a.clone() })).collect()
    };
    let view = |c: &Comment| views::comment(&caller, c, &author, &linked(c), clock::now());
    let receipt = |a: &Applied| match (&idempotency, &a.comment) {
        (Some(i), Some(c)) => i.write(c.ticket_id, StatusCode::CREATED, &view(c)),
        _ => Err(ApiError::internal("no receipt without a key and a comment")),
    };
    let actor = Actor::from(&caller);
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: ChangeSet {
            comment: Some(NewComment {
                content,
                is_internal,
                attachments: attachments.clone(),
                mail_key: None,
            }),
            via: Via::Web,
            ..Default::default()
        },
        expected_stamp: None,
        loaded: Some(ticket),
        receipt: idempotency.as_ref().map(|_| &receipt as Receipt),
    };
    match change_ticket(&state, request).await? {
        Outcome::Applied(a) => match &a.comment {
            Some(c) => Ok(created(&view(c))),
            None => Err(ApiError::internal("a comment change wrote no comment")),
        },
        Outcome::Replay => match &idempotency {
            Some(i) => i.replay_after_clash(&state).await,
            None => Err(ApiError::internal("replay without a key")),
        },
    }
}
