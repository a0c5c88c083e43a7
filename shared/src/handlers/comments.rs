//! `/tickets/{id}/comments`: public replies and internal notes.
use super::attachments::linkable;
use super::idempotency::Idempotency;
use super::tickets::load_visible;
use super::{query_one, query_without_cursor, views, HandlerResult};
use crate::auth::authenticate;
use crate::cursor::{page_body, per_page};
use crate::domain::attachment::Attachment;
use crate::domain::comment::{Change, Comment, MAX_COMMENT_CHARS};
use crate::domain::ticket::Status;
use crate::store::attachments::link_write;
use crate::store::keys;
use crate::store::tickets::{change_item, comment_item};
use crate::store::{TxError, TxWrite};
use crate::validation::Input;
use crate::{clock, web, ApiError, AppState};
use http::StatusCode;
use lambda_http::Request;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

const ATTEMPTS: usize = 4;
const MAX_ATTACHMENTS_PER_COMMENT: usize = 10;

/// `GET /tickets/{id}/comments`: oldest first; customers see public comments only.
pub async fn list(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let ticket = load_visible(state, &caller, &req).await?;
    let per_page = per_page(query_one(&req, "per_page").as_deref())?;
    let staff = caller.role().is_staff();
    let scope = format!("comments|{}|{}", ticket.id, staff);
    let after = match query_one(&req, "cursor") {
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
    let data: Vec<Value> =
        comments.iter().map(|c| views::comment(&caller, c, &users, &attachments, now)).collect();
    let path = format!("/tickets/{}/comments", ticket.id);
    Ok(web::ok(&page_body(&data, &path, per_page, next, &query_without_cursor(&req))))
}

/// `POST /tickets/{id}/comments`: adds a reply or note, moving the ticket's status as the
/// rules say, in one transaction with the ticket (guarded by its version).
pub async fn create(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    let ticket = load_visible(state, &caller, &req).await?;
    let body = web::json_object(&req)?;
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
    input.finish()?;
    if is_internal && !caller.role().is_staff() {
        return Err(ApiError::Forbidden);
    }
    let content = content.unwrap_or_default();
    let id = ticket.id;
    let scope = format!("POST /tickets/{id}/comments");
    let idempotency = Idempotency::from_request(&req, &caller, &scope, &body)?;
    if let Some(i) = &idempotency {
        if let Some(first) = i.replay(state).await? {
            return Ok(first);
        }
    }

    let author = HashMap::from([(caller.id(), caller.user.clone())]);
    let attachments = linkable(state, &caller, ticket.id, &attachment_ids).await?;
    let mut fresh = Some(ticket);
    for _ in 0..ATTEMPTS {
        // The ticket read for the visibility check serves the first attempt; a conflict re-reads.
        let current = match fresh.take() {
            Some(t) => t,
            None => state.store.get_ticket(id).await?.ok_or(ApiError::NotFound)?,
        };
        if current.status == Status::Closed {
            return Err(ApiError::invalid("status", "This ticket is closed and can no longer be changed."));
        }
        let now = clock::format(clock::now());
        let comment = Comment {
            id: Uuid::now_v7(),
            ticket_id: current.id,
            author_id: caller.id(),
            content: content.clone(),
            is_internal,
            attachment_ids: attachment_ids.clone(),
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let mut next = current.clone();
        next.updated_at = now.clone();
        next.updated_stamp = Uuid::now_v7().to_string();
        let mut puts = vec![TxWrite::new_only(comment_item(&comment)?)];
        for a in &attachments {
            puts.push(link_write(a, comment.id)?);
        }
        let links = 1..=attachments.len();
        let linked: HashMap<Uuid, Attachment> = attachments
            .iter()
            .map(|a| (a.id, Attachment { comment_id: Some(comment.id), ..a.clone() }))
            .collect();
        if let Some(status) = current.status_after_comment(caller.id(), caller.role().is_staff(), is_internal)
        {
            next.status = status;
            let change = Change {
                id: Uuid::now_v7(),
                ticket_id: current.id,
                agent_id: Some(caller.id()),
                field_name: "status".into(),
                old_value: Some(current.status.as_str().into()),
                new_value: Some(status.as_str().into()),
                action: format!("Status changed from {} to {}", current.status.as_str(), status.as_str()),
                created_at: now.clone(),
            };
            puts.push(TxWrite::plain(change_item(&change)?));
        }
        let view = views::comment(&caller, &comment, &author, &linked, clock::now());
        if let Some(i) = &idempotency {
            puts.push(TxWrite::new_only(i.item(StatusCode::CREATED, &view)?));
        }
        let idempotency_at = puts.len() - 1; // others come first in the transaction
        match state.store.save_ticket(&current, &next, puts).await {
            Ok(()) => return Ok(web::created(&view)),
            Err(TxError::ConditionFailed(at)) if idempotency.is_some() && at.contains(&idempotency_at) => {
                if let Some(first) = idempotency.as_ref().expect("checked").replay(state).await? {
                    return Ok(first);
                }
            }
            Err(TxError::ConditionFailed(at)) if at.iter().any(|i| links.contains(i)) => {
                return Err(ApiError::invalid(
                    "attachment_ids",
                    "An attachment is already linked to another comment.",
                ))
            }
            Err(TxError::ConditionFailed(_)) => continue,
            Err(TxError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict("The ticket is being changed concurrently. Try again.".into()))
}
