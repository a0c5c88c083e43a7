//! Automations (API.md part 2): time-based rules, run hourly (EventBridge; locally every
//! `HELPDESK_AUTOMATION_INTERVAL` seconds). Each active automation, in position order, reads its
//! anchor partitions oldest update first (never a Scan), at most [`MAX_TICKETS`] matching tickets
//! per automation per run within [`MAX_ROUNDS`] rounds, and applies its actions to each through
//! the one change path (`via: rule`, audited with its id and title; triggers run on the update).
//! Every automation holds an action that makes one of its conditions false, so a ticket is
//! changed once, and the next run finds it no longer matching.
use super::ticket_change::{change_ticket, ChangeRequest, ChangeSet};
use super::triggers::RuleRef;
use super::Actor;
use crate::domain::actions::{ActionDialect, Actions};
use crate::domain::conditions::Conditions;
use crate::domain::ticket::{Status, Via};
use crate::store::rules::RuleKind;
use crate::{ApiError, AppState};
use time::OffsetDateTime;
use uuid::Uuid;

/// Tickets one automation may change per run.
pub const MAX_TICKETS: usize = 1_000;
/// Rounds (of up to 100 index items per anchor partition) one automation may read per run.
pub const MAX_ROUNDS: usize = 50;

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub automations: usize,
    pub changed: usize,
}

/// Runs every active automation once, as of `now`.
pub async fn run(state: &AppState, now: OffsetDateTime) -> Result<Report, ApiError> {
    super::rules::ensure_defaults(state, RuleKind::Automation).await?;
    let mut report = Report::default();
    for rule in state.store.all_rules(RuleKind::Automation).await?.into_iter().filter(|r| r.active) {
        let (Ok(conditions), Ok(actions)) = (
            Conditions::parse(&rule.conditions_json()),
            Actions::parse_as(&rule.actions_json(), ActionDialect::Rule),
        ) else {
            tracing::warn!(rule = %rule.id, "stored automation does not parse; skipped");
            continue;
        };
        report.automations += 1;
        let due = super::views::oldest_matching(state, &conditions, now, MAX_TICKETS, MAX_ROUNDS).await?;
        let reference = RuleRef { id: rule.id, title: rule.title.clone() };
        for ticket in due.into_iter().filter(|t| t.status != Status::Closed) {
            let change = actions.to_change(&ticket, Uuid::nil());
            let mut fields = change.fields;
            // `current_user` means nobody when the desk acts.
            if fields.assignee_id == Some(Some(Uuid::nil())) {
                fields.assignee_id = None;
            }
            let request = ChangeRequest {
                ticket_id: ticket.id,
                actor: &Actor::System,
                changes: ChangeSet {
                    fields,
                    via: Via::Rule,
                    rule: Some(reference.clone()),
                    notifications: actions.notifications(),
                    ..Default::default()
                },
                // Exactly the version found due: a ticket touched meanwhile is looked at again
                // by the next run.
                expected_stamp: Some(ticket.updated_stamp.clone()),
                loaded: Some(ticket),
                receipt: None,
            };
            match change_ticket(state, request).await {
                Ok(_) => report.changed += 1,
                Err(ApiError::Conflict(_) | ApiError::NotFound | ApiError::Validation(_)) => continue,
                Err(e) => return Err(e),
            }
        }
    }
    if report.changed > 0 {
        tracing::info!(changed = report.changed, automations = report.automations, "automations ran");
    }
    Ok(report)
}
