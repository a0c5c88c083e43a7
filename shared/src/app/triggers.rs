//! Triggers (API.md part 2, "Triggers, automations and webhooks"): run inside the one change
//! path, before the write, on every ticket create and update.
//!
//! Semantics: the active triggers are checked in position order against the ticket as the
//! update leaves it (and the update itself: `update_type`, `changed`, the comment, who made
//! it); a trigger whose conditions hold fires: its field actions apply to the ticket under the
//! rules' transitions (audited `via: rule` with its id and title, in the same transaction) and
//! its notifications are written beside them. Each trigger fires at most once per update. After
//! a pass in which some trigger changed the ticket, the pass repeats (a trigger that did not
//! fire may match now), until a pass changes nothing or [`MAX_PASSES`] passes ran; the cap is
//! recorded in the audit. A trigger whose actions break a rule (solving without an assignee, an
//! assignee outside the group) changes nothing and is logged.
use super::Actor;
use crate::clock::Timestamp;
use crate::domain::actions::{ActionDialect, Actions, Notification as Notify};
use crate::domain::comment::Change;
use crate::domain::conditions::{Conditions, Dialect, Facts, Update};
use crate::domain::ticket::{Mover, Ticket, Via};
use crate::store::rules::{notification_write, Notification, Rule, RuleKind};
use crate::store::webhooks::{delivery_write, Delivery};
use crate::store::TxWrite;
use crate::{ApiError, AppState};
use std::collections::HashSet;
use uuid::Uuid;

/// Passes over the triggers per update. Each trigger fires at most once per update, so every
/// update ends; the cap bounds the work of long chains.
pub const MAX_PASSES: usize = 10;

/// A trigger, parsed.
pub struct Compiled {
    pub rule: Rule,
    pub conditions: Conditions,
    pub actions: Actions,
}

/// The active triggers in position order (the first read on a new desk creates the defaults).
/// A stored trigger that no longer parses is skipped and logged.
pub async fn active(state: &AppState) -> Result<Vec<Compiled>, ApiError> {
    let mut rules = state.store.all_rules(RuleKind::Trigger).await?;
    if rules.is_empty() && !state.store.default_rules_created(RuleKind::Trigger).await? {
        super::rules::ensure_defaults(state, RuleKind::Trigger).await?;
        rules = state.store.all_rules(RuleKind::Trigger).await?;
    }
    Ok(rules
        .into_iter()
        .filter(|r| r.active)
        .filter_map(|rule| {
            let conditions = Conditions::parse_as(&rule.conditions_json(), Dialect::Trigger).ok();
            let actions = Actions::parse_as(&rule.actions_json(), ActionDialect::Rule).ok();
            match (conditions, actions) {
                (Some(conditions), Some(actions)) => Some(Compiled { rule, conditions, actions }),
                _ => {
                    tracing::warn!(rule = %rule.id, "stored trigger does not parse; skipped");
                    None
                }
            }
        })
        .collect())
}

/// What the update is, for the trigger conditions.
pub struct Event<'a> {
    pub actor: &'a Actor,
    /// The ticket before the update; `None` when it is being created.
    pub before: Option<&'a Ticket>,
    /// The update's comment: its id when public, and whether it is public.
    pub comment: Option<(Uuid, bool)>,
    /// The moment the update happens (the breach timer's clock for its touches).
    pub now: Timestamp,
}

/// Runs the triggers over `ticket` (as the update leaves it), changing it and adding audit
/// records to `changes`; returns the notification writes for the same transaction.
pub async fn run(
    state: &AppState,
    event: &Event<'_>,
    ticket: &mut Ticket,
    changes: &mut Vec<Change>,
) -> Result<Vec<TxWrite>, ApiError> {
    let triggers = active(state).await?;
    if triggers.is_empty() {
        return Ok(Vec::new());
    }
    let actor = match event.actor {
        Actor::User { id, role } => Some((*id, *role)),
        Actor::System => None,
    };
    let mut fired: HashSet<Uuid> = HashSet::new();
    let mut writes = Vec::new();
    let now = event.now;
    let mut passes = 0;
    loop {
        passes += 1;
        let mut changed = false;
        for t in &triggers {
            if fired.contains(&t.rule.id) {
                continue;
            }
            let facts = Facts {
                update: Some(Update {
                    before: event.before,
                    comment_public: event.comment.map(|(_, public)| public),
                    actor,
                }),
                ..Facts::of(ticket, now.0, actor.map(|(id, _)| id))
            };
            if !t.conditions.matches(&facts) {
                continue;
            }
            fired.insert(t.rule.id);
            if apply(state, t, actor.map(|(id, _)| id), ticket, changes, now).await? {
                changed = true;
            }
            let comment = event.comment.filter(|(_, public)| *public).map(|(id, _)| id);
            let rule = RuleRef { id: t.rule.id, title: t.rule.title.clone() };
            writes.extend(notification_writes(
                ticket.id,
                &rule,
                t.actions.notifications(),
                comment,
                actor.map(|(id, _)| id),
                now,
            )?);
        }
        if !changed {
            break;
        }
        if passes >= MAX_PASSES {
            changes.push(Change {
                id: Uuid::now_v7(),
                ticket_id: ticket.id,
                agent_id: None,
                field_name: "triggers".into(),
                old_value: None,
                new_value: None,
                action: format!("Triggers stopped after {MAX_PASSES} passes (the cap on trigger chains)"),
                via: Via::Rule,
                rule_id: None,
                rule_title: None,
                created_at: now,
            });
            tracing::warn!(ticket = %ticket.id, "trigger passes reached the cap");
            break;
        }
    }
    Ok(writes)
}

/// The rule behind a change or a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRef {
    pub id: Uuid,
    pub title: String,
}

/// The writes of a rule's notifications: mail (`NOTIFY#`) and webhook posts (`DELIVERY#`).
pub fn notification_writes(
    ticket_id: Uuid,
    rule: &RuleRef,
    notifications: Vec<Notify>,
    comment_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    now: Timestamp,
) -> Result<Vec<TxWrite>, ApiError> {
    let mut writes = Vec::new();
    for n in notifications {
        match n {
            Notify::Mail { to, subject, body } => writes.push(notification_write(&Notification {
                id: Uuid::now_v7(),
                ticket_id,
                rule_id: rule.id,
                rule_title: rule.title.clone(),
                to,
                subject,
                body,
                comment_id,
                actor_id,
                created_at: now,
            })?),
            Notify::Webhook { webhook_id, body } => writes.push(delivery_write(&Delivery {
                id: Uuid::now_v7(),
                ticket_id,
                webhook_id,
                rule_id: rule.id,
                rule_title: rule.title.clone(),
                body,
                actor_id,
                created_at: now,
            })?),
        }
    }
    Ok(writes)
}

/// Applies one trigger's field actions; true if the ticket changed.
async fn apply(
    state: &AppState,
    t: &Compiled,
    current_user: Option<Uuid>,
    ticket: &mut Ticket,
    changes: &mut Vec<Change>,
    now: Timestamp,
) -> Result<bool, ApiError> {
    // `current_user` in a rule's actions is whoever made the update; the desk has no user.
    let mut change = t.actions.to_change(ticket, current_user.unwrap_or_else(Uuid::nil));
    if change.fields.assignee_id == Some(Some(Uuid::nil())) {
        change.fields.assignee_id = None;
    }
    let (next, field_changes) = match ticket.apply(&change.fields, Mover::Rule) {
        Ok(r) => r,
        Err(v) => {
            tracing::info!(rule = %t.rule.id, ticket = %ticket.id, reason = v.message, "trigger's actions break a rule; skipped");
            return Ok(false);
        }
    };
    if field_changes.is_empty() {
        return Ok(false);
    }
    if let Err(e) = super::check_assignee_in_group(state, Some(ticket), &next).await {
        tracing::info!(rule = %t.rule.id, ticket = %ticket.id, error = ?e, "trigger's assignee is outside the group; skipped");
        return Ok(false);
    }
    for c in &field_changes {
        changes.push(Change {
            id: Uuid::now_v7(),
            ticket_id: ticket.id,
            agent_id: None,
            field_name: c.field.to_owned(),
            old_value: c.old.clone(),
            new_value: c.new.clone(),
            action: c.action.clone(),
            via: Via::Rule,
            rule_id: Some(t.rule.id),
            rule_title: Some(t.rule.title.clone()),
            created_at: now,
        });
    }
    let (updated_at, stamp) = (ticket.updated_at, ticket.updated_stamp.clone());
    let before = std::mem::replace(ticket, next);
    ticket.updated_at = updated_at;
    ticket.updated_stamp = stamp;
    ticket.mark_times(Some(&before), None, now);
    Ok(true)
}
