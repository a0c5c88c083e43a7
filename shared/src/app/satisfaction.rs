//! Rating a ticket: one use case for `POST /tickets/{id}/satisfaction` (signed in, or by the
//! survey link's token) and the older `PATCH /tickets/{id}` with `satisfaction`. The rating
//! record is written in the same transaction as the ticket's new `satisfaction` (through the
//! change path, audited "Satisfaction rated ..."), carrying the assignee and group of that
//! moment.
use super::ticket_change::{change_ticket, Applied, ChangeRequest, ChangeSet};
use super::Actor;
use crate::auth::link::{LinkKey, Purpose};
use crate::clock::Timestamp;
use crate::domain::satisfaction::{in_window, link_expiry, Rating, OUTSIDE_WINDOW};
use crate::domain::ticket::{Satisfaction, Status, Ticket, TicketPatch, Via};
use crate::store::satisfaction::rating_write;
use crate::{ApiError, AppState};
use std::sync::Mutex;
use uuid::Uuid;

/// What the requester says.
#[derive(Debug, Clone)]
pub struct Score {
    /// `good` or `bad` (checked by the caller's parse and by the ticket rules).
    pub score: Satisfaction,
    pub comment: Option<String>,
    pub reason: Option<String>,
}

/// The survey link's token for `t`'s requester: good until the rating window closes.
pub fn survey_token(links: &LinkKey, t: &Ticket) -> Option<String> {
    let expires = link_expiry(t)?.unix_timestamp();
    Some(links.issue(Purpose::Satisfaction, t.requester_id, &t.id.to_string(), expires))
}

/// Whether `token` is a survey link for `t` (its requester, this ticket, unexpired at `now`).
pub fn token_opens(links: &LinkKey, t: &Ticket, token: &str, now: i64) -> bool {
    LinkKey::claimed(token).is_some_and(|c| {
        c.user_id == t.requester_id && links.verify(Purpose::Satisfaction, &c, &t.id.to_string(), now)
    })
}

/// Records `score` on `ticket` for its requester (`rater`), if the ticket may be rated now.
pub async fn rate(
    state: &AppState,
    ticket: Ticket,
    rater: &Actor,
    score: Score,
    via: Via,
) -> Result<(Rating, Ticket), ApiError> {
    let now = Timestamp::now();
    if !matches!(ticket.status, Status::Solved | Status::Closed) {
        let rule = crate::domain::ticket::RATING_NEEDS_SOLVED;
        return Err(ApiError::invalid(rule.field, rule.message));
    }
    if !in_window(&ticket, now.0) {
        return Err(ApiError::invalid("satisfaction", OUTSIDE_WINDOW));
    }
    let number = state.store.take_number(crate::store::numbers::Numbered::Rating).await?;
    let rating_of = |t: &Ticket| Rating {
        id: Uuid::now_v7(),
        number: Some(number),
        ticket_id: t.id,
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        group_id: t.group_id,
        score: score.score,
        comment: score.comment.clone(),
        reason: score.reason.clone(),
        created_at: now,
        updated_at: now,
    };
    let written: Mutex<Option<Rating>> = Mutex::new(None);
    let with_rating = |a: &Applied| {
        let r = rating_of(&a.ticket);
        let write = rating_write(&r)?;
        *written.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
        Ok(vec![write])
    };
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: rater,
        changes: ChangeSet {
            fields: TicketPatch { satisfaction: Some(score.score), ..Default::default() },
            via,
            ..Default::default()
        },
        expected_stamp: None,
        loaded: Some(ticket),
        receipt: Some(&with_rating),
    };
    let applied = change_ticket(state, request).await?.applied()?;
    let recorded = written.lock().unwrap_or_else(|p| p.into_inner()).take();
    let rating = match recorded.filter(|_| !applied.changes.is_empty()) {
        Some(r) => r,
        None => {
            // The same score again (a new comment, say): the ticket does not change, the
            // rating is recorded on its own.
            let r = rating_of(&applied.ticket);
            state.store.put_rating(&r).await?;
            r
        }
    };
    Ok((rating, applied.ticket))
}
