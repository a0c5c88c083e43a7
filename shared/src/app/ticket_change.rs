//! The one path every ticket change takes, whoever asks: the web routes (PATCH, status,
//! assign, comments), the auto-close schedule, and every later caller (mail, macros, rules,
//! the Zendesk API).
//!
//! load → apply the typed change set under the domain rules → audit records → one
//! conditional transaction (ticket version, comment, attachment links, idempotency receipt)
//! → on a version conflict, re-apply the same change set to the fresh ticket, with backoff and
//! jitter. A caller that sent `expected_stamp` gets a 409 instead of a re-apply.
use super::Actor;
use crate::clock::Timestamp;
use crate::domain::attachment::Attachment;
use crate::domain::comment::{Change, Comment};
use crate::domain::ticket::{FieldChange, Status, Ticket, TicketPatch, Via, CLOSED_IS_FINAL};
use crate::store::attachments::link_write;
use crate::store::tickets::{change_item, comment_item};
use crate::store::{Guard, TxError, TxWrite};
use crate::{ApiError, AppState};
use std::time::Duration;
use uuid::Uuid;

/// How often a change is re-applied after losing a race before the caller gets a 409.
pub const MAX_ATTEMPTS: u32 = 12;
/// First backoff (doubled per attempt, up to [`MAX_BACKOFF`], with full jitter).
const BASE_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_millis(320);

pub const STALE_MESSAGE: &str = "The ticket was changed by someone else. Reload and try again.";
pub const BUSY_MESSAGE: &str = "The ticket is being changed concurrently. Try again.";

/// A comment to add with the change.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub content: String,
    pub is_internal: bool,
    /// Pending uploads of this ticket to link to the comment (checked by the caller).
    pub attachments: Vec<Attachment>,
    /// The received message it comes from (mail in).
    pub mail_key: Option<String>,
}

/// What to change: typed fields (tags set, added, removed), a comment, and the channel.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    pub fields: TicketPatch,
    pub comment: Option<NewComment>,
    pub via: Via,
    /// Appended to each audit sentence, e.g. "automatically after 4 days".
    pub reason: Option<String>,
    /// The automation making the change (audited with its id and title).
    pub rule: Option<super::triggers::RuleRef>,
    /// Notifications the rule asks for, written with the change.
    pub notifications: Vec<crate::domain::actions::Notification>,
    /// The breach timer's touch: the moment (its clock) the SLA clocks are looked at. The
    /// ticket is written only if a breach happened by then.
    pub as_of: Option<Timestamp>,
    /// The ticket is being merged into another ([`Mover::Merge`]: it may close from any
    /// status; see `app::ticket_merge`).
    pub merge: bool,
}

/// What a successful change wrote.
#[derive(Debug, Clone)]
pub struct Applied {
    pub before: Ticket,
    pub ticket: Ticket,
    pub changes: Vec<Change>,
    pub comment: Option<Comment>,
}

/// Builds the extra write that records the caller's response in the same transaction (the
/// idempotency receipt), from what is about to be written.
pub type Receipt<'a> = &'a (dyn Fn(&Applied) -> Result<Vec<TxWrite>, ApiError> + Send + Sync);

/// A change to make.
pub struct ChangeRequest<'a> {
    pub ticket_id: Uuid,
    pub actor: &'a Actor,
    pub changes: ChangeSet,
    /// Safe update: only if the ticket is still at this version (409 otherwise).
    pub expected_stamp: Option<String>,
    /// The ticket as the caller already read it (saves the first read).
    pub loaded: Option<Ticket>,
    pub receipt: Option<Receipt<'a>>,
}

/// How a change ended (errors aside).
#[derive(Debug)]
pub enum Outcome {
    /// Written (or nothing to write: `changes` empty, no comment, ticket unchanged).
    Applied(Box<Applied>),
    /// The receipt's key was taken by a concurrent request: answer as that one did.
    Replay,
}

impl Outcome {
    /// The applied change; a replay (only possible with a receipt) is a bug for the caller.
    pub fn applied(self) -> Result<Applied, ApiError> {
        match self {
            Outcome::Applied(a) => Ok(*a),
            Outcome::Replay => Err(ApiError::internal("replay without a receipt")),
        }
    }
}

/// Applies one change set to one ticket. See the module docs for the steps.
pub async fn change_ticket(state: &AppState, req: ChangeRequest<'_>) -> Result<Outcome, ApiError> {
    let mut fresh = req.loaded;
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(backoff(attempt)).await;
        }
        let current = match fresh.take() {
            Some(t) => t,
            None => state.store.get_ticket(req.ticket_id).await?.ok_or(ApiError::NotFound)?,
        };
        if !req.actor.may_see(&current) {
            return Err(ApiError::NotFound);
        }
        if req.expected_stamp.as_deref().is_some_and(|s| s != current.updated_stamp) {
            return Err(ApiError::Conflict(STALE_MESSAGE.into()));
        }
        // Group rules: an assignee without a group brings their default group; an assignee
        // must be a member of the ticket's group.
        let mut set = req.changes.clone();
        super::with_default_group(state, current.group_id, &mut set.fields).await?;
        let mut applied = plan(req.actor, &current, &set)?;
        super::check_assignee_in_group(state, Some(&current), &applied.ticket).await?;
        let clock = set.as_of.unwrap_or_else(Timestamp::now).0;
        if set.as_of.is_some() {
            // The timer: breaches are the change (and what triggers then look at).
            let breaches = super::sla::update_clocks(state, &mut applied.ticket, clock).await?;
            applied.changes.extend(breaches);
        }
        if applied.changes.is_empty() && applied.comment.is_none() && applied.ticket.sla == current.sla {
            return Ok(Outcome::Applied(Box::new(applied)));
        }
        // Triggers, inside the write: their changes and notifications land with this one.
        let event = super::triggers::Event {
            actor: req.actor,
            before: Some(&current),
            comment: applied.comment.as_ref().map(|c| (c.id, !c.is_internal)),
            now: Timestamp(clock),
        };
        let mut writes =
            super::triggers::run(state, &event, &mut applied.ticket, &mut applied.changes).await?;
        // The SLA clocks follow the ticket as it will be written (triggers' changes included).
        let breaches = super::sla::update_clocks(state, &mut applied.ticket, clock).await?;
        applied.changes.extend(breaches);
        if applied.ticket.updated_stamp == current.updated_stamp {
            // Only the clocks moved (a breach): a new version all the same.
            applied.ticket.updated_stamp = Uuid::now_v7().to_string();
        }
        // An automation's notifications, written with its change.
        if let Some(rule) = &set.rule {
            writes.extend(super::triggers::notification_writes(
                applied.ticket.id,
                rule,
                set.notifications.clone(),
                None,
                req.actor.id(),
                applied.ticket.updated_at,
            )?);
        }
        if let Some(c) = &applied.comment {
            writes.push(TxWrite::new_only(comment_item(c)?));
            for a in req.changes.comment.iter().flat_map(|c| &c.attachments) {
                writes.push(link_write(a, c.id)?);
            }
        }
        for c in &applied.changes {
            writes.push(TxWrite::plain(change_item(c)?));
        }
        if let Some(receipt) = req.receipt {
            writes.extend(receipt(&applied)?);
        }
        match state.store.save_ticket(&current, &applied.ticket, writes).await {
            Ok(()) => return Ok(Outcome::Applied(Box::new(applied))),
            Err(e) if e.failed(Guard::IdempotencyReplay) => return Ok(Outcome::Replay),
            Err(e) if e.failed(Guard::AttachmentTaken) => {
                return Err(ApiError::invalid(
                    "attachment_ids",
                    "An attachment is already linked to another comment.",
                ))
            }
            Err(e) if e.failed(Guard::StaleTicket) && req.expected_stamp.is_some() => {
                return Err(ApiError::Conflict(STALE_MESSAGE.into()))
            }
            Err(TxError::ConditionFailed(_) | TxError::Contended) => {
                tracing::debug!(attempt, ticket_id = %req.ticket_id, "ticket changed concurrently; re-applying");
                continue;
            }
            Err(TxError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict(BUSY_MESSAGE.into()))
}

/// The pure part: what the change set does to `current` (domain rules, audit records, the
/// comment and the status it moves), or the rule it breaks.
pub fn plan(actor: &Actor, current: &Ticket, set: &ChangeSet) -> Result<Applied, ApiError> {
    let invalid = |v: crate::domain::ticket::RuleViolation| ApiError::invalid(v.field, v.message);
    let mut fields = set.fields.clone();
    if let Some(c) = &set.comment {
        if current.status == Status::Closed {
            return Err(invalid(CLOSED_IS_FINAL));
        }
        // A comment moves the status (agent reply opens a new ticket, the requester's reply
        // reopens), unless the same change sets the status itself.
        if fields.status.is_none() {
            if let Some(author) = actor.id() {
                fields.status = current.status_after_comment(author, actor.is_staff(), c.is_internal);
            }
        }
    }
    let mover = if set.merge { crate::domain::ticket::Mover::Merge } else { actor.mover() };
    let (mut next, field_changes) = current.apply(&fields, mover).map_err(invalid)?;
    let now = Timestamp::now();
    if set.comment.as_ref().is_some_and(|c| !c.is_internal) {
        next.mark_public_comment(actor.is_staff(), now);
    }
    if set.comment.is_some() && current.comment_count >= crate::domain::comment::MAX_COMMENTS {
        return Err(ApiError::invalid(
            "content",
            format!("A ticket takes at most {} comments.", crate::domain::comment::MAX_COMMENTS),
        ));
    }
    let comment = match (&set.comment, actor.id()) {
        (Some(c), Some(author)) => Some(Comment {
            id: Uuid::now_v7(),
            number: crate::domain::ticket::TicketNumber::parse(&current.ticket_number)
                .map(|n| crate::domain::comment::comment_number(n.0, current.comment_count + 1)),
            ticket_id: current.id,
            author_id: author,
            content: c.content.clone(),
            is_internal: c.is_internal,
            attachment_ids: c.attachments.iter().map(|a| a.id).collect(),
            mail_key: c.mail_key.clone(),
            created_at: now,
            updated_at: now,
        }),
        (Some(_), None) => return Err(ApiError::internal("a comment needs an author")),
        (None, _) => None,
    };
    if comment.is_some() {
        next.comment_count = current.comment_count + 1;
    }
    if !field_changes.is_empty() || comment.is_some() {
        next.updated_at = now;
        next.updated_stamp = Uuid::now_v7().to_string();
        next.mark_times(Some(current), actor.id(), now);
    }
    let changes =
        field_changes.iter().map(|c| audit(current.id, actor, c, set, now)).collect::<Vec<Change>>();
    Ok(Applied { before: current.clone(), ticket: next, changes, comment })
}

/// The audit record of one changed field.
pub fn audit(ticket_id: Uuid, actor: &Actor, c: &FieldChange, set: &ChangeSet, now: Timestamp) -> Change {
    Change {
        id: Uuid::now_v7(),
        ticket_id,
        agent_id: actor.id(),
        field_name: c.field.to_owned(),
        old_value: c.old.clone(),
        new_value: c.new.clone(),
        action: match &set.reason {
            Some(r) => format!("{} ({r})", c.action),
            None => c.action.clone(),
        },
        via: set.via,
        rule_id: set.rule.as_ref().map(|r| r.id),
        rule_title: set.rule.as_ref().map(|r| r.title.clone()),
        created_at: now,
    }
}

/// Racing writers back off ([`crate::clock::backoff`]) instead of colliding again in lockstep.
fn backoff(attempt: u32) -> Duration {
    crate::clock::backoff(BASE_BACKOFF, MAX_BACKOFF, attempt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ticket::Priority;
    use crate::domain::user::Role;

    fn ticket(requester: Uuid) -> Ticket {
        Ticket {
            subject: "s".into(),
            description: "d".into(),
            updated_stamp: "s1".into(),
            ..Ticket::blank(1, requester, Timestamp::stored("2026-11-26T00:00:00.000Z"))
        }
    }

    fn comment(internal: bool) -> ChangeSet {
        ChangeSet {
            comment: Some(NewComment { content: "hi".into(), is_internal: internal, ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn an_agent_reply_opens_and_is_audited_with_its_channel() {
        let agent = Actor::user(Uuid::now_v7(), Role::Agent);
        let t = ticket(Uuid::now_v7());
        let mut set = comment(false);
        set.via = Via::Email;
        let a = plan(&agent, &t, &set).unwrap();
        assert_eq!(a.ticket.status, Status::Open);
        assert_eq!(a.changes.len(), 1);
        assert_eq!(a.changes[0].via, Via::Email);
        assert_ne!(a.ticket.updated_stamp, t.updated_stamp);
        let note = plan(&agent, &t, &comment(true)).unwrap();
        assert_eq!(note.ticket.status, Status::New, "internal notes move nothing");
        assert!(note.changes.is_empty() && note.comment.is_some());
    }

    #[test]
    fn an_explicit_status_wins_over_the_comment_rule() {
        let agent = Actor::user(Uuid::now_v7(), Role::Agent);
        let t = ticket(Uuid::now_v7());
        let mut set = comment(false);
        set.fields.status = Some(Status::Pending);
        assert_eq!(plan(&agent, &t, &set).unwrap().ticket.status, Status::Pending);
    }

    #[test]
    fn nothing_to_do_writes_nothing() {
        let agent = Actor::user(Uuid::now_v7(), Role::Agent);
        let t = ticket(Uuid::now_v7());
        let set = ChangeSet {
            fields: TicketPatch { priority: Some(Priority::Normal), ..Default::default() },
            ..Default::default()
        };
        let a = plan(&agent, &t, &set).unwrap();
        assert!(a.changes.is_empty());
        assert_eq!(a.ticket, t, "same version when nothing changed");
    }

    #[test]
    fn the_system_closes_with_a_reason() {
        let mut t = ticket(Uuid::now_v7());
        t.status = Status::Open;
        let set = ChangeSet {
            fields: TicketPatch { status: Some(Status::Closed), ..Default::default() },
            via: Via::Rule,
            reason: Some("automatically after 4 days".into()),
            ..Default::default()
        };
        let a = plan(&Actor::System, &t, &set).unwrap();
        assert_eq!(a.changes[0].action, "Status changed from open to closed (automatically after 4 days)");
        assert_eq!(a.changes[0].agent_id, None);
        let agent = Actor::user(Uuid::now_v7(), Role::Agent);
        assert!(plan(&agent, &t, &set).is_err(), "a person closes only solved tickets");
    }

    #[test]
    fn backoff_stays_under_its_cap() {
        for attempt in 0..20 {
            assert!(backoff(attempt) <= MAX_BACKOFF);
        }
    }
}
