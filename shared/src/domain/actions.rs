//! Actions (API.md part 2, "Macros"): `[{"field", "value"}]`, parsed once into typed actions
//! (422 messages keyed by position, `actions.0.value`) and turned into the one change the
//! ticket-change path applies: a [`TicketPatch`] and an optional comment. Macros use it now;
//! triggers and automations will build their changes with the same [`Actions::to_change`].
use super::comment::MAX_COMMENT_CHARS;
use super::ticket::{CustomFields, Priority, Status, Tags, Ticket, TicketPatch};
use super::user::User;
use crate::validation::ValidationErrors;
use serde_json::{Map, Value};
use uuid::Uuid;

pub const MAX_ACTIONS: usize = 30;

/// Who an assignment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    CurrentUser,
    Id(Uuid),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Status(Status),
    Priority(Priority),
    /// `None` takes the ticket out of its group.
    Group(Option<Uuid>),
    Assignee(Assignee),
    SetTags(Vec<String>),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    CustomField(String, Value),
    Comment {
        body: String,
        public: bool,
    },
    /// Rules only: mail one person (subject and body are placeholder templates).
    NotifyUser {
        to: Recipient,
        subject: String,
        body: String,
    },
    /// Rules only: mail every member of a group.
    NotifyGroup {
        group_id: Uuid,
        subject: String,
        body: String,
    },
    /// Rules only: post to a webhook (`body` a template; `None`: the ticket as JSON).
    NotifyWebhook {
        webhook_id: Uuid,
        body: Option<String>,
    },
}

/// Who a `notify_user` action mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Recipient {
    Requester,
    Assignee,
    User(Uuid),
    Group(Uuid),
}

/// Who writes the actions: macros (applied by an agent: a comment, no notifications) or rules
/// (triggers and automations: notifications, no comment; they may close a solved ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionDialect {
    Macro,
    Rule,
}

/// A notification a rule asks for (placeholders not yet expanded).
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    Mail { to: Recipient, subject: String, body: String },
    Webhook { webhook_id: Uuid, body: Option<String> },
}

/// The longest notification subject and body a rule may hold.
pub const MAX_SUBJECT_CHARS: usize = 500;
pub const MAX_BODY_CHARS: usize = 20_000;

/// A list of actions, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actions(pub Vec<Action>);

/// What applying actions changes: the fields, and a comment to add.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub fields: TicketPatch,
    pub comment: Option<(String, bool)>,
}

fn tags_of(v: &Value) -> Option<Vec<String>> {
    let raw: Vec<String> = match v {
        Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(item.as_str()?.split_whitespace().map(str::to_owned));
            }
            out
        }
        _ => return None,
    };
    Tags::parse(&raw).ok().map(|t| t.as_slice().to_vec())
}

fn template(obj: &Map<String, Value>, key: &str, max: usize) -> Result<String, (&'static str, String)> {
    match obj.get(key).and_then(Value::as_str) {
        Some(t) if !t.trim().is_empty() && t.chars().count() <= max => Ok(t.to_owned()),
        _ => Err(("value", format!("The {key} must be 1 to {max} characters."))),
    }
}

fn parse_rule_only(field: &str, value: &Value) -> Result<Action, (&'static str, String)> {
    let bad_value = |m: &str| ("value", m.to_owned());
    let Some(obj) = value.as_object() else {
        return Err(bad_value("The value must be an object."));
    };
    let id_of = |key: &str| obj.get(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s.trim()).ok());
    Ok(match field {
        "notify_user" => {
            let to = match obj.get("to").and_then(Value::as_str).map(str::trim) {
                Some("requester") => Recipient::Requester,
                Some("assignee") => Recipient::Assignee,
                Some(id) => Recipient::User(
                    Uuid::parse_str(id)
                        .map_err(|_| bad_value("to must be \"requester\", \"assignee\" or a user id."))?,
                ),
                None => return Err(bad_value("to must be \"requester\", \"assignee\" or a user id.")),
            };
            Action::NotifyUser {
                to,
                subject: template(obj, "subject", MAX_SUBJECT_CHARS)?,
                body: template(obj, "body", MAX_BODY_CHARS)?,
            }
        }
        "notify_group" => Action::NotifyGroup {
            group_id: id_of("group_id").ok_or_else(|| bad_value("group_id must be a group id."))?,
            subject: template(obj, "subject", MAX_SUBJECT_CHARS)?,
            body: template(obj, "body", MAX_BODY_CHARS)?,
        },
        _ => Action::NotifyWebhook {
            webhook_id: id_of("webhook_id").ok_or_else(|| bad_value("webhook_id must be a webhook id."))?,
            body: match obj.get("body") {
                None | Some(Value::Null) => None,
                Some(_) => Some(template(obj, "body", MAX_BODY_CHARS)?),
            },
        },
    })
}

fn parse_one(field: &str, value: &Value, dialect: ActionDialect) -> Result<Action, (&'static str, String)> {
    let bad_value = |m: &str| ("value", m.to_owned());
    let s = value.as_str().map(str::trim);
    let rule = dialect == ActionDialect::Rule;
    Ok(match field {
        "notify_user" | "notify_group" | "notify_webhook" if rule => parse_rule_only(field, value)?,
        "notify_user" | "notify_group" | "notify_webhook" => {
            return Err(("field", "Notifications are for triggers and automations.".to_owned()))
        }
        "comment" if rule => return Err(("field", "Rules do not add comments; use a macro.".to_owned())),
        "status" => match s.and_then(Status::parse) {
            // Rules may close a solved ticket (Zendesk's automations do).
            Some(Status::Closed) if rule => Action::Status(Status::Closed),
            // Zendesk: a macro cannot make a ticket new or close it.
            Some(Status::New | Status::Closed) | None => {
                let choices = if rule {
                    "open, pending, on-hold, solved, closed"
                } else {
                    "open, pending, on-hold, solved"
                };
                return Err(bad_value(&format!("The status must be one of: {choices}.")));
            }
            Some(st) => Action::Status(st),
        },
        "priority" => {
            Action::Priority(s.and_then(Priority::parse).ok_or_else(|| {
                bad_value(&format!("The priority must be one of: {}.", Priority::choices()))
            })?)
        }
        "group_id" => match s {
            Some("") => Action::Group(None),
            Some(id) => Action::Group(Some(
                Uuid::parse_str(id)
                    .map_err(|_| bad_value("The value must be a group id, or \"\" for none."))?,
            )),
            None => return Err(bad_value("The value must be a group id, or \"\" for none.")),
        },
        "assignee_id" => match s {
            Some("") => Action::Assignee(Assignee::Nobody),
            Some("current_user") => Action::Assignee(Assignee::CurrentUser),
            Some(id) => Action::Assignee(Assignee::Id(
                Uuid::parse_str(id)
                    .map_err(|_| bad_value("The value must be a user id, \"current_user\" or \"\"."))?,
            )),
            None => return Err(bad_value("The value must be a user id, \"current_user\" or \"\".")),
        },
        "set_tags" | "add_tags" | "remove_tags" => {
            let tags = tags_of(value).ok_or_else(|| {
                bad_value("The value must be tags: a space-separated string or an array of strings.")
            })?;
            match field {
                "set_tags" => Action::SetTags(tags),
                "add_tags" if !tags.is_empty() => Action::AddTags(tags),
                "remove_tags" if !tags.is_empty() => Action::RemoveTags(tags),
                _ => return Err(bad_value("Give at least one tag.")),
            }
        }
        "comment" => {
            let Some(obj) = value.as_object() else {
                return Err(bad_value("The value must be {\"body\", \"public\"}."));
            };
            let body = obj.get("body").and_then(Value::as_str).unwrap_or_default();
            if body.trim().is_empty() || body.chars().count() > MAX_COMMENT_CHARS {
                return Err(bad_value("The comment body must be 1 to 65535 characters."));
            }
            let public = match obj.get("public") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(bad_value("public must be true or false.")),
            };
            Action::Comment { body: body.to_owned(), public }
        }
        other => match other.strip_prefix("custom_fields.") {
            Some(key) => {
                let one = Map::from_iter([(key.to_owned(), value.clone())]);
                CustomFields::parse(&one).map_err(bad_value)?;
                Action::CustomField(key.to_owned(), value.clone())
            }
            None => return Err(("field", "The field is unknown.".to_owned())),
        },
    })
}

impl Actions {
    /// A macro's actions (422 messages keyed `actions.N.field|value`).
    pub fn parse(raw: &Value) -> Result<Actions, ValidationErrors> {
        Actions::parse_as(raw, ActionDialect::Macro)
    }

    /// The actions of a body's `actions` list in a dialect.
    pub fn parse_as(raw: &Value, dialect: ActionDialect) -> Result<Actions, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let Some(items) = raw.as_array() else {
            errors.add("actions", "The actions must be a list.");
            return Err(errors);
        };
        if items.is_empty() || items.len() > MAX_ACTIONS {
            errors.add("actions", format!("Give 1 to {MAX_ACTIONS} actions."));
            return Err(errors);
        }
        let mut out = Vec::new();
        let mut comments = 0;
        for (i, item) in items.iter().enumerate() {
            let Some(field) = item.get("field").and_then(Value::as_str) else {
                errors.add(&format!("actions.{i}.field"), "The field is required.");
                continue;
            };
            match parse_one(field, item.get("value").unwrap_or(&Value::Null), dialect) {
                Ok(action) => {
                    if matches!(action, Action::Comment { .. }) {
                        comments += 1;
                        if comments > 1 {
                            errors.add(&format!("actions.{i}.field"), "A macro adds at most one comment.");
                        }
                    }
                    out.push(action)
                }
                Err((part, message)) => errors.add(&format!("actions.{i}.{part}"), message),
            }
        }
        if errors.is_empty() {
            Ok(Actions(out))
        } else {
            Err(errors)
        }
    }

    /// The change these actions make to `ticket` when `current_user` applies them (later
    /// actions win over earlier ones on the same field). The comment's body is returned as
    /// written; expand it with [`expand`].
    pub fn to_change(&self, ticket: &Ticket, current_user: Uuid) -> Change {
        let mut change = Change::default();
        let f = &mut change.fields;
        let mut custom = Map::new();
        for action in &self.0 {
            match action {
                Action::Status(s) => f.status = Some(*s),
                Action::Priority(p) => f.priority = Some(*p),
                Action::Group(g) => f.group_id = Some(*g),
                Action::Assignee(Assignee::Nobody) => f.assignee_id = Some(None),
                Action::Assignee(Assignee::CurrentUser) => f.assignee_id = Some(Some(current_user)),
                Action::Assignee(Assignee::Id(id)) => f.assignee_id = Some(Some(*id)),
                Action::SetTags(tags) => {
                    f.tags = Tags::parse(tags).ok();
                    f.add_tags.clear();
                    f.remove_tags.clear();
                }
                Action::AddTags(tags) => {
                    f.remove_tags.retain(|t| !tags.contains(t));
                    f.add_tags.extend(tags.iter().filter(|t| !ticket.tags.contains(t)).cloned());
                }
                Action::RemoveTags(tags) => {
                    f.add_tags.retain(|t| !tags.contains(t));
                    f.remove_tags.extend(tags.iter().cloned());
                }
                Action::CustomField(k, v) => {
                    custom.insert(k.clone(), v.clone());
                }
                Action::Comment { body, public } => change.comment = Some((body.clone(), *public)),
                Action::NotifyUser { .. } | Action::NotifyGroup { .. } | Action::NotifyWebhook { .. } => {}
            }
        }
        if !custom.is_empty() {
            change.fields.custom_fields = CustomFields::parse(&custom).ok();
        }
        change
    }
}

impl Actions {
    /// The notifications among the actions, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.0
            .iter()
            .filter_map(|a| match a {
                Action::NotifyUser { to, subject, body } => {
                    Some(Notification::Mail { to: *to, subject: subject.clone(), body: body.clone() })
                }
                Action::NotifyGroup { group_id, subject, body } => Some(Notification::Mail {
                    to: Recipient::Group(*group_id),
                    subject: subject.clone(),
                    body: body.clone(),
                }),
                Action::NotifyWebhook { webhook_id, body } => {
                    Some(Notification::Webhook { webhook_id: *webhook_id, body: body.clone() })
                }
                _ => None,
            })
            .collect()
    }
}

/// What placeholders are filled from.
pub struct Context<'a> {
    pub ticket: &'a Ticket,
    pub requester: Option<&'a User>,
    pub assignee: Option<&'a User>,
    pub group_name: Option<&'a str>,
    pub current_user: Option<&'a User>,
    /// `{{ticket.url}}` (mail only).
    pub url: Option<&'a str>,
    /// `{{ticket.latest_public_comment}}`: public by definition (mail only).
    pub latest_public_comment: Option<&'a str>,
    /// `{{satisfaction.rating_url}}`: the survey link with its token (mail to the requester only).
    pub satisfaction_url: Option<&'a str>,
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Fills `{{ticket.id}}`, `{{ticket.ticket_number}}`, `{{ticket.subject}}`, `{{ticket.status}}`,
/// `{{ticket.requester.name}}`, `{{ticket.requester.first_name}}`, `{{ticket.assignee.name}}`,
/// `{{ticket.group.name}}`, `{{current_user.name}}` and `{{current_user.first_name}}`, and for
/// mail `{{ticket.description}}`, `{{ticket.priority}}`, `{{ticket.url}}` and
/// `{{ticket.latest_public_comment}}`, and for mail to the requester `{{satisfaction.rating_url}}`
/// and `{{satisfaction.rating_section}}` (the survey's good and bad links). Unknown
/// placeholders stay as written (Zendesk's behaviour); a missing value is empty.
pub fn expand(text: &str, cx: &Context) -> String {
    let t = cx.ticket;
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "ticket.id" => t.id.to_string(),
            "ticket.ticket_number" => t.ticket_number.clone(),
            "ticket.subject" => t.subject.clone(),
            "ticket.status" => t.status.as_str().to_owned(),
            "ticket.priority" => t.priority.as_str().to_owned(),
            "ticket.description" => t.description.clone(),
            "ticket.url" => cx.url.unwrap_or_default().to_owned(),
            "ticket.latest_public_comment" => cx.latest_public_comment.unwrap_or_default().to_owned(),
            "satisfaction.rating_url" => cx.satisfaction_url.unwrap_or_default().to_owned(),
            "satisfaction.rating_section" => match cx.satisfaction_url {
                Some(url) => {
                    format!("Good, I'm satisfied: {url}&score=good\nBad, I'm unsatisfied: {url}&score=bad")
                }
                None => String::new(),
            },
            "ticket.requester.name" => cx.requester.map(|u| u.name.clone()).unwrap_or_default(),
            "ticket.requester.first_name" => {
                cx.requester.map(|u| first_name(&u.name).to_owned()).unwrap_or_default()
            }
            "ticket.assignee.name" => cx.assignee.map(|u| u.name.clone()).unwrap_or_default(),
            "ticket.group.name" => cx.group_name.unwrap_or_default().to_owned(),
            "current_user.name" => cx.current_user.map(|u| u.name.clone()).unwrap_or_default(),
            "current_user.first_name" => {
                cx.current_user.map(|u| first_name(&u.name).to_owned()).unwrap_or_default()
            }
            _ => return None,
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use serde_json::json;

    fn ticket() -> Ticket {
        Ticket {
            id: Uuid::from_u128(7),
            subject: "Printer on fire".into(),
            description: "d".into(),
            status: Status::Open,
            tags: vec!["billing".into(), "old".into()],
            ..Ticket::blank(7, Uuid::from_u128(1), Timestamp::now())
        }
    }

    #[test]
    fn actions_become_one_change() {
        let actions = Actions::parse(&json!([
            {"field": "status", "value": "pending"},
            {"field": "priority", "value": "high"},
            {"field": "assignee_id", "value": "current_user"},
            {"field": "add_tags", "value": "vip billing"},
            {"field": "remove_tags", "value": ["old"]},
            {"field": "custom_fields.plan", "value": "gold"},
            {"field": "comment", "value": {"body": "Hi {{ticket.requester.first_name}}", "public": false}},
        ]))
        .unwrap();
        let me = Uuid::from_u128(2);
        let c = actions.to_change(&ticket(), me);
        assert_eq!(c.fields.status, Some(Status::Pending));
        assert_eq!(c.fields.priority, Some(Priority::High));
        assert_eq!(c.fields.assignee_id, Some(Some(me)));
        assert_eq!(c.fields.add_tags, ["vip"], "tags the ticket has are not added again");
        assert_eq!(c.fields.remove_tags, ["old"]);
        assert_eq!(c.fields.custom_fields.unwrap().as_map()["plan"], "gold");
        assert_eq!(c.comment, Some(("Hi {{ticket.requester.first_name}}".into(), false)));

        let set = Actions::parse(
            &json!([{"field": "add_tags", "value": "x"}, {"field": "set_tags", "value": "a b"}]),
        )
        .unwrap();
        let c = set.to_change(&ticket(), me);
        assert_eq!(c.fields.tags.unwrap().as_slice(), ["a", "b"]);
        assert!(c.fields.add_tags.is_empty(), "set_tags replaces what came before");
        let unassign = Actions::parse(
            &json!([{"field": "assignee_id", "value": ""}, {"field": "group_id", "value": ""}]),
        )
        .unwrap();
        let c = unassign.to_change(&ticket(), me);
        assert_eq!((c.fields.assignee_id, c.fields.group_id), (Some(None), Some(None)));
    }

    #[test]
    fn invalid_actions_name_their_position() {
        let keys = |raw: Value| -> Vec<String> {
            let e = Actions::parse(&raw).expect_err("invalid");
            e.fields().keys().cloned().collect()
        };
        assert_eq!(
            keys(json!([
                {"field": "status", "value": "closed"},
                {"field": "nope", "value": 1},
                {"field": "assignee_id", "value": "someone"},
                {"field": "comment", "value": {"body": ""}},
                {"value": 1},
            ])),
            ["actions.0.value", "actions.1.field", "actions.2.value", "actions.3.value", "actions.4.field"]
        );
        assert_eq!(keys(json!([])), ["actions"]);
        assert_eq!(keys(json!("status")), ["actions"]);
        assert_eq!(keys(json!([{"field": "status", "value": "new"}])), ["actions.0.value"]);
        assert_eq!(keys(json!([{"field": "add_tags", "value": ""}])), ["actions.0.value"]);
        assert_eq!(keys(json!([{"field": "custom_fields.n", "value": 1e200}])), ["actions.0.value"]);
        assert_eq!(
            keys(
                json!([{"field": "comment", "value": {"body": "a"}}, {"field": "comment", "value": {"body": "b"}}])
            ),
            ["actions.1.field"]
        );
    }

    #[test]
    fn placeholders_expand() {
        let t = ticket();
        let requester = User {
            id: t.requester_id,
            number: None,
            name: "Grace Hopper".into(),
            email: "g@example.com".into(),
            role: crate::domain::user::Role::Customer,
            avatar_url: None,
            organization_id: None,
            notify_email: true,
            email_verified: true,
            last_seen: None,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        };
        let cx = Context {
            ticket: &t,
            requester: Some(&requester),
            assignee: None,
            group_name: Some("Billing"),
            current_user: None,
            url: None,
            latest_public_comment: None,
            satisfaction_url: None,
        };
        assert_eq!(
            expand("Hi {{ticket.requester.first_name}}, {{ticket.ticket_number}} ({{ ticket.subject }}) is with {{ticket.group.name}}{{ticket.assignee.name}}. {{unknown.thing}} {{", &cx),
            "Hi Grace, TKT-000007 (Printer on fire) is with Billing. {{unknown.thing}} {{"
        );
    }
}
