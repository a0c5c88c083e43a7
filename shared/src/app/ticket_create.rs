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
use crate::store::tickets::{change_item, ticket_number_item, ticket_writes};
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
        due_date: fields.due_date.flatten().map(|d| Timestamp(d.at())),
        tags,
        custom_fields: fields.custom_fields.as_ref().map(|c| c.as_map().clone()).unwrap_or_default(),
        created_at: now,
        updated_at: now,
        updated_stamp: Uuid::now_v7().to_string(),
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
        created_at: now,
    };
    Ok(Opened { ticket, change })
}

/// Opens a ticket: takes the next number, builds it under the rules, writes it with its
/// number claim, its creation record and the receipt in one transaction.
pub async fn open_ticket(
    state: &AppState,
    creator: &Actor,
    creator_org: Option<Uuid>,
    new: &NewTicket,
    via: Via,
    receipt: Option<Receipt<'_>>,
) -> Result<OpenOutcome, ApiError> {
    // Rules first, so a refused ticket does not use up a number.
    build(creator, creator_org, new, via, 0)?;
    let number = state.store.next_ticket_number().await?;
    let opened = build(creator, creator_org, new, via, number)?;
    let mut writes = ticket_writes(None, &opened.ticket)?;
    writes.push(TxWrite::new_only(ticket_number_item(number, opened.ticket.id)?));
    writes.push(TxWrite::plain(change_item(&opened.change)?));
    if let Some(receipt) = receipt {
        let applied = super::ticket_change::Applied {
            before: opened.ticket.clone(),
            ticket: opened.ticket.clone(),
            changes: vec![opened.change.clone()],
            comment: None,
        };
        writes.push(receipt(&applied)?);
    }
    match state.store.transact(writes).await {
        Ok(()) => Ok(OpenOutcome::Opened(Box::new(opened))),
        Err(e) if e.failed(Guard::IdempotencyReplay) => Ok(OpenOutcome::Replay),
        Err(TxError::Store(e)) => Err(e.into()),
        Err(e) => Err(ApiError::internal(format!("ticket create failed: {e}"))),
    }
}
