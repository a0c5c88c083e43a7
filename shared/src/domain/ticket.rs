//! Tickets and their rules (Zendesk semantics): statuses, priorities, satisfaction, what each
//! role may change, and the audit record every changed field produces.
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// "new, open, pending" for validation messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}
/// For the other domain enums written the same way.
pub(crate) use string_enum;

string_enum!(Status { New => "new", Open => "open", Pending => "pending", OnHold => "on-hold", Solved => "solved", Closed => "closed" });
string_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
string_enum!(Satisfaction { Offered => "offered", Unoffered => "unoffered", Good => "good", Bad => "bad" });
string_enum!(
    /// The channel a change came through (API.md part 2, "Channels and `via`"): `rule` for
    /// triggers, automations (auto-close among them) and SLAs. Records written before these
    /// names read `mail` as `email` and `trigger` / `automation` as `rule`.
    #[derive(Default)]
    Via {
        #[default]
        Web => "web",
        #[serde(alias = "mail")]
        Email => "email",
        Api => "api",
        Macro => "macro",
        #[serde(alias = "trigger", alias = "automation")]
        Rule => "rule",
        System => "system",
    }
);

/// Who moves a ticket: a person (through any channel), a business rule (trigger,
/// automation, the auto-close schedule) acting for the desk, or an agent merging the ticket
/// into another (which closes it, whatever its status, as Zendesk's merge does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Person,
    Rule,
    Merge,
}

/// The status transitions (Zendesk semantics), as one table:
///
/// | from \ to | new | open, pending, on-hold, solved | closed |
/// |---|---|---|---|
/// | (creation) | yes | yes | no |
/// | new | (no change) | yes | rule or merge only |
/// | open, pending, on-hold | no | yes | rule or merge only |
/// | solved | no | yes | yes |
/// | closed | no | no | no |
///
/// `solved` additionally needs an assignee; that is checked on the resulting ticket, so it holds
/// whichever field changes got there (see [`Ticket::apply`]).
pub fn check_transition(from: Option<Status>, to: Status, by: Mover) -> Result<(), RuleViolation> {
    use Status::*;
    match (from, to) {
        (Some(Closed), _) => Err(CLOSED_IS_FINAL),
        (Some(f), t) if f == t => Ok(()),
        (None, Closed) => Err(CLOSE_NEEDS_SOLVED),
        (None, _) => Ok(()),
        (Some(_), New) => Err(NEW_ONLY_AT_CREATION),
        (Some(Solved), Closed) => Ok(()),
        (Some(_), Closed) if by != Mover::Person => Ok(()),
        (Some(_), Closed) => Err(CLOSE_NEEDS_SOLVED),
        (Some(_), Open | Pending | OnHold | Solved) => Ok(()),
    }
}

pub const MAX_SUBJECT_CHARS: usize = 255;
pub const MAX_DESCRIPTION_CHARS: usize = 65_535;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;
pub const MAX_CUSTOM_FIELDS: usize = 50;

/// `TKT-` + at least six digits.
pub fn ticket_number(n: u64) -> String {
    TicketNumber(n).to_string()
}

/// A ticket's number: `TKT-000042` is 42.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketNumber(pub u64);

impl TicketNumber {
    /// `TKT-` (any case) and at least six digits; anything else is not a ticket number.
    pub fn parse(s: &str) -> Option<Self> {
        let digits = s.trim().to_ascii_uppercase();
        let digits = digits.strip_prefix("TKT-")?;
        (digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok().map(TicketNumber))
            .flatten()
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TKT-{:06}", self.0)
    }
}

use crate::schema::{object, string, strings, value_schema};
use utoipa::openapi::schema::KnownFormat;

value_schema!(
    TicketNumber,
    string(None, None, None, Some("^TKT-[0-9]{6,}$"), "`TKT-` and at least six digits")
);
value_schema!(Subject, string(Some(1), Some(MAX_SUBJECT_CHARS), None, None, "Trimmed, not blank"));
value_schema!(Description, string(Some(1), Some(MAX_DESCRIPTION_CHARS), None, None, "Not blank"));
value_schema!(
    Tags,
    strings(MAX_TAGS, MAX_TAG_CHARS, "Trimmed, lowercased, inner spaces become `_`, de-duplicated, sorted")
);
value_schema!(
    CustomFields,
    object(
        MAX_CUSTOM_FIELDS,
        "Scalar values (string up to 1000 characters, number, boolean); null removes a key"
    )
);
value_schema!(
    DueDate,
    string(
        None,
        None,
        Some(KnownFormat::DateTime),
        None,
        "RFC 3339, or `YYYY-MM-DD` (the end of that day, UTC)"
    )
);

impl Serialize for TicketNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TicketNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TicketNumber::parse(&s).ok_or_else(|| serde::de::Error::custom("not a ticket number"))
    }
}

/// A subject: trimmed, not blank, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            Err("The subject field is required.")
        } else if s.chars().count() > MAX_SUBJECT_CHARS {
            Err("The subject field must not be greater than 255 characters.")
        } else {
            Ok(Subject(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A description: not blank, at most 65,535 characters (kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.trim().is_empty() {
            Err("The description field is required.")
        } else if raw.chars().count() > MAX_DESCRIPTION_CHARS {
            Err("The description field must not be greater than 65535 characters.")
        } else {
            Ok(Description(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A set of tags, normalised the way Zendesk does: trimmed, lowercase, inner spaces → `_`,
/// unique, sorted, at most 20 of at most 50 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn parse(raw: &[String]) -> Result<Self, &'static str> {
        let mut tags: Vec<String> = Vec::new();
        for t in raw {
            let tag = t.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("_");
            if tag.is_empty() {
                return Err("The tags field must not contain empty tags.");
            }
            if tag.chars().count() > MAX_TAG_CHARS || tag.chars().any(|c| c.is_control() || c == '#') {
                return Err("The tags field contains an invalid tag.");
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            return Err("The tags field must not have more than 20 items.");
        }
        tags.sort();
        Ok(Tags(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// Custom field values: scalars (string, number, boolean), or null to remove a field; at most
/// 50 keys of at most 64 bytes, strings up to 1,000 characters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFields(Map<String, Value>);

/// Whether DynamoDB can store this number: 0, or a magnitude in [1e-130, 1e126).
fn storable_number(n: &serde_json::Number) -> bool {
    if n.is_i64() || n.is_u64() {
        return true;
    }
    match n.as_f64() {
        Some(f) => f == 0.0 || (f.is_finite() && (1e-130..1e125).contains(&f.abs())),
        None => false,
    }
}

impl CustomFields {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, &'static str> {
        if map.len() > MAX_CUSTOM_FIELDS {
            return Err("The custom fields field must not have more than 50 items.");
        }
        for (k, v) in map {
            if k.is_empty() || k.len() > 64 {
                return Err("The custom fields field has an invalid key.");
            }
            match v {
                Value::Array(_) | Value::Object(_) => return Err("Custom field values must be scalars."),
                Value::String(s) if s.chars().count() > 1000 => {
                    return Err("Custom field values must not be greater than 1000 characters.")
                }
                Value::Number(n) if !storable_number(n) => {
                    return Err("Custom field numbers must be 0 or between 1e-130 and 1e125 in size.")
                }
                _ => {}
            }
        }
        Ok(CustomFields(map.clone()))
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

/// A due date: a moment in time. Given as an RFC 3339 timestamp, or as a `YYYY-MM-DD` date
/// (the end of that day, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDate(time::OffsetDateTime);

impl DueDate {
    /// `None` for anything else, and for moments outside years 1 to 9999 once in UTC (an
    /// offset can push `9999-12-31T23:59:59-23:59` into year 10000).
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim();
        let at = match crate::clock::parse(s) {
            Some(t) => t.checked_to_offset(time::UtcOffset::UTC)?,
            None => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let date = time::Date::parse(s, &format).ok()?;
                date.with_hms_milli(23, 59, 59, 0).ok()?.assume_utc()
            }
        };
        (1..=9999).contains(&at.year()).then_some(DueDate(at))
    }

    pub fn at(self) -> time::OffsetDateTime {
        self.0
    }

    /// As the API and the store show it.
    pub fn to_api(self) -> String {
        crate::clock::format(self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    pub ticket_number: String,
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub satisfaction: Satisfaction,
    pub requester_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    /// The group working the ticket (API.md part 2, "Groups").
    #[serde(default)]
    pub group_id: Option<Uuid>,
    /// The channel it was opened through; tickets written before it was kept read as `web`.
    #[serde(default)]
    pub via: Via,
    /// A ticket opened by a reply to a closed one links it (Zendesk's follow-up).
    #[serde(default)]
    pub follow_up_of: Option<Uuid>,
    /// Where the message that opened it is kept (tickets opened by mail), for staff.
    #[serde(default)]
    pub mail_key: Option<String>,
    pub due_date: Option<Timestamp>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Opaque version: changes on every write; a PATCH that sends it back is a safe update.
    pub updated_stamp: String,
    /// When things last happened to it (for automations' and views' `hours_since_*`). Tickets
    /// written before these were kept have none (see [`Ticket::solved_at_or_guess`]).
    #[serde(default)]
    pub times: Times,
    /// Comments made on it (their places: each comment's number follows from it).
    #[serde(default)]
    pub comment_count: u32,
    /// SLA metric state (the matching policy's clocks), staff only; none when no policy applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<crate::domain::sla::TicketSla>,
}

/// The per-event times a ticket keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    pub status_changed_at: Option<Timestamp>,
    pub solved_at: Option<Timestamp>,
    pub assigned_at: Option<Timestamp>,
    pub requester_updated_at: Option<Timestamp>,
    pub assignee_updated_at: Option<Timestamp>,
    /// The last public reply by staff (SLA: the first reply is fulfilled once there is one).
    #[serde(default)]
    pub replied_at: Option<Timestamp>,
    /// The oldest public requester message no public staff reply has answered yet (SLA: where
    /// a reply-time clock starts). A new ticket's description is such a message.
    #[serde(default)]
    pub awaiting_reply_since: Option<Timestamp>,
}

impl Ticket {
    /// A new-status ticket with nothing but a number, a requester and a time (fixtures,
    /// imports and the benchmark fill in the rest with struct update syntax).
    pub fn blank(number: u64, requester_id: Uuid, at: Timestamp) -> Ticket {
        Ticket {
            id: Uuid::now_v7(),
            ticket_number: ticket_number(number),
            subject: String::new(),
            description: String::new(),
            status: Status::New,
            priority: Priority::Normal,
            satisfaction: Satisfaction::Unoffered,
            requester_id,
            assignee_id: None,
            organization_id: None,
            group_id: None,
            via: Via::default(),
            follow_up_of: None,
            mail_key: None,
            due_date: None,
            tags: Vec::new(),
            custom_fields: Map::new(),
            created_at: at,
            updated_at: at,
            updated_stamp: Uuid::now_v7().to_string(),
            times: Times::default(),
            comment_count: 0,
            sla: None,
        }
    }

    /// Records a public comment for the reply clocks: staff answer whatever is waiting; the
    /// requester's message waits from the oldest unanswered one. Internal notes count for nothing.
    pub fn mark_public_comment(&mut self, by_staff: bool, now: Timestamp) {
        if by_staff {
            self.times.replied_at = Some(now);
            self.times.awaiting_reply_since = None;
        } else if self.times.awaiting_reply_since.is_none() {
            self.times.awaiting_reply_since = Some(now);
        }
    }

    /// When the next SLA target breaches (in the past for a breached clock still running).
    pub fn next_breach_at(&self) -> Option<Timestamp> {
        self.sla.as_ref().and_then(|s| s.next_breach_at())
    }

    /// Records what an update did at `now`: status and assignee changes against `before`
    /// (`None` for a new ticket), and who (`author`) touched it.
    pub fn mark_times(&mut self, before: Option<&Ticket>, author: Option<Uuid>, now: Timestamp) {
        let status_changed = before.is_none_or(|b| b.status != self.status);
        if status_changed {
            self.times.status_changed_at = Some(now);
            if self.status == Status::Solved {
                self.times.solved_at = Some(now);
            }
        }
        if self.assignee_id.is_some() && before.is_none_or(|b| b.assignee_id != self.assignee_id) {
            self.times.assigned_at = Some(now);
        }
        if let Some(a) = author {
            if a == self.requester_id {
                self.times.requester_updated_at = Some(now);
            }
            if Some(a) == self.assignee_id {
                self.times.assignee_updated_at = Some(now);
            }
        }
    }

    /// When it was solved; a solved or closed ticket from before solve times were kept counts
    /// from its last update.
    pub fn solved_at_or_guess(&self) -> Option<Timestamp> {
        self.times
            .solved_at
            .or_else(|| matches!(self.status, Status::Solved | Status::Closed).then_some(self.updated_at))
    }
}

/// One audited field change.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
    pub action: String,
}

/// A requested change to a ticket; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketPatch {
    pub subject: Option<Subject>,
    pub description: Option<Description>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub satisfaction: Option<Satisfaction>,
    pub requester_id: Option<Uuid>,
    pub assignee_id: Option<Option<Uuid>>,
    pub organization_id: Option<Option<Uuid>>,
    pub group_id: Option<Option<Uuid>>,
    pub due_date: Option<Option<DueDate>>,
    /// Replaces the tags.
    pub tags: Option<Tags>,
    /// Added after `tags` (if any) is applied; normalised tags.
    pub add_tags: Vec<String>,
    /// Removed after `tags` and `add_tags`; normalised tags.
    pub remove_tags: Vec<String>,
    pub custom_fields: Option<CustomFields>,
}

/// Why a change is refused (each becomes a 422 on `field`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RuleViolation {
    pub field: &'static str,
    pub message: &'static str,
}

pub const CLOSED_IS_FINAL: RuleViolation =
    RuleViolation { field: "status", message: "This ticket is closed and can no longer be changed." };
pub const SOLVE_NEEDS_ASSIGNEE: RuleViolation =
    RuleViolation { field: "status", message: "A ticket must be assigned before it can be solved" };
pub const CLOSE_NEEDS_SOLVED: RuleViolation =
    RuleViolation { field: "status", message: "A ticket must be solved before it can be closed." };
pub const NEW_ONLY_AT_CREATION: RuleViolation =
    RuleViolation { field: "status", message: "A ticket cannot be set back to new." };
pub const RATING_NEEDS_SOLVED: RuleViolation = RuleViolation {
    field: "satisfaction",
    message: "Satisfaction can only be rated on a solved or closed ticket.",
};
pub const RATING_IS_GOOD_OR_BAD: RuleViolation =
    RuleViolation { field: "satisfaction", message: "The satisfaction must be good or bad." };
pub const TOO_MANY_CUSTOM_FIELDS: RuleViolation =
    RuleViolation { field: "custom_fields", message: "The ticket must not have more than 50 custom fields." };
pub const TICKET_TOO_LARGE: RuleViolation = RuleViolation {
    field: "description",
    message: "The ticket is too large to store: shorten the description or the custom fields.",
};

/// What a ticket item may take as JSON, leaving room under DynamoDB's 400 KB for the keys and
/// index attributes.
pub const MAX_TICKET_BYTES: usize = 350 * 1024;

/// An audit record keeps at most this many characters of an old or new value (a description
/// replaced by another would otherwise carry both texts past the item limit); a cut value ends
/// with `…`.
pub const MAX_AUDIT_VALUE_CHARS: usize = 10_000;

fn audit_value(v: String) -> String {
    match v.char_indices().nth(MAX_AUDIT_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &v[..cut]),
        None => v,
    }
}

pub const TOO_MANY_TAGS: RuleViolation =
    RuleViolation { field: "tags", message: "The tags field must not have more than 20 items." };

fn display(v: Option<&str>) -> String {
    v.map_or_else(|| "(none)".to_owned(), str::to_owned)
}

fn opt_uuid(v: Option<Uuid>) -> Option<String> {
    v.map(|u| u.to_string())
}

impl Ticket {
    /// Applies a patch under the ticket rules (the transition table, solving needs an
    /// assignee, ratings only once solved), returning the changed ticket and one audit entry per
    /// field that actually changed (an empty list means nothing changed).
    pub fn apply(&self, patch: &TicketPatch, by: Mover) -> Result<(Ticket, Vec<FieldChange>), RuleViolation> {
        let only_satisfaction =
            TicketPatch { satisfaction: patch.satisfaction, ..Default::default() } == *patch;
        if self.status == Status::Closed && !only_satisfaction {
            return Err(CLOSED_IS_FINAL);
        }
        if let Some(sat) = patch.satisfaction {
            if !matches!(self.status, Status::Solved | Status::Closed) {
                return Err(RATING_NEEDS_SOLVED);
            }
            if !matches!(sat, Satisfaction::Good | Satisfaction::Bad) {
                return Err(RATING_IS_GOOD_OR_BAD);
            }
        }
        if let Some(status) = patch.status {
            check_transition(Some(self.status), status, by)?;
        }
        let mut next = self.clone();
        let mut changes = Vec::new();
        let mut record = |field: &'static str, old: Option<String>, new: Option<String>, action: String| {
            if old != new {
                let (old, new) = (old.map(audit_value), new.map(audit_value));
                changes.push(FieldChange { field, old, new, action });
            }
        };

        if let Some(subject) = &patch.subject {
            let subject = subject.as_str().to_owned();
            record("subject", Some(self.subject.clone()), Some(subject.clone()), "Subject changed".into());
            next.subject = subject;
        }
        if let Some(description) = &patch.description {
            let description = description.as_str().to_owned();
            record(
                "description",
                Some(self.description.clone()),
                Some(description.clone()),
                "Description changed".into(),
            );
            next.description = description;
        }
        if let Some(priority) = patch.priority {
            record(
                "priority",
                Some(self.priority.as_str().into()),
                Some(priority.as_str().into()),
                format!("Priority changed from {} to {}", self.priority.as_str(), priority.as_str()),
            );
            next.priority = priority;
        }
        if let Some(requester) = patch.requester_id {
            record(
                "requester_id",
                Some(self.requester_id.to_string()),
                Some(requester.to_string()),
                format!("Requester changed from {} to {}", self.requester_id, requester),
            );
            next.requester_id = requester;
        }
        if let Some(assignee) = patch.assignee_id {
            let action = match assignee {
                Some(a) => {
                    format!("Assignee changed from {} to {a}", display(opt_uuid(self.assignee_id).as_deref()))
                }
                None => "Ticket unassigned".to_owned(),
            };
            record("assignee_id", opt_uuid(self.assignee_id), opt_uuid(assignee), action);
            next.assignee_id = assignee;
        }
        if let Some(org) = patch.organization_id {
            record(
                "organization_id",
                opt_uuid(self.organization_id),
                opt_uuid(org),
                format!(
                    "Organization changed from {} to {}",
                    display(opt_uuid(self.organization_id).as_deref()),
                    display(opt_uuid(org).as_deref())
                ),
            );
            next.organization_id = org;
        }
        if let Some(group) = patch.group_id {
            record(
                "group_id",
                opt_uuid(self.group_id),
                opt_uuid(group),
                format!(
                    "Group changed from {} to {}",
                    display(opt_uuid(self.group_id).as_deref()),
                    display(opt_uuid(group).as_deref())
                ),
            );
            next.group_id = group;
        }
        if let Some(due) = patch.due_date {
            let due = due.map(|d| Timestamp(d.at()));
            let (old, new) = (self.due_date.map(|d| d.to_string()), due.map(|d| d.to_string()));
            let action =
                format!("Due date changed from {} to {}", display(old.as_deref()), display(new.as_deref()));
            record("due_date", old, new, action);
            next.due_date = due;
        }
        if patch.tags.is_some() || !patch.add_tags.is_empty() || !patch.remove_tags.is_empty() {
            let mut tags = patch.tags.as_ref().map_or_else(|| self.tags.clone(), |t| t.as_slice().to_vec());
            for t in &patch.add_tags {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            tags.retain(|t| !patch.remove_tags.contains(t));
            tags.sort();
            if tags.len() > MAX_TAGS {
                return Err(TOO_MANY_TAGS);
            }
            let old = serde_json::to_string(&self.tags).ok();
            let new = serde_json::to_string(&tags).ok();
            record("tags", old, new, format!("Tags changed to [{}]", tags.join(", ")));
            next.tags = tags;
        }
        if let Some(fields) = &patch.custom_fields {
            let mut merged = self.custom_fields.clone();
            for (k, v) in fields.as_map() {
                if v.is_null() {
                    merged.remove(k);
                } else {
                    merged.insert(k.clone(), v.clone());
                }
            }
            let old = Value::Object(self.custom_fields.clone()).to_string();
            let new = Value::Object(merged.clone()).to_string();
            record("custom_fields", Some(old), Some(new), "Custom fields changed".into());
            next.custom_fields = merged;
        }
        if let Some(status) = patch.status {
            if status == Status::Solved && next.assignee_id.is_none() {
                return Err(SOLVE_NEEDS_ASSIGNEE);
            }
            record(
                "status",
                Some(self.status.as_str().into()),
                Some(status.as_str().into()),
                format!("Status changed from {} to {}", self.status.as_str(), status.as_str()),
            );
            next.status = status;
            if status == Status::Solved && next.satisfaction == Satisfaction::Unoffered {
                record(
                    "satisfaction",
                    Some(Satisfaction::Unoffered.as_str().into()),
                    Some(Satisfaction::Offered.as_str().into()),
                    "Satisfaction survey offered".into(),
                );
                next.satisfaction = Satisfaction::Offered;
            }
        }
        if next.status == Status::Solved && next.assignee_id.is_none() {
            return Err(SOLVE_NEEDS_ASSIGNEE);
        }
        if let Some(sat) = patch.satisfaction {
            record(
                "satisfaction",
                Some(next.satisfaction.as_str().into()),
                Some(sat.as_str().into()),
                format!("Satisfaction rated {}", sat.as_str()),
            );
            next.satisfaction = sat;
        }
        if patch.custom_fields.is_some() && next.custom_fields.len() > MAX_CUSTOM_FIELDS {
            return Err(TOO_MANY_CUSTOM_FIELDS);
        }
        next.check_size()?;
        Ok((next, changes))
    }

    /// Refuses a ticket whose stored item would pass DynamoDB's 400 KB item limit (a long
    /// description in four-byte characters with many long custom field values can).
    pub fn check_size(&self) -> Result<(), RuleViolation> {
        let bytes = serde_json::to_vec(self).map_or(usize::MAX, |v| v.len());
        if bytes > MAX_TICKET_BYTES {
            return Err(TICKET_TOO_LARGE);
        }
        Ok(())
    }

    /// The status a new comment moves the ticket to, if any: an agent's public reply opens a
    /// new ticket; the requester's reply reopens a pending or solved one.
    pub fn status_after_comment(
        &self,
        author: Uuid,
        author_is_staff: bool,
        is_internal: bool,
    ) -> Option<Status> {
        if is_internal {
            return None;
        }
        match self.status {
            Status::New if author_is_staff => Some(Status::Open),
            Status::Pending | Status::Solved if author == self.requester_id => Some(Status::Open),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_reads_earlier_names() {
        let read = |s: &str| serde_json::from_value::<Via>(serde_json::json!(s)).unwrap();
        assert_eq!(read("mail"), Via::Email);
        assert_eq!(read("trigger"), Via::Rule);
        assert_eq!(read("automation"), Via::Rule);
        assert_eq!(read("system"), Via::System);
        assert_eq!(serde_json::to_value(Via::Rule).unwrap(), "rule");
    }

    fn ticket() -> Ticket {
        Ticket {
            subject: "Printer on fire".into(),
            description: "It is on fire".into(),
            updated_stamp: "s1".into(),
            ..Ticket::blank(1, Uuid::now_v7(), Timestamp::stored("2026-11-26T00:00:00.000Z"))
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(ticket_number(42), "TKT-000042");
        assert_eq!(ticket_number(1_234_567), "TKT-1234567");
        assert_eq!(TicketNumber::parse("tkt-000042"), Some(TicketNumber(42)));
        assert_eq!(TicketNumber::parse("TKT-42"), None);
        assert_eq!(TicketNumber::parse("TKT-00004x"), None);
    }

    #[test]
    fn subjects_and_descriptions() {
        assert_eq!(Subject::parse("  Printer  ").unwrap().as_str(), "Printer");
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"x".repeat(256)).is_err());
        assert!(Subject::parse(&"é".repeat(255)).is_ok(), "characters, not bytes");
        assert_eq!(Description::parse(" keep  spacing ").unwrap().as_str(), " keep  spacing ");
        assert!(Description::parse(&"x".repeat(65_536)).is_err());
    }

    #[test]
    fn each_changed_field_is_audited_and_unchanged_ones_are_not() {
        let t = ticket();
        let patch = TicketPatch {
            priority: Some(Priority::High),
            subject: Some(Subject::parse(&t.subject).unwrap()),
            status: Some(Status::Pending),
            ..Default::default()
        };
        let (next, changes) = t.apply(&patch, Mover::Person).unwrap();
        assert_eq!(next.priority, Priority::High);
        let actions: Vec<_> = changes.iter().map(|c| c.action.as_str()).collect();
        assert_eq!(actions, ["Priority changed from normal to high", "Status changed from new to pending"]);
    }

    #[test]
    fn solving_needs_an_assignee_and_offers_satisfaction() {
        let mut t = ticket();
        let solve = TicketPatch { status: Some(Status::Solved), ..Default::default() };
        assert_eq!(t.apply(&solve, Mover::Person).unwrap_err(), SOLVE_NEEDS_ASSIGNEE);
        let assign_and_solve = TicketPatch { assignee_id: Some(Some(Uuid::now_v7())), ..solve.clone() };
        let (next, changes) = t.apply(&assign_and_solve, Mover::Person).unwrap();
        assert_eq!(next.satisfaction, Satisfaction::Offered);
        assert!(changes.iter().any(|c| c.field == "satisfaction"));
        // Unassigning a solved ticket is refused too.
        t = next;
        let unassign = TicketPatch { assignee_id: Some(None), ..Default::default() };
        assert_eq!(t.apply(&unassign, Mover::Person).unwrap_err(), SOLVE_NEEDS_ASSIGNEE);
    }

    #[test]
    fn closed_is_final_except_for_the_rating() {
        let mut t = ticket();
        t.status = Status::Closed;
        let reopen = TicketPatch { status: Some(Status::Open), ..Default::default() };
        assert_eq!(t.apply(&reopen, Mover::Person).unwrap_err(), CLOSED_IS_FINAL);
        let rate = TicketPatch { satisfaction: Some(Satisfaction::Good), ..Default::default() };
        assert_eq!(t.apply(&rate, Mover::Person).unwrap().0.satisfaction, Satisfaction::Good);
    }

    #[test]
    fn transition_table() {
        use Status::*;
        let all = [New, Open, Pending, OnHold, Solved, Closed];
        for to in all {
            // Creation: anything but closed.
            assert_eq!(check_transition(None, to, Mover::Person).is_ok(), to != Closed, "create as {to:?}");
            // Closed is final, for people and rules alike.
            for by in [Mover::Person, Mover::Rule, Mover::Merge] {
                assert_eq!(check_transition(Some(Closed), to, by), Err(CLOSED_IS_FINAL));
            }
        }
        for from in [Open, Pending, OnHold, Solved] {
            assert_eq!(check_transition(Some(from), New, Mover::Person), Err(NEW_ONLY_AT_CREATION));
        }
        assert!(check_transition(Some(New), New, Mover::Person).is_ok(), "no change is no transition");
        for from in [New, Open, Pending, OnHold] {
            assert_eq!(check_transition(Some(from), Closed, Mover::Person), Err(CLOSE_NEEDS_SOLVED));
            assert!(check_transition(Some(from), Closed, Mover::Rule).is_ok(), "a rule may close {from:?}");
            assert!(check_transition(Some(from), Closed, Mover::Merge).is_ok(), "a merge closes {from:?}");
        }
        assert!(check_transition(Some(Solved), Closed, Mover::Person).is_ok());
        for from in [New, Open, Pending, OnHold, Solved] {
            for to in [Open, Pending, OnHold, Solved] {
                assert!(check_transition(Some(from), to, Mover::Person).is_ok(), "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn closing_an_unassigned_new_ticket_is_refused() {
        let t = ticket();
        let close = TicketPatch { status: Some(Status::Closed), ..Default::default() };
        assert_eq!(t.apply(&close, Mover::Person).unwrap_err(), CLOSE_NEEDS_SOLVED);
    }

    #[test]
    fn tag_edits_add_and_remove() {
        let mut t = ticket();
        t.tags = vec!["a".into(), "b".into()];
        let edit = TicketPatch {
            add_tags: vec!["c".into(), "a".into()],
            remove_tags: vec!["b".into()],
            ..Default::default()
        };
        let (next, changes) = t.apply(&edit, Mover::Person).unwrap();
        assert_eq!(next.tags, ["a", "c"]);
        assert_eq!(changes[0].action, "Tags changed to [a, c]");
        let many = TicketPatch { add_tags: (0..20).map(|i| format!("x{i}")).collect(), ..Default::default() };
        assert_eq!(t.apply(&many, Mover::Person).unwrap_err(), TOO_MANY_TAGS);
    }

    #[test]
    fn ratings_need_a_solved_ticket_and_a_verdict() {
        let mut t = ticket();
        let rate = TicketPatch { satisfaction: Some(Satisfaction::Good), ..Default::default() };
        assert_eq!(t.apply(&rate, Mover::Person).unwrap_err(), RATING_NEEDS_SOLVED);
        t.status = Status::Solved;
        t.assignee_id = Some(Uuid::now_v7());
        let offered = TicketPatch { satisfaction: Some(Satisfaction::Offered), ..Default::default() };
        assert_eq!(t.apply(&offered, Mover::Person).unwrap_err(), RATING_IS_GOOD_OR_BAD);
        assert!(t.apply(&rate, Mover::Person).is_ok());
    }

    #[test]
    fn comments_move_status() {
        let mut t = ticket();
        let agent = Uuid::now_v7();
        assert_eq!(t.status_after_comment(agent, true, false), Some(Status::Open));
        assert_eq!(t.status_after_comment(agent, true, true), None, "internal notes move nothing");
        t.status = Status::Pending;
        assert_eq!(t.status_after_comment(t.requester_id, false, false), Some(Status::Open));
        assert_eq!(t.status_after_comment(agent, true, false), None);
        t.status = Status::Solved;
        assert_eq!(t.status_after_comment(t.requester_id, false, false), Some(Status::Open));
        t.status = Status::OnHold;
        assert_eq!(t.status_after_comment(t.requester_id, false, false), None);
    }

    #[test]
    fn tags_and_fields() {
        let raw = vec![" Billing ".to_owned(), "VIP customer".to_owned(), "billing".to_owned()];
        assert_eq!(Tags::parse(&raw).unwrap().as_slice(), ["billing", "vip_customer"]);
        assert!(Tags::parse(&["  ".to_owned()]).is_err());
        assert!(Tags::parse(&(0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()).is_err());
        let ok: Map<String, Value> = serde_json::from_str(r#"{"plan":"pro","seats":3,"gone":null}"#).unwrap();
        assert!(CustomFields::parse(&ok).is_ok());
        let nested: Map<String, Value> = serde_json::from_str(r#"{"x":{"y":1}}"#).unwrap();
        assert!(CustomFields::parse(&nested).is_err());
        let due = |s: &str| DueDate::parse(s).map(DueDate::to_api);
        assert_eq!(due("2026-12-01").as_deref(), Some("2026-12-01T23:59:59.000Z"));
        assert_eq!(due("2026-12-01T10:00:00Z").as_deref(), Some("2026-12-01T10:00:00.000Z"));
        assert_eq!(due("tomorrow"), None);
    }
}
