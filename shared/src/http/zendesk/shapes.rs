//! Zendesk's JSON shapes of the desk's records: integer ids (a ticket's number; the counters'
//! numbers of users, organizations and groups), `hold` for `on-hold`, `end-user` for
//! `customer`, absolute `url`s. A record that names another one not yet numbered (made before
//! numbers, the backfill not run yet) shows `null` there.
use crate::domain::comment::Comment;
use crate::domain::ticket::{Status, Ticket, TicketNumber};
use crate::domain::user::{Role, User};
use crate::store::groups::Group;
use crate::store::orgs::Organization;
use crate::{ApiError, AppState};
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The records a page of tickets names, read in a bounded number of batch reads.
#[derive(Debug, Default)]
pub struct Refs {
    pub users: HashMap<Uuid, User>,
    pub groups: HashMap<Uuid, Group>,
    pub orgs: HashMap<Uuid, Organization>,
}

impl Refs {
    /// The people, groups and organizations of `tickets`, plus the users `more`.
    pub async fn of(
        state: &AppState,
        tickets: &[Ticket],
        more: impl IntoIterator<Item = Uuid>,
    ) -> Result<Refs, ApiError> {
        let names = state.store.names_for(tickets, more).await?;
        let mut org_ids: Vec<Uuid> = tickets.iter().filter_map(|t| t.organization_id).collect();
        org_ids.sort();
        org_ids.dedup();
        let orgs = state.store.orgs_by_id(&org_ids).await?.into_iter().map(|o| (o.id, o)).collect();
        Ok(Refs { users: names.users, groups: names.groups, orgs })
    }

    fn user(&self, id: Option<Uuid>) -> Value {
        json!(id.and_then(|id| self.users.get(&id)).and_then(|u| u.number))
    }
}

pub fn status(s: Status) -> &'static str {
    match s {
        Status::OnHold => "hold",
        other => other.as_str(),
    }
}

/// A Zendesk status name as the desk's (`hold` → `on-hold`; `on-hold` is accepted too).
pub fn parse_status(raw: &str) -> Option<Status> {
    match raw {
        "hold" => Some(Status::OnHold),
        other => Status::parse(other),
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Customer => "end-user",
        Role::Agent => "agent",
        Role::Admin => "admin",
    }
}

/// The number of a ticket (`TKT-000042` → 42).
pub fn ticket_id(t: &Ticket) -> Option<u64> {
    TicketNumber::parse(&t.ticket_number).map(|n| n.0)
}

pub fn ticket(t: &Ticket, refs: &Refs, base: &str, staff: bool) -> Value {
    let id = ticket_id(t);
    let satisfaction = match t.satisfaction.as_str() {
        "good" | "bad" | "offered" => json!({"score": t.satisfaction.as_str()}),
        _ => json!({"score": "unoffered"}),
    };
    json!({
        "id": id,
        "url": format!("{base}/api/v2/tickets/{}.json", id.unwrap_or_default()),
        "external_id": null,
        "type": null,
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": t.description,
        "priority": t.priority.as_str(),
        "status": status(t.status),
        "recipient": null,
        "requester_id": refs.user(Some(t.requester_id)),
        "submitter_id": refs.user(Some(t.requester_id)),
        "assignee_id": refs.user(t.assignee_id),
        "organization_id": t.organization_id.and_then(|o| refs.orgs.get(&o)).and_then(|o| o.number),
        "group_id": if staff { json!(t.group_id.and_then(|g| refs.groups.get(&g)).and_then(|g| g.number)) } else { Value::Null },
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "has_incidents": false,
        "is_public": true,
        "due_at": t.due_date,
        "tags": t.tags,
        "custom_fields": t.custom_fields.iter().map(|(k, v)| json!({"id": k, "value": v})).collect::<Vec<_>>(),
        "satisfaction_rating": satisfaction,
        "via": {"channel": via(t.via)},
        "allow_attachments": true,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

fn via(v: crate::domain::ticket::Via) -> &'static str {
    use crate::domain::ticket::Via;
    match v {
        Via::Web => "web",
        Via::Email => "email",
        Via::Api => "api",
        Via::Macro => "macro",
        Via::Rule => "rule",
        Via::System => "system",
    }
}

pub fn user(u: &User, base: &str) -> Value {
    json!({
        "id": u.number,
        "url": format!("{base}/api/v2/users/{}.json", u.number.unwrap_or_default()),
        "name": u.name,
        "email": u.email,
        "role": role(u.role),
        "organization_id": null,
        "active": true,
        "verified": u.email_verified,
        "suspended": false,
        "locale": "en-US",
        "time_zone": "UTC",
        "tags": [],
        "user_fields": {},
        "photo": null,
        "last_login_at": u.last_seen,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
    })
}

/// A user with their organization's number (when the caller read it).
pub fn user_in(u: &User, org: Option<&Organization>, base: &str) -> Value {
    let mut v = user(u, base);
    v["organization_id"] = json!(org.and_then(|o| o.number));
    v
}

pub fn organization(o: &Organization, base: &str) -> Value {
    json!({
        "id": o.number,
        "url": format!("{base}/api/v2/organizations/{}.json", o.number.unwrap_or_default()),
        "name": o.name,
        "domain_names": o.domain.iter().collect::<Vec<_>>(),
        "details": "",
        "notes": "",
        "group_id": null,
        "shared_tickets": false,
        "shared_comments": false,
        "tags": [],
        "organization_fields": o.settings,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    })
}

pub fn group(g: &Group, base: &str) -> Value {
    json!({
        "id": g.number,
        "url": format!("{base}/api/v2/groups/{}.json", g.number.unwrap_or_default()),
        "name": g.name,
        "description": g.description,
        "default": g.is_default,
        "deleted": false,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
    })
}

/// A comment: its `id` is its number within the desk (see `Comment::number`).
pub fn comment(c: &Comment, users: &HashMap<Uuid, User>) -> Value {
    json!({
        "id": c.number,
        "type": "Comment",
        "author_id": users.get(&c.author_id).and_then(|u| u.number),
        "body": c.content,
        "html_body": format!("<div class=\"zd-comment\"><p>{}</p></div>", html_escape(&c.content)),
        "plain_body": c.content,
        "public": !c.is_internal,
        "attachments": [],
        "via": {"channel": "web"},
        "created_at": c.created_at,
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
