//! What an automation must be (API.md part 2): a time condition (`hours_*`) and an anchor
//! condition in `all`, as views need one, and at least one action that makes one of its `all`
//! conditions false, so it fires once per ticket rather than every hour.
use super::actions::{Action, Actions, Assignee};
use super::conditions::{Condition, Conditions, Facts, Field};
use super::ticket::{Status, Ticket};
use super::views::Anchor;
use crate::clock::Timestamp;
use crate::validation::ValidationErrors;
use uuid::Uuid;

/// A ticket with nothing set, to test one field at a time.
fn blank() -> Ticket {
    let now = Timestamp::now();
    Ticket { status: Status::Open, ..Ticket::blank(0, Uuid::nil(), now) }
}

/// Whether applying `action` leaves `condition` false, whatever else the ticket holds.
fn nullifies(action: &Action, condition: &Condition) -> bool {
    let mut t = blank();
    let field_matches = match (action, &condition.field) {
        (Action::Status(s), Field::Status) => {
            t.status = *s;
            true
        }
        (Action::Priority(p), Field::Priority) => {
            t.priority = *p;
            true
        }
        (Action::Group(g), Field::GroupId) => {
            t.group_id = *g;
            true
        }
        (Action::Assignee(Assignee::Nobody), Field::AssigneeId) => true,
        (Action::Assignee(Assignee::Id(id)), Field::AssigneeId) => {
            t.assignee_id = Some(*id);
            true
        }
        (Action::AddTags(tags) | Action::SetTags(tags), Field::Tags) => {
            t.tags = tags.clone();
            true
        }
        // Removing tags empties them as far as this condition can tell.
        (Action::RemoveTags(_), Field::Tags) => true,
        (Action::CustomField(k, v), Field::CustomField(key)) if k == key => {
            t.custom_fields.insert(k.clone(), v.clone());
            true
        }
        _ => false,
    };
    field_matches && !condition.holds(&Facts::of(&t, t.updated_at.0, None))
}

/// The 422 messages of an automation's conditions and actions, if any.
pub fn validate(conditions: &Conditions, actions: &Actions) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    if !conditions.all.iter().any(|c| matches!(c.field, Field::Hours(_))) {
        errors.add(
            "conditions.all",
            "An automation needs a time condition (hours_since_* or hours_until_*) in all.",
        );
    }
    if !Anchor::available(conditions) {
        errors.add(
            "conditions.all",
            "An automation needs an all condition an index can serve: status (is, less_than, greater_than), or group_id, assignee_id, requester_id or organization_id with is.",
        );
    }
    let once = actions.0.iter().any(|a| conditions.all.iter().any(|c| nullifies(a, c)));
    if !once {
        errors.add(
            "actions",
            "An automation needs an action that makes one of its all conditions false (for example, close a solved ticket or add a tag the conditions exclude), so it runs once per ticket.",
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::ActionDialect;
    use serde_json::json;

    fn check(conditions: serde_json::Value, actions: serde_json::Value) -> Vec<String> {
        let c = Conditions::parse(&conditions).unwrap();
        let a = Actions::parse_as(&actions, ActionDialect::Rule).unwrap();
        validate(&c, &a).fields().keys().cloned().collect()
    }

    #[test]
    fn the_default_close_automation_is_valid() {
        let errors = check(
            json!({"all": [{"field": "status", "operator": "is", "value": "solved"}, {"field": "hours_since_solved", "operator": "greater_than", "value": 96}]}),
            json!([{"field": "status", "value": "closed"}]),
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_tag_guard_counts_as_nullifying() {
        let errors = check(
            json!({"all": [
                {"field": "status", "operator": "is", "value": "pending"},
                {"field": "hours_since_updated", "operator": "greater_than", "value": 48},
                {"field": "tags", "operator": "not_includes", "value": "nudged"}
            ]}),
            json!([{"field": "add_tags", "value": "nudged"}, {"field": "notify_user", "value": {"to": "requester", "subject": "s", "body": "b"}}]),
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn missing_time_anchor_or_nullifying_action() {
        assert_eq!(
            check(
                json!({"all": [{"field": "status", "operator": "is", "value": "solved"}]}),
                json!([{"field": "status", "value": "closed"}])
            ),
            ["conditions.all"]
        );
        assert_eq!(
            check(
                json!({"all": [{"field": "status", "operator": "is", "value": "pending"}, {"field": "hours_since_updated", "operator": "greater_than", "value": 48}]}),
                json!([{"field": "notify_user", "value": {"to": "requester", "subject": "s", "body": "b"}}])
            ),
            ["actions"]
        );
        assert_eq!(
            check(
                json!({"all": [{"field": "priority", "operator": "is", "value": "low"}, {"field": "hours_since_created", "operator": "greater_than", "value": 1}]}),
                json!([{"field": "priority", "value": "high"}])
            ),
            ["conditions.all"]
        );
    }
}
