//! Views (API.md part 2, "Views"): saved conditions plus an execution (order and columns). This
//! module knows what a view asks for and which index partition can serve it (its *anchor*);
//! `app::views` reads the partitions, `store::views` keeps the views.
use super::conditions::{Condition, Conditions, Field, Hours, Operand, Operator, Who};
use super::ticket::Status;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// What a view's tickets are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    UpdatedAt,
    CreatedAt,
    Priority,
    Status,
    DueDate,
    Requester,
    Assignee,
    /// The next SLA breach (a running clock's `breach_at`); tickets without one sort last.
    NextBreachAt,
}

impl SortBy {
    const NAMES: [(&'static str, SortBy); 8] = [
        ("updated_at", SortBy::UpdatedAt),
        ("created_at", SortBy::CreatedAt),
        ("priority", SortBy::Priority),
        ("status", SortBy::Status),
        ("due_date", SortBy::DueDate),
        ("requester", SortBy::Requester),
        ("assignee", SortBy::Assignee),
        ("next_breach_at", SortBy::NextBreachAt),
    ];

    /// Also Zendesk's column names `updated`, `created` and `sla_next_breach_at`.
    pub fn parse(raw: &str) -> Option<SortBy> {
        let raw = match raw {
            "updated" => "updated_at",
            "created" => "created_at",
            "sla_next_breach_at" => "next_breach_at",
            other => other,
        };
        SortBy::NAMES.iter().find(|(n, _)| *n == raw).map(|(_, s)| *s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// The columns an agent's client shows (the API returns whole tickets either way).
pub const COLUMNS: [&str; 12] = [
    "ticket_number",
    "subject",
    "status",
    "priority",
    "requester",
    "assignee",
    "group",
    "organization",
    "created_at",
    "updated_at",
    "due_date",
    "tags",
];
pub const MAX_COLUMNS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Execution {
    pub sort_by: SortBy,
    pub sort_order: SortOrder,
    pub columns: Vec<String>,
}

impl Default for Execution {
    fn default() -> Self {
        Execution {
            sort_by: SortBy::UpdatedAt,
            sort_order: SortOrder::Desc,
            columns: ["ticket_number", "subject", "requester", "status", "updated_at"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

impl Execution {
    /// `{"sort_by"?, "sort_order"?, "columns"?}` (422 messages keyed `execution.<part>`); what is
    /// left out keeps its default. Anything but an object (`null` too) is a 422.
    pub fn parse(raw: &Value) -> Result<Execution, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut e = Execution::default();
        let obj = match raw {
            Value::Object(o) => o,
            _ => {
                errors.add(
                    "execution",
                    "The execution must be an object with sort_by, sort_order and columns.",
                );
                return Err(errors);
            }
        };
        match obj.get("sort_by") {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_str().and_then(SortBy::parse) {
                Some(s) => e.sort_by = s,
                None => errors.add(
                    "execution.sort_by",
                    "The sort must be one of: updated_at, created_at, priority, status, due_date, requester, assignee, next_breach_at.",
                ),
            },
        }
        match obj.get("sort_order") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "asc" => e.sort_order = SortOrder::Asc,
            Some(Value::String(s)) if s == "desc" => e.sort_order = SortOrder::Desc,
            Some(_) => errors.add("execution.sort_order", "The sort order must be asc or desc."),
        }
        match obj.get("columns") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                let mut columns = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().filter(|c| COLUMNS.contains(c)) {
                        Some(c) if !columns.iter().any(|have| have == c) => columns.push(c.to_owned()),
                        Some(_) => {}
                        None => errors.add(
                            &format!("execution.columns.{i}"),
                            format!("The column must be one of: {}.", COLUMNS.join(", ")),
                        ),
                    }
                }
                if items.len() > MAX_COLUMNS {
                    errors.add("execution.columns", format!("At most {MAX_COLUMNS} columns."));
                }
                e.columns = columns;
            }
            Some(_) => errors.add("execution.columns", "The columns must be a list of column names."),
        }
        if errors.is_empty() {
            Ok(e)
        } else {
            Err(errors)
        }
    }
}

/// The index partition that serves a view: the first `all` condition an index can answer, in
/// this order of selectivity (a person's tickets, a group's, an organization's, then statuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Requester(Option<Uuid>),
    Assignee(Option<Uuid>),
    Group(Option<Uuid>),
    Organization(Option<Uuid>),
    /// One partition per status (empty when the status conditions exclude each other).
    Statuses(Vec<Status>),
}

fn rank(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// The statuses every status condition of `all` allows (all six when there is none).
pub fn allowed_statuses(all: &[Condition]) -> Vec<Status> {
    Status::ALL
        .iter()
        .copied()
        .filter(|candidate| {
            all.iter().all(|c| match (&c.field, &c.value) {
                (Field::Status, Operand::Status(s)) => match c.operator {
                    Operator::Is => candidate == s,
                    Operator::IsNot => candidate != s,
                    Operator::LessThan => rank(*candidate) < rank(*s),
                    Operator::GreaterThan => rank(*candidate) > rank(*s),
                    _ => true,
                },
                _ => true,
            })
        })
        .collect()
}

fn is_status_anchor(c: &Condition) -> bool {
    c.field == Field::Status
        && matches!(c.operator, Operator::Is | Operator::LessThan | Operator::GreaterThan)
}

/// A person/group/organization `is` condition: which kind, and who.
fn partition_condition(c: &Condition) -> Option<(u8, Who)> {
    let kind = match c.field {
        Field::RequesterId => 0,
        Field::AssigneeId => 1,
        Field::GroupId => 2,
        Field::OrganizationId => 3,
        _ => return None,
    };
    match (&c.operator, &c.value) {
        (Operator::Is, Operand::Who(w)) => Some((kind, *w)),
        _ => None,
    }
}

impl Anchor {
    /// Whether some `all` condition can anchor the view (checked when a view is saved).
    pub fn available(conditions: &Conditions) -> bool {
        conditions.all.iter().any(|c| is_status_anchor(c) || partition_condition(c).is_some())
    }

    /// The anchor for a caller (`current_user` resolved to them); `None` if the view has none.
    pub fn of(conditions: &Conditions, current_user: Uuid) -> Option<Anchor> {
        let resolve = |w: Who| match w {
            Who::Nobody => None,
            Who::CurrentUser => Some(current_user),
            Who::Id(id) => Some(id),
        };
        let best = conditions.all.iter().filter_map(partition_condition).min_by_key(|(kind, _)| *kind);
        if let Some((kind, who)) = best {
            let who = resolve(who);
            return Some(match kind {
                0 => Anchor::Requester(who),
                1 => Anchor::Assignee(who),
                2 => Anchor::Group(who),
                _ => Anchor::Organization(who),
            });
        }
        conditions
            .all
            .iter()
            .any(is_status_anchor)
            .then(|| Anchor::Statuses(allowed_statuses(&conditions.all)))
    }
}

/// The `updated_at` range that `hours_since_updated` conditions of `all` allow at `now`: a key
/// range on every index (their sort keys start with `updated_at`), so a "recently updated" view
/// never reads older tickets.
pub fn updated_range(
    conditions: &Conditions,
    now: OffsetDateTime,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let mut floor: Option<OffsetDateTime> = None;
    let mut ceiling: Option<OffsetDateTime> = None;
    for c in &conditions.all {
        if let (Field::Hours(Hours::SinceUpdated), Operand::Hours(h)) = (&c.field, &c.value) {
            let at = now - Duration::seconds_f64(h * 3600.0);
            match c.operator {
                // Updated less than h hours ago: after `at`.
                Operator::LessThan => floor = Some(floor.map_or(at, |f| f.max(at))),
                Operator::GreaterThan => ceiling = Some(ceiling.map_or(at, |c| c.min(at))),
                _ => {}
            }
        }
    }
    (floor, ceiling)
}

/// A view whose count the per-partition status counters answer exactly: no `any`, and `all`
/// holds only status conditions and at most one person/group/organization `is`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterPlan {
    /// `None`: every ticket (the desk-wide counters).
    pub anchor: Option<Anchor>,
    pub statuses: Vec<Status>,
}

impl CounterPlan {
    pub fn of(conditions: &Conditions, current_user: Uuid) -> Option<CounterPlan> {
        if !conditions.any.is_empty() {
            return None;
        }
        let mut partition = None;
        for c in &conditions.all {
            if c.field == Field::Status {
                continue;
            }
            if partition_condition(c).is_none() || partition.is_some() {
                return None;
            }
            partition = Some(c);
        }
        let anchor = match partition {
            Some(_) => Some(Anchor::of(conditions, current_user)?),
            None => None,
        };
        Some(CounterPlan { anchor, statuses: allowed_statuses(&conditions.all) })
    }
}

/// Whether the view's result depends on who looks (`current_user` anywhere): its cached count
/// is then kept per agent.
pub fn per_user(raw_conditions: &Value) -> bool {
    raw_conditions.to_string().contains("\"current_user\"")
}

/// The six views a new desk starts with (Zendesk's defaults): title, conditions, execution.
pub fn defaults() -> Vec<(&'static str, Value, Value)> {
    let unsolved = json!({"field": "status", "operator": "less_than", "value": "solved"});
    vec![
        (
            "Your unsolved tickets",
            json!({"all": [unsolved, {"field": "assignee_id", "operator": "is", "value": "current_user"}]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
        (
            "Unassigned tickets",
            json!({"all": [unsolved, {"field": "assignee_id", "operator": "is", "value": ""}]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
        (
            "All unsolved tickets",
            json!({"all": [unsolved]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
        (
            "Recently updated tickets",
            json!({"all": [
                {"field": "status", "operator": "less_than", "value": "closed"},
                {"field": "hours_since_updated", "operator": "less_than", "value": 168}
            ]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
        (
            "Pending tickets",
            json!({"all": [{"field": "status", "operator": "is", "value": "pending"}]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
        (
            "Recently solved tickets",
            json!({"all": [
                {"field": "status", "operator": "is", "value": "solved"},
                {"field": "hours_since_updated", "operator": "less_than", "value": 168}
            ]}),
            json!({"sort_by": "updated_at", "sort_order": "desc"}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(v: Value) -> Conditions {
        Conditions::parse(&v).unwrap()
    }

    #[test]
    fn anchors_by_selectivity() {
        let me = Uuid::now_v7();
        let c = conditions(json!({"all": [
            {"field": "status", "operator": "less_than", "value": "solved"},
            {"field": "group_id", "operator": "is", "value": ""},
            {"field": "assignee_id", "operator": "is", "value": "current_user"}
        ]}));
        assert_eq!(Anchor::of(&c, me), Some(Anchor::Assignee(Some(me))));
        let c = conditions(json!({"all": [{"field": "status", "operator": "less_than", "value": "solved"}]}));
        assert_eq!(
            Anchor::of(&c, me),
            Some(Anchor::Statuses(vec![Status::New, Status::Open, Status::Pending, Status::OnHold]))
        );
        let c = conditions(json!({"all": [
            {"field": "status", "operator": "greater_than", "value": "open"},
            {"field": "status", "operator": "is_not", "value": "closed"}
        ]}));
        assert_eq!(
            Anchor::of(&c, me),
            Some(Anchor::Statuses(vec![Status::Pending, Status::OnHold, Status::Solved]))
        );
        // `is_not` and `any` never anchor.
        let c = conditions(json!({
            "all": [{"field": "assignee_id", "operator": "is_not", "value": ""}],
            "any": [{"field": "status", "operator": "is", "value": "open"}]
        }));
        assert!(!Anchor::available(&c));
        assert_eq!(Anchor::of(&c, me), None);
    }

    #[test]
    fn counter_plans() {
        let me = Uuid::now_v7();
        let c = conditions(json!({"all": [
            {"field": "status", "operator": "less_than", "value": "solved"},
            {"field": "assignee_id", "operator": "is", "value": "current_user"}
        ]}));
        let plan = CounterPlan::of(&c, me).unwrap();
        assert_eq!(plan.anchor, Some(Anchor::Assignee(Some(me))));
        assert_eq!(plan.statuses.len(), 4);
        let c = conditions(json!({"all": [{"field": "status", "operator": "is", "value": "pending"}]}));
        assert_eq!(
            CounterPlan::of(&c, me),
            Some(CounterPlan { anchor: None, statuses: vec![Status::Pending] })
        );
        for other in [
            json!({"all": [{"field": "status", "operator": "is", "value": "open"}, {"field": "priority", "operator": "is", "value": "high"}]}),
            json!({"all": [{"field": "status", "operator": "is", "value": "open"}], "any": [{"field": "group_id", "operator": "is", "value": ""}]}),
            json!({"all": [{"field": "group_id", "operator": "is", "value": ""}, {"field": "assignee_id", "operator": "is", "value": ""}]}),
        ] {
            assert_eq!(CounterPlan::of(&conditions(other.clone()), me), None, "{other}");
        }
    }

    #[test]
    fn recently_updated_is_a_key_range() {
        let now = OffsetDateTime::now_utc();
        let c = conditions(json!({"all": [
            {"field": "hours_since_updated", "operator": "less_than", "value": 24},
            {"field": "hours_since_updated", "operator": "greater_than", "value": 1}
        ]}));
        let (floor, ceiling) = updated_range(&c, now);
        assert_eq!(floor, Some(now - Duration::hours(24)));
        assert_eq!(ceiling, Some(now - Duration::hours(1)));
    }

    #[test]
    fn execution_parsing() {
        let e = Execution::parse(
            &json!({"sort_by": "updated", "sort_order": "asc", "columns": ["status", "subject"]}),
        )
        .unwrap();
        assert_eq!((e.sort_by, e.sort_order), (SortBy::UpdatedAt, SortOrder::Asc));
        let errors = Execution::parse(
            &json!({"sort_by": "subject", "sort_order": "up", "columns": ["status", "nope"]}),
        )
        .unwrap_err();
        let keys: Vec<&String> = errors.fields().keys().collect();
        assert_eq!(keys, ["execution.columns.1", "execution.sort_by", "execution.sort_order"]);
    }

    #[test]
    fn defaults_parse_and_anchor() {
        for (title, c, e) in defaults() {
            let c = Conditions::parse(&c).unwrap();
            assert!(Anchor::available(&c), "{title}");
            Execution::parse(&e).unwrap();
        }
    }
}
