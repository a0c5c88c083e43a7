//! SLA clocks in the change path: which policy applies to a ticket as it is about to be
//! written, its clocks advanced ([`crate::domain::sla::advance`]), and each breach that
//! happened by then turned into a change record (`via: rule`, the policy as the rule). The
//! breach timer ([`sweep`]) is one more caller of the change path: it touches tickets whose
//! next breach has passed, and the clocks record it, once.
use super::ticket_change::{change_ticket, ChangeRequest, ChangeSet};
use super::Actor;
use crate::clock::Timestamp;
use crate::domain::comment::Change;
use crate::domain::conditions::{Conditions, Facts};
use crate::domain::schedules::Hours;
use crate::domain::sla::{advance, Applicable, Breach, PolicyRef};
use crate::domain::ticket::{Ticket, Via};
use crate::store::sla::SlaPolicy;
use crate::{ApiError, AppState};
use time::OffsetDateTime;
use uuid::Uuid;

/// The first policy (by position) whose filter matches `t`, with its schedule.
pub async fn policy_for(
    state: &AppState,
    t: &Ticket,
    now: OffsetDateTime,
) -> Result<Option<(SlaPolicy, Option<Hours>)>, ApiError> {
    let policies = state.store.all_sla_policies().await?;
    let facts = Facts::of(t, now, None);
    let Some(policy) = policies.into_iter().find(|p| {
        let raw: serde_json::Value = serde_json::from_str(&p.filter).unwrap_or_default();
        match Conditions::parse(&raw) {
            Ok(c) => c.matches(&facts),
            Err(_) => {
                tracing::warn!(policy = %p.id, "stored SLA filter does not parse; skipped");
                false
            }
        }
    }) else {
        return Ok(None);
    };
    let hours = match policy.schedule_id {
        Some(id) => match state.store.get_schedule(id).await? {
            Some(s) => Hours::new(&s.time_zone, &s.intervals, &s.holidays).ok(),
            None => None,
        },
        None => None,
    };
    Ok(Some((policy, hours)))
}

/// Advances `next`'s clocks (the ticket about to be written) at `now` and returns the change
/// records of the breaches that happened by then.
pub async fn update_clocks(
    state: &AppState,
    next: &mut Ticket,
    now: OffsetDateTime,
) -> Result<Vec<Change>, ApiError> {
    // Nothing to look up for a desk without policies and a ticket without clocks.
    let found = policy_for(state, next, now).await?;
    let applicable = found.as_ref().map(|(p, hours)| {
        Applicable::new(
            PolicyRef { id: p.id, title: p.title.clone() },
            &p.policy_metrics,
            next.priority,
            hours.as_ref(),
        )
    });
    let (sla, breaches) = advance(next.sla.as_ref(), applicable.as_ref(), next, now);
    next.sla = sla;
    let policy = found.map(|(p, _)| PolicyRef { id: p.id, title: p.title });
    Ok(breaches.iter().map(|b| breach_record(next.id, policy.as_ref(), b)).collect())
}

/// The change record of one breach, at the moment it happened.
fn breach_record(ticket_id: Uuid, policy: Option<&PolicyRef>, b: &Breach) -> Change {
    Change {
        id: Uuid::now_v7(),
        ticket_id,
        agent_id: None,
        field_name: "sla".into(),
        old_value: None,
        new_value: Some(format!("{} breached", b.metric.as_str())),
        action: format!("SLA {} (instance {}) breached", b.metric.as_str(), b.instance),
        via: Via::Rule,
        rule_id: policy.map(|p| p.id),
        rule_title: policy.map(|p| p.title.clone()),
        created_at: b.at,
    }
}

/// Tickets one timer run may look at (the rest wait for the next run, a minute later).
pub const SWEEP_LIMIT: usize = 500;

/// What a timer run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SweepReport {
    pub due: usize,
    pub changed: usize,
}

/// The breach timer: every ticket whose next pending breach is at or before `now` (read from
/// the breach index, oldest first, at most [`SWEEP_LIMIT`]) goes through the change path as
/// the desk, which records the breach once. A ticket changed meanwhile is simply re-read by the
/// change path (its clocks then say whether anything is still due).
pub async fn sweep(state: &AppState, now: OffsetDateTime) -> Result<SweepReport, ApiError> {
    let due = state.store.tickets_breaching_by(Timestamp(now), SWEEP_LIMIT).await?;
    let mut report = SweepReport { due: due.len(), changed: 0 };
    for timer in due {
        let request = ChangeRequest {
            ticket_id: timer.ticket_id,
            actor: &Actor::System,
            changes: ChangeSet { via: Via::Rule, as_of: Some(Timestamp(now)), ..Default::default() },
            expected_stamp: None,
            loaded: None,
            receipt: None,
        };
        match change_ticket(state, request).await {
            Ok(_) => report.changed += 1,
            // Deleted since: its entry goes too.
            Err(ApiError::NotFound) => state.store.delete_sla_timer(&timer).await?,
            Err(ApiError::Conflict(_) | ApiError::Validation(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    if report.due > 0 {
        tracing::info!(due = report.due, "SLA breach timer ran");
    }
    Ok(report)
}
