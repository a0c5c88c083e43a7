//! A ticket's history and its ratings in Zendesk's shapes: `GET /api/v2/tickets/{id}/audits`
//! (staff) and `GET /api/v2/satisfaction_ratings` (admins).
use super::shapes::{self, Refs};
use super::tickets::{description_comment, visible};
use super::{base_url, ListPage, Paging, ZdError, ZdResult, ZdStaff};
use crate::domain::ticket::Satisfaction;
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::satisfaction::RatingFilter;
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::{json, Value};
use uuid::Uuid;

/// Audit ids: the ticket's number × this + the audit's place in the ticket's history (the
/// creation is place 1). Comments and audits are numbered apart, as Zendesk's are.
pub const AUDIT_SLOTS: u64 = 100_000;

/// `GET /api/v2/tickets/{id}/audits` (staff): the creation, then each change (the fields one
/// write changed and its comment, grouped by moment and author), oldest first.
pub async fn audits(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    Path(raw): Path<String>,
) -> ZdResult {
    let ticket = visible(&state, &caller, &raw).await?;
    let page = state.store.ticket_page(ticket.id).await?;
    let number = shapes::ticket_id(&ticket).unwrap_or_default();
    let users = state
        .store
        .users_by_id(
            page.comments
                .iter()
                .map(|c| c.author_id)
                .chain(page.changes.iter().filter_map(|c| c.agent_id))
                .chain([ticket.requester_id]),
        )
        .await?;
    let user_number = |id: Option<Uuid>| json!(id.and_then(|id| users.get(&id)).and_then(|u| u.number));
    // (moment, author) → events, in time order.
    let mut groups: Vec<(crate::clock::Timestamp, Option<Uuid>, String, Vec<Value>)> = Vec::new();
    let mut push = |at: crate::clock::Timestamp, author: Option<Uuid>, via: String, event: Value| match groups
        .iter_mut()
        .find(|(t, a, _, _)| *t == at && *a == author)
    {
        Some(g) => g.3.push(event),
        None => groups.push((at, author, via, vec![event])),
    };
    // The creation: its change record names who opened it (the requester, or staff for them).
    let opener = page
        .changes
        .iter()
        .find(|c| c.action == "Ticket created")
        .map_or(Some(ticket.requester_id), |c| c.agent_id);
    let description = description_comment(&ticket);
    push(
        ticket.created_at,
        opener,
        ticket.via.as_str().to_owned(),
        json!({"id": description.number, "type": "Comment", "author_id": user_number(opener), "body": ticket.description, "public": true}),
    );
    for c in &page.changes {
        if c.action == "Ticket created" {
            for (field, value) in
                [("subject", json!(ticket.subject)), ("requester_id", user_number(Some(ticket.requester_id)))]
            {
                push(
                    c.created_at,
                    c.agent_id,
                    c.via.as_str().to_owned(),
                    json!({"type": "Create", "field_name": field, "value": value}),
                );
            }
            continue;
        }
        let event = json!({"type": "Change", "field_name": c.field_name, "value": c.new_value, "previous_value": c.old_value});
        push(c.created_at, c.agent_id, c.via.as_str().to_owned(), event);
    }
    for c in &page.comments {
        push(
            c.created_at,
            Some(c.author_id),
            "api".to_owned(),
            json!({"id": c.number, "type": "Comment", "author_id": user_number(Some(c.author_id)), "body": c.content, "public": !c.is_internal}),
        );
    }
    groups.sort_by_key(|g| g.0);
    let audits: Vec<Value> = groups
        .into_iter()
        .enumerate()
        .map(|(i, (at, author, via, events))| {
            json!({
                "id": number * AUDIT_SLOTS + i as u64 + 1,
                "ticket_id": number,
                "created_at": at,
                "author_id": user_number(author),
                "via": {"channel": via},
                "events": events,
            })
        })
        .collect();
    let count = audits.len();
    Ok(super::ok(&json!({"audits": audits, "next_page": null, "previous_page": null, "count": count})))
}

/// `GET /api/v2/satisfaction_ratings` (admins): newest first; `score` (`good`, `bad`),
/// `start_time` / `end_time` (unix seconds); cursor or offset paging.
pub async fn ratings(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    caller.require_admin()?;
    let paging = Paging::from(&params)?;
    let mut filter = RatingFilter::default();
    if let Some(raw) = params.one("score") {
        filter.score = Some(
            Satisfaction::parse(&raw)
                .filter(|s| matches!(s, Satisfaction::Good | Satisfaction::Bad))
                .ok_or_else(|| ZdError::invalid("score", "The score must be good or bad."))?,
        );
    }
    let moment = |name: &str| -> Result<Option<crate::clock::Timestamp>, ZdError> {
        match params.one(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
                .map(|t| Some(crate::clock::Timestamp(t)))
                .ok_or_else(|| ZdError::bad_request(format!("{name} must be a unix time in seconds"))),
        }
    };
    filter.from = moment("start_time")?;
    filter.to = moment("end_time")?;
    let scope = format!("zd-ratings|{:?}|{:?}|{:?}", filter.score, filter.from, filter.to);
    let mut exhausted = false;
    let size = match &paging {
        Paging::Cursor { size, .. } => {
            filter.before = paging.cursor_position(&state, &scope)?;
            *size
        }
        Paging::Offset { page, per_page } => {
            // Skips the earlier pages 100 ratings a read (at most 10,000 records).
            let mut skip = (page - 1) * per_page;
            while skip > 0 && !exhausted {
                let (seen, more) = state.store.list_ratings(&filter, skip.min(100)).await?;
                skip -= seen.len();
                if let Some((sort, _)) = seen.last() {
                    filter.before = Some(sort.clone());
                }
                exhausted = !more && skip > 0;
            }
            *per_page
        }
    };
    let (rows, more) =
        if exhausted { (Vec::new(), false) } else { state.store.list_ratings(&filter, size).await? };
    let after = (matches!(paging, Paging::Cursor { .. }) && more)
        .then_some(())
        .and_then(|_| rows.last().map(|(s, _)| state.cursors.encode(&scope, s)));
    let tickets =
        state.store.tickets_by_id(&rows.iter().map(|(_, r)| r.ticket_id).collect::<Vec<_>>()).await?;
    let people: Vec<Uuid> =
        rows.iter().flat_map(|(_, r)| [Some(r.requester_id), r.assignee_id]).flatten().collect();
    let refs = Refs::of(&state, &tickets, people).await?;
    let groups = &refs.groups;
    let base = base_url(&headers);
    let items = rows
        .iter()
        .map(|(_, r)| {
            let number =
                |id: Option<Uuid>| json!(id.and_then(|id| refs.users.get(&id)).and_then(|u| u.number));
            json!({
                "id": r.number,
                "url": format!("{base}/api/v2/satisfaction_ratings/{}.json", r.number.unwrap_or_default()),
                "assignee_id": number(r.assignee_id),
                "group_id": r.group_id.and_then(|g| groups.get(&g)).and_then(|g| g.number),
                "requester_id": number(Some(r.requester_id)),
                "ticket_id": tickets.iter().find(|t| t.id == r.ticket_id).and_then(shapes::ticket_id),
                "score": r.score.as_str(),
                "comment": r.comment,
                "reason": r.reason,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            })
        })
        .collect();
    let page = ListPage { key: "satisfaction_ratings", items, after, more, count: None };
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/satisfaction_ratings.json", &params)))
}
