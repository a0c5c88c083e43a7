//! Business rules shared by triggers and automations: the defaults a new desk starts with.
//! The mail the desk sends comes from these default triggers; an admin edits or deactivates
//! them like any other.
use crate::clock::Timestamp;
use crate::store::rules::{Rule, RuleKind};
use crate::{ApiError, AppState};
use serde_json::{json, Value};
use uuid::Uuid;

/// Subject of every default notification: `[TKT-000042] Printer on fire`.
pub const DEFAULT_SUBJECT: &str = "[{{ticket.ticket_number}}] {{ticket.subject}}";

/// The default triggers: the four notifications of the first version, as rules.
pub fn default_triggers() -> Vec<(&'static str, Value, Value)> {
    let notify = |to: &str, body: &str| json!([{"field": "notify_user", "value": {"to": to, "subject": DEFAULT_SUBJECT, "body": body}}]);
    vec![
        (
            "Notify requester of received request",
            json!({"all": [{"field": "update_type", "operator": "is", "value": "create"}]}),
            notify(
                "requester",
                "We received your request. Reply to this email to add to it.\n\n{{ticket.description}}",
            ),
        ),
        (
            "Notify requester of public reply",
            json!({"all": [
                {"field": "update_type", "operator": "is", "value": "change"},
                {"field": "comment_is_public", "operator": "is", "value": "true"},
                {"field": "requester_id", "operator": "is_not", "value": "current_user"}
            ]}),
            notify("requester", "{{current_user.name}} replied:\n\n{{ticket.latest_public_comment}}"),
        ),
        (
            "Notify requester of solved request",
            json!({"all": [{"field": "status", "operator": "changed_to", "value": "solved"}]}),
            notify("requester", "Your request has been solved. Reply to this email if you still need help."),
        ),
        (
            "Notify assignee of assignment",
            json!({"all": [
                {"field": "assignee_id", "operator": "changed"},
                {"field": "assignee_id", "operator": "is_not", "value": ""}
            ]}),
            notify(
                "assignee",
                "Ticket {{ticket.ticket_number}} has been assigned to you.\n\n{{ticket.description}}",
            ),
        ),
    ]
}

/// The default automation: the first version's auto-close, as a rule (`AUTO_CLOSE_DAYS` sets
/// its hours when a desk is created; afterwards an admin edits it).
pub fn default_automations(days: i64) -> Vec<(&'static str, Value, Value)> {
    vec![
        (
            "Close ticket 4 days after it is solved",
            json!({"all": [
                {"field": "status", "operator": "is", "value": "solved"},
                {"field": "hours_since_solved", "operator": "greater_than", "value": days * 24}
            ]}),
            json!([{"field": "status", "value": "closed"}]),
        ),
        (
            SURVEY_AUTOMATION,
            json!({"all": [
                {"field": "status", "operator": "is", "value": "solved"},
                {"field": "hours_since_solved", "operator": "greater_than", "value": 24},
                {"field": "satisfaction", "operator": "is", "value": "offered"},
                {"field": "tags", "operator": "not_includes", "value": SURVEY_TAG}
            ]}),
            json!([
                {"field": "add_tags", "value": SURVEY_TAG},
                {"field": "notify_user", "value": {"to": "requester",
                    "subject": "How did we do? [{{ticket.ticket_number}}] {{ticket.subject}}",
                    "body": "Hello {{ticket.requester.first_name}},\n\nYour request was solved. How would you rate the support you received?\n\n{{satisfaction.rating_section}}"}}
            ]),
        ),
    ]
}

/// The default survey automation (API.md: "Request satisfaction rating 24 hours after solve").
pub const SURVEY_AUTOMATION: &str = "Request satisfaction rating 24 hours after solve";
/// The tag it leaves on a ticket it mailed, so each ticket is asked once.
pub const SURVEY_TAG: &str = "satisfaction_survey_sent";

/// Creates a kind's default rules the first time a desk needs them (once: a marker item).
pub async fn ensure_defaults(state: &AppState, kind: RuleKind) -> Result<(), ApiError> {
    if state.store.default_rules_created(kind).await? {
        return Ok(());
    }
    let defaults = match kind {
        RuleKind::Trigger => default_triggers(),
        RuleKind::Automation => default_automations(state.config.auto_close_days),
    };
    let now = Timestamp::now();
    let mut rules: Vec<Rule> = defaults
        .into_iter()
        .enumerate()
        .map(|(i, (title, conditions, actions))| Rule {
            id: Uuid::now_v7(),
            number: None,
            kind,
            title: title.to_owned(),
            description: String::new(),
            active: true,
            position: i as u32,
            conditions: conditions.to_string(),
            actions: actions.to_string(),
            created_at: now,
            updated_at: now,
        })
        .collect();
    state.store.create_default_rules(kind, &mut rules).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::{ActionDialect, Actions};
    use crate::domain::conditions::{Conditions, Dialect};

    #[test]
    fn the_defaults_are_valid_rules() {
        for (title, c, a) in default_triggers() {
            Conditions::parse_as(&c, Dialect::Trigger).unwrap_or_else(|e| panic!("{title}: {e:?}"));
            Actions::parse_as(&a, ActionDialect::Rule).unwrap_or_else(|e| panic!("{title}: {e:?}"));
        }
        for (title, c, a) in default_automations(4) {
            let c = Conditions::parse(&c).unwrap();
            let a = Actions::parse_as(&a, ActionDialect::Rule).unwrap();
            assert!(crate::domain::automations::validate(&c, &a).is_empty(), "{title}");
        }
    }
}
