//! `/api/v2/requests`: the end user's side of tickets (Zendesk's Requests API). An end user
//! lists, opens, reads and answers their own requests (public comments only); staff reach the
//! same through `/api/v2/tickets`, and here see the requests they may see. Writes go through the
//! one change path (`via: api`).
use super::shapes::{self, Refs};
use super::tickets::visible;
use super::{base_url, check_kinds, envelope, Kind, ListPage, Paging, ZdCaller, ZdError, ZdObject, ZdResult};
use crate::app::ticket_change::{change_ticket, ChangeRequest, ChangeSet, NewComment};
use crate::app::ticket_create::{open_ticket, NewTicket, OpenOutcome};
use crate::app::Actor;
use crate::domain::comment::Comment;
use crate::domain::ticket::{Description, Status, Subject, Ticket, TicketPatch, Via};
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::keys;
use crate::store::tickets::TicketFilter;
use crate::ApiError;
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::{json, Map, Value};

/// A ticket as a request: the ticket's fields an end user may see, and whether they may
/// solve it (Zendesk: when it has an assignee and is not closed).
pub fn request(t: &Ticket, refs: &Refs, base: &str) -> Value {
    let mut v = shapes::ticket(t, refs, base, false);
    let id = v["id"].clone();
    v["url"] = json!(format!("{base}/api/v2/requests/{}.json", id.as_u64().unwrap_or_default()));
    v["can_be_solved_by_me"] =
        json!(t.assignee_id.is_some() && !matches!(t.status, Status::Solved | Status::Closed));
    if let Some(o) = v.as_object_mut() {
        for hidden in
            ["group_id", "satisfaction_rating", "submitter_id", "has_incidents", "is_public", "tags"]
        {
            o.remove(hidden);
        }
    }
    v
}

/// 422 for a `comment` whose text is not a string (a requester's comment is always public).
fn comment_kinds(zd: &Map<String, Value>) -> Result<(), ZdError> {
    match zd.get("comment") {
        Some(Value::Object(c)) => check_kinds(c, &[("body", Kind::Str), ("html_body", Kind::Str)]),
        _ => Ok(()),
    }
}

fn text_of(zd: &Map<String, Value>) -> Option<String> {
    let c = zd.get("comment")?;
    let text = c["body"].as_str().or_else(|| c["html_body"].as_str())?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `GET /api/v2/requests`: the caller's own requests (staff: theirs too, as requester), newest
/// update first; `status` (a comma list) narrows them; cursor or offset paging.
pub async fn list(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = Paging::from(&params)?;
    let mut filter = TicketFilter { requester: Some(caller.id()), ..Default::default() };
    for s in params.list("status") {
        let status =
            shapes::parse_status(&s).ok_or_else(|| ZdError::invalid("status", "The status is invalid."))?;
        filter.statuses.push(status);
    }
    let scope = format!("zd-requests|{}|{:?}", caller.id(), filter.statuses);
    let (tickets, after, more) = super::tickets::page_of(&state, &filter, &paging, &scope).await?;
    let refs = Refs::of(&state, &tickets, []).await?;
    let base = base_url(&headers);
    let items = tickets.iter().map(|t| request(t, &refs, &base)).collect();
    let page = ListPage { key: "requests", items, after, more, count: None };
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/requests.json", &params)))
}

/// `GET /api/v2/requests/{id}`.
pub async fn show(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let refs = Refs::of(&state, std::slice::from_ref(&ticket), []).await?;
    Ok(super::ok(&json!({"request": request(&ticket, &refs, &base_url(&headers))})))
}

/// `POST /api/v2/requests`: `{"request": {subject, comment: {body}, priority?}}`, opened by the
/// caller for themself.
pub async fn create(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let zd = envelope(&body, "request")?;
    check_kinds(&zd, &[("subject", Kind::Str), ("priority", Kind::Str), ("comment", Kind::Object)])?;
    comment_kinds(&zd)?;
    let text =
        text_of(&zd).ok_or_else(|| ZdError::invalid("description", "The description cannot be blank."))?;
    let subject_raw = match zd.get("subject").and_then(Value::as_str) {
        Some(s) => s.to_owned(),
        None => text.lines().next().unwrap_or_default().chars().take(150).collect(),
    };
    let subject = Subject::parse(&subject_raw).map_err(|m| ZdError::invalid("subject", m))?;
    let description = Description::parse(&text).map_err(|m| ZdError::invalid("description", m))?;
    let mut fields = TicketPatch::default();
    if let Some(p) = zd.get("priority").and_then(Value::as_str) {
        fields.priority = Some(
            crate::domain::ticket::Priority::parse(p)
                .ok_or_else(|| ZdError::invalid("priority", "The priority is invalid."))?,
        );
    }
    if !caller.role().is_staff() {
        crate::http::throttle::take(
            &state,
            crate::http::throttle::Scope::TicketCreate,
            &caller.id().to_string(),
        )
        .await?;
    }
    let new = NewTicket { subject, description, fields, follow_up_of: None, mail_key: None };
    let actor = Actor::from(&caller);
    let opened = match open_ticket(&state, &actor, caller.user.organization_id, &new, Via::Api, None).await? {
        OpenOutcome::Opened(o) => o,
        OpenOutcome::Replay => return Err(ZdError(ApiError::internal("replay without a key"))),
    };
    let refs = Refs::of(&state, std::slice::from_ref(&opened.ticket), []).await?;
    Ok(super::created(&json!({"request": request(&opened.ticket, &refs, &base_url(&headers))})))
}

/// `PUT /api/v2/requests/{id}`: `{"request": {comment: {body}, solved?}}` — a public comment
/// by the caller; `solved: true` solves it when `can_be_solved_by_me`.
pub async fn update(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let zd = envelope(&body, "request")?;
    check_kinds(&zd, &[("comment", Kind::Object), ("solved", Kind::Bool)])?;
    comment_kinds(&zd)?;
    let comment = text_of(&zd).map(|content| NewComment {
        content,
        is_internal: false,
        attachments: Vec::new(),
        mail_key: None,
    });
    let mut fields = TicketPatch::default();
    if zd.get("solved").and_then(Value::as_bool) == Some(true) {
        if ticket.assignee_id.is_none() || matches!(ticket.status, Status::Solved | Status::Closed) {
            return Err(ZdError::invalid("solved", "This request cannot be solved by you."));
        }
        fields.status = Some(Status::Solved);
    }
    if comment.is_none() && fields.status.is_none() {
        return Err(ZdError::invalid("comment", "The comment body cannot be blank."));
    }
    let actor = Actor::from(&caller);
    let request_change = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: ChangeSet { fields, comment, via: Via::Api, ..Default::default() },
        expected_stamp: None,
        loaded: Some(ticket),
        receipt: None,
    };
    let updated = change_ticket(&state, request_change).await?.applied()?.ticket;
    let refs = Refs::of(&state, std::slice::from_ref(&updated), []).await?;
    Ok(super::ok(&json!({"request": request(&updated, &refs, &base_url(&headers))})))
}

/// `GET /api/v2/requests/{id}/comments`: public comments only (for everyone, as Zendesk's
/// Requests API), the description first.
pub async fn comments(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    Path(raw): Path<String>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let mut all: Vec<Comment> = vec![super::tickets::description_comment(&ticket)];
    let mut after: Option<String> = None;
    // At most 5,000 comments a ticket: bounded.
    loop {
        let (page, more) = state.store.comments_after(ticket.id, after.as_deref(), 100, false).await?;
        after = page.last().map(|c| keys::comment_sk(c.id));
        all.extend(page);
        if !more {
            break;
        }
    }
    let users = state.store.users_by_id(all.iter().map(|c| c.author_id)).await?;
    let number = shapes::ticket_id(&ticket);
    let items: Vec<Value> = all
        .iter()
        .map(|c| {
            let mut v = shapes::comment(c, &users);
            v["request_id"] = json!(number);
            v
        })
        .collect();
    let count = items.len();
    Ok(super::ok(&json!({"comments": items, "next_page": null, "previous_page": null, "count": count})))
}
