//! Opening a ticket: the counterpart of the change path for a ticket that does not exist yet.
//! Same rules (the transition table from "no status", solving needs an assignee), same audit,
//! one transaction with the ticket-number claim and the caller's receipt.
use super::ticket_change::Receipt;
use super::Actor;
use crate::clock::Timestamp;
use crate::domain::comment::Change;
use crate::domain::ticket::{
    check_transition, ticket_number, Description, Priority, Satisfaction, Status, Subject, Ticket,
    TicketPatch, Via, SOLVE_NEEDS_ASSIGNEE,
};
use crate::store::tickets::{change_item, ticket_counter_write, ticket_number_item, ticket_writes};
use crate::store::{Guard, TxError, TxWrite};
use crate::{ApiError, AppState};
use uuid::Uuid;

/// A ticket about to be written, with its creation record.
#[derive(Debug, Clone)]
pub struct Opened {
    pub ticket: Ticket,
    pub change: Change,
}

/// How opening ended (errors aside).
#[derive(Debug)]
pub enum OpenOutcome {
    Opened(Box<Opened>),
    /// The receipt's key was taken by a concurrent request: answer as that one did.
    Replay,
}

/// What a new ticket needs: a subject and a description; the other fields are optional (their
/// `subject`/`description` are ignored).
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: Subject,
    pub description: Description,
    pub fields: TicketPatch,
    /// Mail in: the closed ticket this one follows up, and the message that opened it.
    pub follow_up_of: Option<Uuid>,
    pub mail_key: Option<String>,
}

/// Builds the ticket a creator asks for. The requester defaults to the creator and the
/// organization to the creator's own when they open it for themself.
pub fn build(
    creator: &Actor,
    creator_org: Option<Uuid>,
    new: &NewTicket,
    via: Via,
    number: u64,
) -> Result<Opened, ApiError> {
    let fields = &new.fields;
    let invalid = |v: crate::domain::ticket::RuleViolation| ApiError::invalid(v.field, v.message);
    let status = fields.status.unwrap_or(Status::New);
    check_transition(None, status, creator.mover()).map_err(invalid)?;
    let assignee = fields.assignee_id.flatten();
    if status == Status::Solved && assignee.is_none() {
        return Err(invalid(SOLVE_NEEDS_ASSIGNEE));
    }
    let requester = match (fields.requester_id, creator.id()) {
        (Some(r), _) | (None, Some(r)) => r,
        (None, None) => return Err(ApiError::internal("a ticket needs a requester")),
    };
    let organization_id = match fields.organization_id {
        Some(o) => o,
        None => creator_org.filter(|_| fields.requester_id.is_none()),
    };
    let mut tags = fields.tags.as_ref().map(|t| t.as_slice().to_vec()).unwrap_or_default();
    tags.extend(fields.add_tags.iter().filter(|t| !tags.contains(t)).cloned().collect::<Vec<_>>());
    tags.retain(|t| !fields.remove_tags.contains(t));
    tags.sort();
    let now = Timestamp::now();
    let ticket = Ticket {
        id: Uuid::now_v7(),
        ticket_number: ticket_number(number),
        subject: new.subject.as_str().to_owned(),
        description: new.description.as_str().to_owned(),
        status,
        priority: fields.priority.unwrap_or(Priority::Normal),
        satisfaction: if status == Status::Solved { Satisfaction::Offered } else { Satisfaction::Unoffered },
        requester_id: requester,
        assignee_id: assignee,
        organization_id,
        group_id: fields.group_id.flatten(),
        via,
        follow_up_of: new.follow_up_of,
        mail_key: new.mail_key.clone(),
        due_date: fields.due_date.flatten().map(|d| Timestamp(d.at())),
        tags,
        custom_fields: fields.custom_fields.as_ref().map(|c| c.as_map().clone()).unwrap_or_default(),
        created_at: now,
        updated_at: now,
        updated_stamp: Uuid::now_v7().to_string(),
        times: Default::default(),
        comment_count: 0,
        sla: None,
    };
    let change = Change {
        id: Uuid::now_v7(),
        ticket_id: ticket.id,
        agent_id: creator.id(),
        field_name: "ticket".into(),
        old_value: None,
        new_value: Some(ticket.ticket_number.clone()),
        action: "Ticket created".into(),
        via,
        rule_id: None,
        rule_title: None,
        created_at: now,
    };
    let mut ticket = ticket;
    ticket.mark_times(None, creator.id(), now);
    // The description is the requester's first message: the first-reply clock's start.
    ticket.times.awaiting_reply_since = Some(now);
    ticket.check_size().map_err(invalid)?;
    Ok(Opened { ticket, change })
}

/// Every round of racing creators lets at least one of them through, so the budget is sized for
/// bursts of concurrent creates (the tests run 50 at once), not for one slow writer.
const NUMBER_ATTEMPTS: u32 = 100;

/// Short full-jitter waits (under 40 ms): the counter is one item, a round is one read and one
/// transaction, and waiting longer only lowers the desk's ticket throughput.
fn number_backoff(attempt: u32) -> std::time::Duration {
    let ceiling = std::time::Duration::from_millis(5 << attempt.min(3));
    let mut raw = [0u8; 4];
    let fraction = match getrandom::fill(&mut raw) {
        Ok(()) => f64::from(u32::from_le_bytes(raw)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    };
    ceiling.mul_f64(fraction)
}

/// Opens a ticket: builds it under the rules, then writes it with the next number (the counter
/// moves in the same transaction), its number claim, its creation record and the receipt. When
/// another ticket took that number first, the counter is read again and the write retried
/// with backoff, so a failed create leaves no gap.
pub async fn open_ticket(
    state: &AppState,
    creator: &Actor,
    creator_org: Option<Uuid>,
    new: &NewTicket,
    via: Via,
    receipt: Option<Receipt<'_>>,
) -> Result<OpenOutcome, ApiError> {
    // Rules first: a refused ticket writes nothing.
    let mut new = new.clone();
    super::with_default_group(state, None, &mut new.fields).await?;
    let new = &new;
    let draft = build(creator, creator_org, new, via, 0)?;
    super::check_assignee_in_group(state, None, &draft.ticket).await?;
    // Creators in one process take turns (a Lambda container serves one request at a time, so
    // this costs nothing there; the local stack and tests serve many at once, and racing them
    // on one counter item would cost a round per rival). Across processes the counter's
    // condition decides.
    let _turn = state.numbering.lock().await;
    for attempt in 0..NUMBER_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(number_backoff(attempt)).await;
        }
        let last = state.store.last_ticket_number().await?;
        let mut opened = build(creator, creator_org, new, via, last + 1)?;
        // Triggers, inside the write (update type `create`).
        let event = super::triggers::Event {
            actor: creator,
            before: None,
            comment: None,
            now: opened.ticket.created_at,
        };
        let mut rule_changes = Vec::new();
        let notifications =
            super::triggers::run(state, &event, &mut opened.ticket, &mut rule_changes).await?;
        let created_at = opened.ticket.created_at.0;
        rule_changes.extend(super::sla::update_clocks(state, &mut opened.ticket, created_at).await?);
        let mut writes = ticket_writes(None, &opened.ticket)?;
        writes.extend(notifications);
        for c in &rule_changes {
            writes.push(TxWrite::plain(change_item(c)?));
        }
        writes.push(ticket_counter_write(last));
        writes.push(TxWrite::new_only(ticket_number_item(last + 1, opened.ticket.id)?));
        writes.push(TxWrite::plain(change_item(&opened.change)?));
        if let Some(receipt) = receipt {
            let applied = super::ticket_change::Applied {
                before: opened.ticket.clone(),
                ticket: opened.ticket.clone(),
                changes: vec![opened.change.clone()],
                comment: None,
            };
            writes.extend(receipt(&applied)?);
        }
        match state.store.transact(writes).await {
            Ok(()) => return Ok(OpenOutcome::Opened(Box::new(opened))),
            Err(e) if e.failed(Guard::IdempotencyReplay) => return Ok(OpenOutcome::Replay),
            Err(e) if e.failed(Guard::StaleCounter) || matches!(e, TxError::Contended) => continue,
            Err(TxError::Store(e)) => return Err(e.into()),
            Err(e) => return Err(ApiError::internal(format!("ticket create failed: {e}"))),
        }
    }
    Err(ApiError::Conflict("Too many tickets are being opened at this moment. Try again.".into()))
}
