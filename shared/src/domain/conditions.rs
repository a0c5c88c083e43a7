//! Conditions (API.md part 2, "Conditions"): `{"all": [...], "any": [...]}` of
//! `{"field", "operator", "value"}`, parsed once into typed conditions (422 messages keyed by
//! position, `conditions.all.2.value`) and evaluated against a ticket's facts. Views use them
//! now; triggers, automations and SLA policies will call the same [`Conditions::matches`].
use super::ticket::{Priority, Satisfaction, Status, Ticket, Via};
use crate::validation::ValidationErrors;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

/// How many conditions one `all` or `any` list may hold.
pub const MAX_CONDITIONS: usize = 50;

/// A time-valued field, compared in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hours {
    SinceCreated,
    SinceUpdated,
    SinceStatusChanged,
    SinceSolved,
    SinceAssigned,
    SinceRequesterUpdated,
    SinceAssigneeUpdated,
    UntilDue,
    UntilNextBreach,
}

impl Hours {
    const NAMES: [(&'static str, Hours); 9] = [
        ("hours_since_created", Hours::SinceCreated),
        ("hours_since_updated", Hours::SinceUpdated),
        ("hours_since_status_changed", Hours::SinceStatusChanged),
        ("hours_since_solved", Hours::SinceSolved),
        ("hours_since_assigned", Hours::SinceAssigned),
        ("hours_since_requester_updated", Hours::SinceRequesterUpdated),
        ("hours_since_assignee_updated", Hours::SinceAssigneeUpdated),
        ("hours_until_due", Hours::UntilDue),
        ("hours_until_next_breach", Hours::UntilNextBreach),
    ];
}

/// A field of a ticket that a condition can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Status,
    Priority,
    GroupId,
    AssigneeId,
    RequesterId,
    OrganizationId,
    Via,
    Tags,
    Satisfaction,
    CustomField(String),
    Hours(Hours),
    /// Triggers only: `create` or `change`.
    UpdateType,
    /// Triggers only: the update's comment is public (`true`), private (`false`), or any.
    CommentIsPublic,
    /// Triggers only: the role of whoever made the update (`customer`, `agent`, `admin`).
    CurrentUserRole,
    /// Triggers only: who made the update.
    CurrentUserId,
}

/// Which conditions a list may hold: views (and automations) test a ticket; triggers also test
/// the update that is being made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Ticket,
    Trigger,
}

impl Field {
    fn trigger_only(&self) -> bool {
        matches!(
            self,
            Field::UpdateType | Field::CommentIsPublic | Field::CurrentUserRole | Field::CurrentUserId
        )
    }

    /// Fields whose change a trigger can test (`changed`, `changed_to`, ...).
    fn changeable(&self) -> bool {
        matches!(
            self,
            Field::Status
                | Field::Priority
                | Field::GroupId
                | Field::AssigneeId
                | Field::RequesterId
                | Field::OrganizationId
                | Field::Satisfaction
                | Field::CustomField(_)
        )
    }

    fn parse(raw: &str) -> Option<Field> {
        Some(match raw {
            "update_type" => Field::UpdateType,
            "comment_is_public" => Field::CommentIsPublic,
            "current_user_role" => Field::CurrentUserRole,
            "current_user_id" => Field::CurrentUserId,
            "status" => Field::Status,
            "priority" => Field::Priority,
            "group_id" => Field::GroupId,
            "assignee_id" => Field::AssigneeId,
            "requester_id" => Field::RequesterId,
            "organization_id" => Field::OrganizationId,
            "via" => Field::Via,
            "tags" => Field::Tags,
            "satisfaction" => Field::Satisfaction,
            other => match other.strip_prefix("custom_fields.") {
                Some(key) if !key.is_empty() && key.len() <= 64 => Field::CustomField(key.to_owned()),
                Some(_) => return None,
                None => Field::Hours(Hours::NAMES.iter().find(|(n, _)| *n == other)?.1),
            },
        })
    }

    fn operators(&self) -> &'static [Operator] {
        use Operator::*;
        match self {
            Field::UpdateType | Field::CommentIsPublic | Field::CurrentUserRole => &[Is, IsNot],
            Field::CurrentUserId => &[Is, IsNot],
            Field::Status | Field::Priority => &[Is, IsNot, LessThan, GreaterThan],
            Field::Tags => &[Includes, NotIncludes],
            Field::Hours(_) => &[Is, LessThan, GreaterThan],
            Field::CustomField(_) => &[Is, IsNot, LessThan, GreaterThan],
            _ => &[Is, IsNot],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Is,
    IsNot,
    LessThan,
    GreaterThan,
    Includes,
    NotIncludes,
    /// Triggers only: the update changed the field.
    Changed,
    NotChanged,
    ChangedTo,
    ChangedFrom,
}

impl Operator {
    fn is_change(self) -> bool {
        matches!(self, Operator::Changed | Operator::NotChanged | Operator::ChangedTo | Operator::ChangedFrom)
    }

    fn parse(raw: &str) -> Option<Operator> {
        Some(match raw {
            "changed" => Operator::Changed,
            "not_changed" => Operator::NotChanged,
            "changed_to" => Operator::ChangedTo,
            "changed_from" => Operator::ChangedFrom,
            "is" => Operator::Is,
            "is_not" => Operator::IsNot,
            "less_than" => Operator::LessThan,
            "greater_than" => Operator::GreaterThan,
            "includes" => Operator::Includes,
            "not_includes" => Operator::NotIncludes,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is_not",
            Operator::LessThan => "less_than",
            Operator::GreaterThan => "greater_than",
            Operator::Includes => "includes",
            Operator::NotIncludes => "not_includes",
            Operator::Changed => "changed",
            Operator::NotChanged => "not_changed",
            Operator::ChangedTo => "changed_to",
            Operator::ChangedFrom => "changed_from",
        }
    }
}

/// Who a user-valued condition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// `""`: nobody (no assignee, no group...).
    Nobody,
    /// `"current_user"`: whoever evaluates (the agent looking at a view).
    CurrentUser,
    Id(Uuid),
}

/// A condition's value, typed by its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Status(Status),
    Priority(Priority),
    Who(Who),
    Via(Via),
    Satisfaction(Satisfaction),
    Tags(Vec<String>),
    Hours(f64),
    /// A custom field's value (`null` for "not set").
    Scalar(Value),
    /// `update_type`: true for `create`.
    Create(bool),
    /// `comment_is_public`: `Some(public)`, or `None` for any comment.
    Public(Option<bool>),
    Role(super::user::Role),
    /// `changed` / `not_changed` take no value.
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: Field,
    pub operator: Operator,
    pub value: Operand,
}

/// Every `all` condition holds and, when `any` is not empty, at least one of `any`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    pub all: Vec<Condition>,
    pub any: Vec<Condition>,
}

/// What conditions are evaluated against: the ticket and what is not on the ticket item.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub ticket: &'a Ticket,
    /// The channel the ticket came through.
    pub via: Via,
    pub status_changed_at: Option<OffsetDateTime>,
    pub solved_at: Option<OffsetDateTime>,
    pub assigned_at: Option<OffsetDateTime>,
    pub requester_updated_at: Option<OffsetDateTime>,
    pub assignee_updated_at: Option<OffsetDateTime>,
    pub next_breach_at: Option<OffsetDateTime>,
    pub now: OffsetDateTime,
    /// Who `current_user` is (none for rules that run as the desk).
    pub current_user: Option<Uuid>,
    /// For triggers: the update being made.
    pub update: Option<Update<'a>>,
}

/// The update a trigger looks at.
#[derive(Debug, Clone, Copy)]
pub struct Update<'a> {
    /// The ticket before the update (`None`: it is being created).
    pub before: Option<&'a Ticket>,
    /// The update's comment: `Some(public)`.
    pub comment_public: Option<bool>,
    /// Who makes it (`None`: the desk itself, a rule or a schedule).
    pub actor: Option<(Uuid, super::user::Role)>,
}

impl<'a> Facts<'a> {
    /// The facts the ticket item gives (its per-event times included).
    pub fn of(ticket: &'a Ticket, now: OffsetDateTime, current_user: Option<Uuid>) -> Self {
        Facts {
            ticket,
            via: Via::Web,
            status_changed_at: ticket.times.status_changed_at.map(|t| t.0),
            solved_at: ticket.solved_at_or_guess().map(|t| t.0),
            assigned_at: ticket.times.assigned_at.map(|t| t.0),
            requester_updated_at: ticket.times.requester_updated_at.map(|t| t.0),
            assignee_updated_at: ticket.times.assignee_updated_at.map(|t| t.0),
            next_breach_at: ticket.next_breach_at().map(|t| t.0),
            now,
            current_user,
            update: None,
        }
    }
}

fn status_rank(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn priority_rank(p: Priority) -> usize {
    Priority::ALL.iter().position(|x| *x == p).unwrap_or(0)
}

fn hours_value(v: &Value) -> Option<f64> {
    let h = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (h.is_finite() && (0.0..=1_000_000.0).contains(&h)).then_some(h)
}

fn tag_list(v: &Value) -> Option<Vec<String>> {
    let tags: Vec<String> = match v {
        Value::String(s) => s.split_whitespace().map(str::to_lowercase).collect(),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(item.as_str()?.split_whitespace().map(str::to_lowercase));
            }
            out
        }
        _ => return None,
    };
    (!tags.is_empty()).then_some(tags)
}

fn who(v: &Value, current_user_allowed: bool) -> Option<Who> {
    match v.as_str()?.trim() {
        "" => Some(Who::Nobody),
        "current_user" if current_user_allowed => Some(Who::CurrentUser),
        s => Uuid::parse_str(s).ok().map(Who::Id),
    }
}

fn operand(field: &Field, v: &Value) -> Result<Operand, String> {
    let enum_of = |choices: String| format!("The value must be one of: {choices}.");
    let s = v.as_str().map(str::trim);
    match field {
        Field::UpdateType => match s {
            Some("create") => Ok(Operand::Create(true)),
            Some("change") => Ok(Operand::Create(false)),
            _ => Err("The value must be one of: create, change.".into()),
        },
        Field::CommentIsPublic => match (v, s) {
            (Value::Bool(b), _) => Ok(Operand::Public(Some(*b))),
            (_, Some("true")) => Ok(Operand::Public(Some(true))),
            (_, Some("false")) => Ok(Operand::Public(Some(false))),
            (_, Some("any")) => Ok(Operand::Public(None)),
            _ => Err("The value must be one of: true, false, any.".into()),
        },
        Field::CurrentUserRole => s
            .and_then(super::user::Role::parse)
            .map(Operand::Role)
            .ok_or_else(|| "The value must be one of: customer, agent, admin.".into()),
        Field::CurrentUserId => who(v, false)
            .filter(|w| *w != Who::Nobody)
            .map(Operand::Who)
            .ok_or_else(|| "The value must be a user id.".into()),
        Field::Status => {
            s.and_then(Status::parse).map(Operand::Status).ok_or_else(|| enum_of(Status::choices()))
        }
        Field::Priority => {
            s.and_then(Priority::parse).map(Operand::Priority).ok_or_else(|| enum_of(Priority::choices()))
        }
        Field::Via => s.and_then(Via::parse).map(Operand::Via).ok_or_else(|| enum_of(Via::choices())),
        Field::Satisfaction => s
            .and_then(Satisfaction::parse)
            .map(Operand::Satisfaction)
            .ok_or_else(|| enum_of(Satisfaction::choices())),
        Field::AssigneeId | Field::RequesterId => who(v, true)
            .map(Operand::Who)
            .ok_or_else(|| "The value must be a user id, \"current_user\" or \"\" for none.".into()),
        Field::GroupId | Field::OrganizationId => {
            who(v, false).map(Operand::Who).ok_or_else(|| "The value must be an id, or \"\" for none.".into())
        }
        Field::Tags => tag_list(v)
            .map(Operand::Tags)
            .ok_or_else(|| "The value must be tags: a space-separated string or an array of strings.".into()),
        Field::Hours(_) => hours_value(v)
            .map(Operand::Hours)
            .ok_or_else(|| "The value must be a number of hours (0 to 1000000).".into()),
        Field::CustomField(_) => match v {
            Value::String(s) if s.is_empty() => Ok(Operand::Scalar(Value::Null)),
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {
                Ok(Operand::Scalar(v.clone()))
            }
            _ => Err("The value must be a string, a number or a boolean.".into()),
        },
    }
}

/// Parses one list at `path` (`conditions.all`), recording each problem at its position.
fn parse_list(
    raw: Option<&Value>,
    path: &str,
    dialect: Dialect,
    errors: &mut ValidationErrors,
) -> Vec<Condition> {
    let items = match raw {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.add(path, "The conditions must be a list.");
            return Vec::new();
        }
    };
    if items.len() > MAX_CONDITIONS {
        errors.add(path, format!("At most {MAX_CONDITIONS} conditions."));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |part: &str| format!("{path}.{i}.{part}");
        let Some(obj) = item.as_object() else {
            errors.add(&format!("{path}.{i}"), "A condition is an object with field, operator and value.");
            continue;
        };
        let field = match obj.get("field").and_then(Value::as_str).map(Field::parse) {
            Some(Some(f)) if f.trigger_only() && dialect != Dialect::Trigger => {
                errors.add(&at("field"), "The field is for triggers only.");
                continue;
            }
            Some(Some(f)) => f,
            Some(None) => {
                errors.add(&at("field"), "The field is unknown.");
                continue;
            }
            None => {
                errors.add(&at("field"), "The field is required.");
                continue;
            }
        };
        let operator = match obj.get("operator").and_then(Value::as_str).map(Operator::parse) {
            Some(Some(op)) if op.is_change() && dialect == Dialect::Trigger && field.changeable() => op,
            Some(Some(op)) if op.is_change() && dialect != Dialect::Trigger => {
                errors.add(&at("operator"), "The operator is for triggers only.");
                continue;
            }
            Some(Some(op)) if field.operators().contains(&op) => op,
            Some(_) => {
                let allowed: Vec<&str> = field.operators().iter().map(|o| o.as_str()).collect();
                errors.add(&at("operator"), format!("The operator must be one of: {}.", allowed.join(", ")));
                continue;
            }
            None => {
                errors.add(&at("operator"), "The operator is required.");
                continue;
            }
        };
        let value = obj.get("value").unwrap_or(&Value::Null);
        if matches!(operator, Operator::Changed | Operator::NotChanged) {
            out.push(Condition { field, operator, value: Operand::Nothing });
            continue;
        }
        let ordered = matches!(operator, Operator::LessThan | Operator::GreaterThan);
        let value = match operand(&field, value) {
            Ok(Operand::Scalar(v)) if ordered && !v.is_number() => {
                errors.add(&at("value"), "less_than and greater_than compare numbers.");
                continue;
            }
            Ok(v) => v,
            Err(message) => {
                errors.add(&at("value"), message);
                continue;
            }
        };
        out.push(Condition { field, operator, value });
    }
    out
}

impl Conditions {
    /// The conditions of a body's `conditions` object (422 messages keyed `conditions.all.N.part`).
    pub fn parse(raw: &Value) -> Result<Conditions, ValidationErrors> {
        Conditions::parse_as(raw, Dialect::Ticket)
    }

    /// As [`Conditions::parse`], in a dialect (triggers add the update's conditions).
    pub fn parse_as(raw: &Value, dialect: Dialect) -> Result<Conditions, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let empty = Map::new();
        let obj = match raw {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => {
                errors.add("conditions", "The conditions must be an object with all and any.");
                return Err(errors);
            }
        };
        let all = parse_list(obj.get("all"), "conditions.all", dialect, &mut errors);
        let any = parse_list(obj.get("any"), "conditions.any", dialect, &mut errors);
        if errors.is_empty() {
            Ok(Conditions { all, any })
        } else {
            Err(errors)
        }
    }

    pub fn matches(&self, facts: &Facts) -> bool {
        self.all.iter().all(|c| c.holds(facts))
            && (self.any.is_empty() || self.any.iter().any(|c| c.holds(facts)))
    }
}

fn ordered<T: PartialOrd>(op: Operator, left: T, right: T) -> bool {
    match op {
        Operator::Is => left == right,
        Operator::IsNot => left != right,
        Operator::LessThan => left < right,
        Operator::GreaterThan => left > right,
        _ => false,
    }
}

/// `is` / `is_not` of an equality.
fn equal(op: Operator, same: bool) -> bool {
    match op {
        Operator::Is => same,
        Operator::IsNot => !same,
        _ => false,
    }
}

/// A field's value on a ticket, as text (for the change operators); `None` when unset.
fn value_of(field: &Field, t: &Ticket) -> Option<String> {
    match field {
        Field::Status => Some(t.status.as_str().to_owned()),
        Field::Priority => Some(t.priority.as_str().to_owned()),
        Field::Satisfaction => Some(t.satisfaction.as_str().to_owned()),
        Field::GroupId => t.group_id.map(|g| g.to_string()),
        Field::AssigneeId => t.assignee_id.map(|a| a.to_string()),
        Field::RequesterId => Some(t.requester_id.to_string()),
        Field::OrganizationId => t.organization_id.map(|o| o.to_string()),
        Field::CustomField(k) => t.custom_fields.get(k).filter(|v| !v.is_null()).map(|v| v.to_string()),
        _ => None,
    }
}

/// A condition operand as the text [`value_of`] gives (`current_user` resolved).
fn operand_text(o: &Operand, current_user: Option<Uuid>) -> Option<String> {
    match o {
        Operand::Status(s) => Some(s.as_str().to_owned()),
        Operand::Priority(p) => Some(p.as_str().to_owned()),
        Operand::Satisfaction(s) => Some(s.as_str().to_owned()),
        Operand::Who(Who::Nobody) => None,
        Operand::Who(Who::CurrentUser) => current_user.map(|u| u.to_string()),
        Operand::Who(Who::Id(id)) => Some(id.to_string()),
        Operand::Scalar(v) if v.is_null() => None,
        Operand::Scalar(v) => Some(v.to_string()),
        _ => None,
    }
}

impl Condition {
    /// The change operators: on a create, a field "changed" when it is set.
    fn change_holds(&self, f: &Facts) -> bool {
        let Some(update) = f.update else { return false };
        let now = value_of(&self.field, f.ticket);
        let before = update.before.and_then(|b| value_of(&self.field, b));
        let changed = match update.before {
            Some(_) => now != before,
            None => now.is_some(),
        };
        let wanted = operand_text(&self.value, f.current_user);
        match self.operator {
            Operator::Changed => changed,
            Operator::NotChanged => !changed,
            Operator::ChangedTo => changed && now == wanted,
            Operator::ChangedFrom => changed && update.before.is_some() && before == wanted,
            _ => false,
        }
    }

    pub fn holds(&self, f: &Facts) -> bool {
        if self.operator.is_change() {
            return self.change_holds(f);
        }
        let t = f.ticket;
        let person = |actual: Option<Uuid>, w: Who| -> bool {
            let wanted = match w {
                Who::Nobody => None,
                Who::CurrentUser => match f.current_user {
                    Some(u) => Some(u),
                    None => return self.operator == Operator::IsNot,
                },
                Who::Id(id) => Some(id),
            };
            ordered(self.operator, actual, wanted)
        };
        match (&self.field, &self.value) {
            (Field::Status, Operand::Status(s)) => {
                ordered(self.operator, status_rank(t.status), status_rank(*s))
            }
            (Field::Priority, Operand::Priority(p)) => {
                ordered(self.operator, priority_rank(t.priority), priority_rank(*p))
            }
            (Field::Via, Operand::Via(v)) => equal(self.operator, f.via == *v),
            (Field::Satisfaction, Operand::Satisfaction(s)) => equal(self.operator, t.satisfaction == *s),
            (Field::AssigneeId, Operand::Who(w)) => person(t.assignee_id, *w),
            (Field::RequesterId, Operand::Who(w)) => person(Some(t.requester_id), *w),
            (Field::GroupId, Operand::Who(w)) => person(t.group_id, *w),
            (Field::OrganizationId, Operand::Who(w)) => person(t.organization_id, *w),
            (Field::Tags, Operand::Tags(tags)) => {
                let has = |tag: &String| t.tags.contains(tag);
                match self.operator {
                    // Zendesk: "contains at least one of", "contains none of".
                    Operator::Includes => tags.iter().any(has),
                    Operator::NotIncludes => !tags.iter().any(has),
                    _ => false,
                }
            }
            (Field::CustomField(key), Operand::Scalar(want)) => {
                let have = t.custom_fields.get(key).cloned().unwrap_or(Value::Null);
                match self.operator {
                    Operator::Is => have == *want,
                    Operator::IsNot => have != *want,
                    Operator::LessThan | Operator::GreaterThan => match (have.as_f64(), want.as_f64()) {
                        (Some(h), Some(w)) => ordered(self.operator, h, w),
                        _ => false,
                    },
                    _ => false,
                }
            }
            (Field::UpdateType, Operand::Create(create)) => {
                let is_create = f.update.is_some_and(|u| u.before.is_none());
                f.update.is_some() && equal(self.operator, is_create == *create)
            }
            (Field::CommentIsPublic, Operand::Public(want)) => {
                let comment = f.update.and_then(|u| u.comment_public);
                let same = match want {
                    None => comment.is_some(),
                    Some(p) => comment == Some(*p),
                };
                equal(self.operator, same)
            }
            (Field::CurrentUserRole, Operand::Role(r)) => {
                let role = f.update.and_then(|u| u.actor).map(|(_, role)| role);
                equal(self.operator, role == Some(*r))
            }
            (Field::CurrentUserId, Operand::Who(w)) => {
                let id = f.update.and_then(|u| u.actor).map(|(id, _)| id);
                let wanted = match w {
                    Who::Id(id) => Some(*id),
                    _ => None,
                };
                equal(self.operator, id.is_some() && id == wanted)
            }
            (Field::Hours(h), Operand::Hours(want)) => {
                let since = |at: Option<OffsetDateTime>| at.map(|a| (f.now - a).as_seconds_f64() / 3600.0);
                let until = |at: Option<OffsetDateTime>| at.map(|a| (a - f.now).as_seconds_f64() / 3600.0);
                let have = match h {
                    Hours::SinceCreated => since(Some(t.created_at.0)),
                    Hours::SinceUpdated => since(Some(t.updated_at.0)),
                    Hours::SinceStatusChanged => since(f.status_changed_at),
                    Hours::SinceSolved => since(f.solved_at),
                    Hours::SinceAssigned => since(f.assigned_at),
                    Hours::SinceRequesterUpdated => since(f.requester_updated_at),
                    Hours::SinceAssigneeUpdated => since(f.assignee_updated_at),
                    Hours::UntilDue => until(t.due_date.map(|d| d.0)),
                    Hours::UntilNextBreach => until(f.next_breach_at),
                };
                // A time the ticket does not have (never solved, no due date) matches nothing.
                let Some(have) = have else { return false };
                match self.operator {
                    // Zendesk compares whole hours for "is".
                    Operator::Is => have.floor() == want.floor(),
                    op => ordered(op, have, *want),
                }
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use serde_json::json;
    use time::Duration;

    fn ticket() -> Ticket {
        let now = Timestamp::now();
        Ticket {
            id: Uuid::nil(),
            subject: "s".into(),
            description: "d".into(),
            status: Status::Pending,
            priority: Priority::High,
            assignee_id: Some(Uuid::from_u128(2)),
            group_id: Some(Uuid::from_u128(9)),
            due_date: Some(Timestamp(now.0 + Duration::hours(5))),
            tags: vec!["billing".into(), "vip".into()],
            custom_fields: serde_json::from_value(json!({"plan": "gold", "seats": 12})).unwrap(),
            updated_at: Timestamp(now.0 - Duration::minutes(90)),
            ..Ticket::blank(1, Uuid::from_u128(1), Timestamp(now.0 - Duration::hours(30)))
        }
    }

    fn check(field: &str, operator: &str, value: Value, facts: &Facts) -> bool {
        let parsed =
            Conditions::parse(&json!({"all": [{"field": field, "operator": operator, "value": value}]}))
                .unwrap_or_else(|e| panic!("{field} {operator}: {e:?}"));
        parsed.matches(facts)
    }

    #[test]
    fn every_field_and_operator() {
        let t = ticket();
        let now = crate::clock::now();
        let mut f = Facts::of(&t, now, Some(Uuid::from_u128(2)));
        f.solved_at = Some(now - Duration::hours(2));
        let (g, a, r) =
            (Uuid::from_u128(9).to_string(), Uuid::from_u128(2).to_string(), Uuid::from_u128(1).to_string());
        let cases: Vec<(&str, &str, Value, bool)> = vec![
            ("status", "is", json!("pending"), true),
            ("status", "is_not", json!("pending"), false),
            ("status", "less_than", json!("solved"), true),
            ("status", "less_than", json!("open"), false),
            ("status", "greater_than", json!("open"), true),
            ("priority", "is", json!("high"), true),
            ("priority", "less_than", json!("urgent"), true),
            ("priority", "greater_than", json!("high"), false),
            ("group_id", "is", json!(g), true),
            ("group_id", "is", json!(""), false),
            ("group_id", "is_not", json!(""), true),
            ("assignee_id", "is", json!("current_user"), true),
            ("assignee_id", "is", json!(a), true),
            ("assignee_id", "is", json!(""), false),
            ("requester_id", "is", json!(r), true),
            ("requester_id", "is_not", json!("current_user"), true),
            ("organization_id", "is", json!(""), true),
            ("via", "is", json!("web"), true),
            ("via", "is_not", json!("web"), false),
            ("satisfaction", "is", json!("unoffered"), true),
            ("tags", "includes", json!("vip other"), true),
            ("tags", "includes", json!(["nope"]), false),
            ("tags", "not_includes", json!(["nope", "other"]), true),
            ("tags", "not_includes", json!("billing"), false),
            ("custom_fields.plan", "is", json!("gold"), true),
            ("custom_fields.plan", "is_not", json!("gold"), false),
            ("custom_fields.missing", "is", json!(""), true),
            ("custom_fields.seats", "greater_than", json!(10), true),
            ("custom_fields.seats", "less_than", json!(10), false),
            ("hours_since_created", "greater_than", json!(24), true),
            ("hours_since_created", "is", json!("30"), true),
            ("hours_since_updated", "less_than", json!(2), true),
            ("hours_since_solved", "greater_than", json!(1), true),
            ("hours_since_assigned", "greater_than", json!(0), false),
            ("hours_until_due", "less_than", json!(6), true),
            ("hours_until_due", "greater_than", json!(6), false),
            ("hours_until_next_breach", "less_than", json!(100), false),
        ];
        for (field, op, value, expected) in cases {
            assert_eq!(check(field, op, value.clone(), &f), expected, "{field} {op} {value}");
        }
        // With nobody evaluating, "current_user" names nobody.
        let nobody = Facts::of(&t, now, None);
        assert!(!check("assignee_id", "is", json!("current_user"), &nobody));
        assert!(check("assignee_id", "is_not", json!("current_user"), &nobody));
    }

    #[test]
    fn all_and_any() {
        let t = ticket();
        let f = Facts::of(&t, crate::clock::now(), None);
        let c = |raw: Value| Conditions::parse(&raw).unwrap().matches(&f);
        assert!(c(json!({})), "no conditions match everything");
        assert!(c(json!({"all": [{"field": "status", "operator": "is", "value": "pending"}],
            "any": [{"field": "priority", "operator": "is", "value": "low"}, {"field": "tags", "operator": "includes", "value": "vip"}]})));
        assert!(!c(json!({"all": [{"field": "status", "operator": "is", "value": "pending"}],
            "any": [{"field": "priority", "operator": "is", "value": "low"}]})));
        assert!(!c(
            json!({"all": [{"field": "status", "operator": "is", "value": "pending"}, {"field": "priority", "operator": "is", "value": "low"}]})
        ));
    }

    #[test]
    fn invalid_conditions_name_their_position() {
        let errors = |raw: Value| -> Vec<String> {
            let e = Conditions::parse(&raw).expect_err("invalid");
            serde_json::to_value(e.fields()).unwrap().as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(
            errors(json!({"all": [
                {"field": "status", "operator": "is", "value": "open"},
                {"field": "status", "operator": "includes", "value": "open"},
                {"field": "nope", "operator": "is", "value": 1},
            ], "any": [{"field": "priority", "operator": "is", "value": "extreme"}]})),
            ["conditions.all.1.operator", "conditions.all.2.field", "conditions.any.0.value"]
        );
        assert_eq!(
            errors(json!({"all": [{"field": "tags", "operator": "includes", "value": ""}]})),
            ["conditions.all.0.value"]
        );
        assert_eq!(
            errors(json!({"all": [{"field": "hours_since_created", "operator": "is", "value": -1}]})),
            ["conditions.all.0.value"]
        );
        assert_eq!(
            errors(json!({"all": [{"field": "group_id", "operator": "is", "value": "current_user"}]})),
            ["conditions.all.0.value"]
        );
        assert_eq!(
            errors(json!({"all": [{"field": "custom_fields.x", "operator": "less_than", "value": "a"}]})),
            ["conditions.all.0.value"]
        );
        assert_eq!(errors(json!({"all": [3]})), ["conditions.all.0"]);
        assert_eq!(errors(json!({"all": "status"})), ["conditions.all"]);
        assert_eq!(errors(json!([])), ["conditions"]);
        let many: Vec<Value> =
            (0..51).map(|_| json!({"field": "status", "operator": "is", "value": "open"})).collect();
        assert_eq!(errors(json!({"any": many})), ["conditions.any"]);
    }
}
