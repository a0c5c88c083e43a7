//! The API's response bodies as types, shaped by who is looking. The OpenAPI document takes its
//! schemas from these types (`ToSchema`), so what is documented is what is serialised.
use crate::auth::Caller;
use crate::clock::Timestamp;
use crate::domain::attachment::Attachment as StoredAttachment;
use crate::domain::comment::{Change as StoredChange, Comment as StoredComment, Viewer as StoredViewer};
use crate::domain::ticket::{Priority, Satisfaction, Status, Ticket as StoredTicket, TicketNumber, Via};
use crate::domain::user::{Role, User as StoredUser};
use crate::store::groups::{Group as StoredGroup, Membership as StoredMembership};
use crate::store::orgs::Organization as StoredOrganization;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A user as staff and the user themself see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
    pub role: Role,
    pub avatar_url: Option<String>,
    pub organization_id: Option<Uuid>,
    pub notify_email: bool,
    /// The address was confirmed through the link mailed at sign-up (staff made by an admin
    /// are verified).
    pub email_verified: bool,
    /// `last_seen` within the last five minutes.
    pub is_online: bool,
    pub last_seen: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a customer may see of another user.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicUser {
    pub id: Uuid,
    pub name: String,
    pub avatar_url: Option<String>,
    pub role: Role,
}

/// Customers see only the public fields of other users.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnyUser {
    User(User),
    PublicUser(PublicUser),
}

impl User {
    pub fn of(u: &StoredUser, now: OffsetDateTime) -> User {
        User {
            id: u.id,
            number: u.number,
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role,
            avatar_url: u.avatar_url.clone(),
            organization_id: u.organization_id,
            notify_email: u.notify_email,
            email_verified: u.email_verified,
            is_online: u.is_online(now),
            last_seen: u.last_seen,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A user as `caller` may see them: staff and the user themself get the full object,
/// customers get `id, name, avatar_url, role` of anyone else.
pub fn user(caller: &Caller, u: &StoredUser, now: OffsetDateTime) -> AnyUser {
    if caller.role().is_staff() || caller.id() == u.id {
        AnyUser::User(User::of(u, now))
    } else {
        AnyUser::PublicUser(PublicUser {
            id: u.id,
            name: u.name.clone(),
            avatar_url: u.avatar_url.clone(),
            role: u.role,
        })
    }
}

fn maybe_user(
    caller: &Caller,
    id: Option<Uuid>,
    users: &HashMap<Uuid, StoredUser>,
    now: OffsetDateTime,
) -> Option<AnyUser> {
    id.and_then(|id| users.get(&id)).map(|u| user(caller, u, now))
}

/// A ticket with its requester and assignee embedded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ticket {
    pub id: Uuid,
    pub ticket_number: TicketNumber,
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub satisfaction: Satisfaction,
    pub requester_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub due_date: Option<Timestamp>,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The version: send it back in a PATCH to make the update safe (409 if it changed).
    pub updated_stamp: String,
    pub requester: Option<AnyUser>,
    pub assignee: Option<AnyUser>,
    /// The ticket's group (`id`, `name`), for staff; `null` without a group and for customers.
    pub group: Option<GroupRef>,
    /// The closed ticket this one follows up (a reply by mail to a closed ticket opens it).
    pub follow_up_of: Option<Uuid>,
    /// For staff, when a message opened it: where to fetch the original (302 to the raw mail).
    pub original_mail: Option<String>,
    /// For staff: the SLA policy that applies and its clocks (`null` without a policy, and
    /// for customers).
    pub slas: Option<crate::domain::sla::TicketSla>,
}

pub fn ticket(
    caller: &Caller,
    t: &StoredTicket,
    names: &crate::store::tickets::Names,
    now: OffsetDateTime,
) -> Ticket {
    let users = &names.users;
    Ticket {
        id: t.id,
        ticket_number: TicketNumber::parse(&t.ticket_number).unwrap_or(TicketNumber(0)),
        subject: t.subject.clone(),
        description: t.description.clone(),
        status: t.status,
        priority: t.priority,
        satisfaction: t.satisfaction,
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        organization_id: t.organization_id,
        group_id: t.group_id,
        due_date: t.due_date,
        tags: t.tags.clone(),
        custom_fields: t.custom_fields.clone(),
        created_at: t.created_at,
        updated_at: t.updated_at,
        updated_stamp: t.updated_stamp.clone(),
        requester: maybe_user(caller, Some(t.requester_id), users, now),
        assignee: maybe_user(caller, t.assignee_id, users, now),
        group: t
            .group_id
            .filter(|_| caller.role().is_staff())
            .and_then(|g| names.groups.get(&g))
            .map(|g| GroupRef { id: g.id, name: g.name.clone() }),
        follow_up_of: t.follow_up_of,
        original_mail: t
            .mail_key
            .as_ref()
            .filter(|_| caller.role().is_staff())
            .map(|_| format!("/tickets/{}/original-mail", t.id)),
        slas: t.sla.clone().filter(|_| caller.role().is_staff()),
    }
}

/// The group a ticket is with, embedded for staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRef {
    pub id: Uuid,
    pub name: String,
}

/// The ticket page: the ticket, its comments (customers: public only) and, for staff, its
/// changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPage {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<Change>>,
}

/// An attachment's metadata (no storage details).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub comment_id: Option<Uuid>,
    pub filename: String,
    #[schema(minimum = 1)]
    pub file_size: u64,
    pub mime_type: String,
    pub uploaded_by: Uuid,
    pub created_at: Timestamp,
}

impl Attachment {
    pub fn of(a: &StoredAttachment) -> Attachment {
        Attachment {
            id: a.id,
            ticket_id: a.ticket_id,
            comment_id: a.comment_id,
            filename: a.filename.clone(),
            file_size: a.file_size,
            mime_type: a.mime_type.clone(),
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

/// A public reply or an internal note, with its author and attachments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's): the ticket's number × 10,000 + the comment's place;
    /// `null` for comments older than numbers until the backfill.
    pub number: Option<u64>,
    pub ticket_id: Uuid,
    pub author_id: Uuid,
    pub content: String,
    pub is_internal: bool,
    pub attachments: Vec<Attachment>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub author: Option<AnyUser>,
    /// For staff, when it came by mail: where to fetch the original (302 to the raw mail).
    pub original_mail: Option<String>,
}

/// A comment with its author and the metadata of its attachments (looked up in `attachments`).
pub fn comment(
    caller: &Caller,
    c: &StoredComment,
    users: &HashMap<Uuid, StoredUser>,
    attachments: &HashMap<Uuid, StoredAttachment>,
    now: OffsetDateTime,
) -> Comment {
    Comment {
        id: c.id,
        number: c.number,
        ticket_id: c.ticket_id,
        author_id: c.author_id,
        content: c.content.clone(),
        is_internal: c.is_internal,
        attachments: c
            .attachment_ids
            .iter()
            .filter_map(|id| attachments.get(id))
            .map(Attachment::of)
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        author: maybe_user(caller, Some(c.author_id), users, now),
        original_mail: c
            .mail_key
            .as_ref()
            .filter(|_| caller.role().is_staff())
            .map(|_| format!("/tickets/{}/original-mail?comment_id={}", c.ticket_id, c.id)),
    }
}

/// One audited field change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// Who made it; null for the desk itself (schedules, rules).
    pub agent_id: Option<Uuid>,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// A readable sentence: "Status changed from open to pending".
    pub action: String,
    pub via: Via,
    /// With `via: rule`: the trigger or automation that made the change.
    pub rule_id: Option<Uuid>,
    pub rule_title: Option<String>,
    pub created_at: Timestamp,
    pub agent: Option<AnyUser>,
}

pub fn change(
    caller: &Caller,
    c: &StoredChange,
    users: &HashMap<Uuid, StoredUser>,
    now: OffsetDateTime,
) -> Change {
    Change {
        id: c.id,
        ticket_id: c.ticket_id,
        agent_id: c.agent_id,
        field_name: c.field_name.clone(),
        old_value: c.old_value.clone(),
        new_value: c.new_value.clone(),
        action: c.action.clone(),
        via: c.via,
        rule_id: c.rule_id,
        rule_title: c.rule_title.clone(),
        created_at: c.created_at,
        agent: maybe_user(caller, c.agent_id, users, now),
    }
}

/// Someone who viewed a ticket recently.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Viewer {
    pub ticket_id: Uuid,
    pub user_id: Uuid,
    pub last_viewed: Timestamp,
    pub user: Option<AnyUser>,
}

pub fn viewer(
    caller: &Caller,
    v: &StoredViewer,
    users: &HashMap<Uuid, StoredUser>,
    now: OffsetDateTime,
) -> Viewer {
    Viewer {
        ticket_id: v.ticket_id,
        user_id: v.user_id,
        last_viewed: v.last_viewed,
        user: maybe_user(caller, Some(v.user_id), users, now),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub name: String,
    pub domain: Option<String>,
    pub settings: Map<String, Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Organization {
    pub fn of(o: &StoredOrganization) -> Organization {
        Organization {
            id: o.id,
            number: o.number,
            name: o.name.clone(),
            domain: o.domain.clone(),
            settings: o.settings.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// One page of a list: newest (or first) items, and the cursor of the next page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub path: String,
    pub per_page: usize,
    /// Opaque and tamper-evident; bound to the list's filters.
    pub next_cursor: Option<String>,
    pub next_page_url: Option<String>,
    /// Always null: lists page forward only.
    pub prev_cursor: Option<String>,
    pub prev_page_url: Option<String>,
    /// Views sorted other than by `updated_at` only: true when more tickets match than the
    /// 1,000 newest the sort considers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
}

impl<T> Page<T> {
    pub fn new(
        data: Vec<T>,
        path: &str,
        per_page: usize,
        next_cursor: Option<String>,
        query_without_cursor: &str,
    ) -> Self {
        let url = |c: &str| {
            let mut q = query_without_cursor.to_owned();
            if !q.is_empty() {
                q.push('&');
            }
            format!("{path}?{q}cursor={c}")
        };
        Page {
            next_page_url: next_cursor.as_deref().map(url),
            data,
            path: path.to_owned(),
            per_page,
            next_cursor,
            prev_cursor: None,
            prev_page_url: None,
            truncated: None,
        }
    }
}

/// `{"data": [...]}` without paging.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Data<T> {
    pub data: Vec<T>,
}

/// `{"message": "..."}`: errors other than 422, and acknowledgements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

/// 422: `message` is the first error (plus "(and N more errors)"); `errors` every message by
/// field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ValidationError {
    pub message: String,
    pub errors: BTreeMap<String, Vec<String>>,
}

/// `{"user": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: User,
}

/// A group of agents.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub name: String,
    pub description: String,
    /// The desk's default group (at most one).
    pub is_default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Group {
    pub fn of(g: &StoredGroup) -> Group {
        Group {
            id: g.id,
            number: g.number,
            name: g.name.clone(),
            description: g.description.clone(),
            is_default: g.is_default,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// `{"group": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupEnvelope {
    pub group: Group,
}

/// A user's membership of a group, with the user.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub group_id: Uuid,
    pub user_id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    /// The user's default group (at most one per user).
    pub is_default: bool,
    pub created_at: Timestamp,
    pub user: Option<User>,
}

impl Membership {
    pub fn of(m: &StoredMembership, user: Option<&StoredUser>, now: OffsetDateTime) -> Membership {
        Membership {
            group_id: m.group_id,
            user_id: m.user_id,
            number: m.number,
            is_default: m.is_default,
            created_at: m.created_at,
            user: user.map(|u| User::of(u, now)),
        }
    }
}

/// `{"membership": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MembershipEnvelope {
    pub membership: Membership,
}

/// A macro: actions an agent applies to a ticket in one click.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Macro {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub title: String,
    pub description: String,
    pub active: bool,
    pub position: u32,
    /// `null`: every agent; else one user's (personal) or one group's.
    pub restriction: Option<crate::store::macros::Restriction>,
    /// `[{"field", "value"}]` as API.md part 2 lists them.
    #[schema(value_type = Vec<Object>)]
    pub actions: Value,
    pub usage_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Macro {
    pub fn of(m: &crate::store::macros::Macro) -> Macro {
        Macro {
            id: m.id,
            number: m.number,
            title: m.title.clone(),
            description: m.description.clone(),
            active: m.active,
            position: m.position,
            restriction: m.restriction,
            actions: m.actions_json(),
            usage_count: m.usage_count,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// `{"macro": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MacroEnvelope {
    #[serde(rename = "macro")]
    pub macro_: Macro,
}

/// What applying a macro does (or did): the ticket after it, and the comment it adds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MacroResult {
    pub ticket: Ticket,
    pub comment: Option<Comment>,
}

/// A view: saved conditions and how its tickets are shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub title: String,
    pub active: bool,
    pub position: u32,
    /// `null`: every agent; else one user's (personal) or one group's.
    pub restriction: Option<crate::store::macros::Restriction>,
    /// `{"all": [condition], "any": [condition]}` as API.md part 2 describes.
    #[schema(value_type = Object)]
    pub conditions: Value,
    pub execution: crate::domain::views::Execution,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl View {
    pub fn of(v: &crate::store::views::View) -> View {
        View {
            id: v.id,
            number: v.number,
            title: v.title.clone(),
            active: v.active,
            position: v.position,
            restriction: v.restriction,
            conditions: v.conditions_json(),
            execution: v.execution.clone(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// `{"view": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewEnvelope {
    pub view: View,
}

/// How many tickets a view holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewCount {
    pub view_id: Uuid,
    /// `null` while a first count is under way (ask again).
    pub value: Option<u64>,
    /// False when the value comes from the cache (up to 60 s old) or a count under way.
    pub fresh: bool,
}

/// `{"view_count": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewCountEnvelope {
    pub view_count: ViewCount,
}

/// `{"view_counts": [...]}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewCounts {
    pub view_counts: Vec<ViewCount>,
}

/// A trigger (conditions on a ticket and its update) or an automation (conditions on a ticket
/// over time), and the actions it takes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`); `null` until the backfill numbers an older record.
    pub number: Option<u64>,
    pub title: String,
    pub description: String,
    pub active: bool,
    pub position: u32,
    #[schema(value_type = Object)]
    pub conditions: Value,
    #[schema(value_type = Vec<Object>)]
    pub actions: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Rule {
    pub fn of(r: &crate::store::rules::Rule) -> Rule {
        Rule {
            id: r.id,
            number: r.number,
            title: r.title.clone(),
            description: r.description.clone(),
            active: r.active,
            position: r.position,
            conditions: r.conditions_json(),
            actions: r.actions_json(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `{"trigger": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriggerEnvelope {
    pub trigger: Rule,
}

/// `{"automation": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AutomationEnvelope {
    pub automation: Rule,
}

/// A webhook (its signing secret is shown once, on create).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub id: Uuid,
    pub name: String,
    pub endpoint: String,
    pub status: crate::store::webhooks::WebhookStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Webhook {
    pub fn of(w: &crate::store::webhooks::Webhook) -> Webhook {
        Webhook {
            id: w.id,
            name: w.name.clone(),
            endpoint: w.endpoint.clone(),
            status: w.status,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// `{"webhook": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEnvelope {
    pub webhook: Webhook,
}

/// `{"webhook": {...}, "signing_secret"}`: the answer to a create, the only one with the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedWebhookEnvelope {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of `X-Helpdesk-Signature`; keep it, it is not shown again.
    pub signing_secret: String,
}

/// Received mail the desk did not put on a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuspendedMail {
    pub id: Uuid,
    pub from: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// The reply's text, as it would have been posted.
    pub text: String,
    /// Why it was suspended.
    pub reason: String,
    /// The ticket it replied to, if one was found.
    pub ticket_id: Option<Uuid>,
    pub created_at: Timestamp,
}

impl SuspendedMail {
    pub fn of(s: &crate::store::inbound::Suspended) -> SuspendedMail {
        SuspendedMail {
            id: s.id,
            from: s.from.clone(),
            from_name: s.from_name.clone(),
            subject: s.subject.clone(),
            text: s.text.clone(),
            reason: s.reason.clone(),
            ticket_id: s.ticket_id,
            created_at: s.created_at,
        }
    }
}

/// What recovered mail became: a comment on `ticket_id`, or (no `comment_id`) a new ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecoveredMail {
    pub ticket_id: Uuid,
    pub comment_id: Option<Uuid>,
}

/// `{"result": {...}}`: a macro's preview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MacroPreview {
    pub result: MacroResult,
}

/// `{"organization": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationEnvelope {
    pub organization: Organization,
}

/// `{"message", "ticket"}` of the assign and status routes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketMessage {
    pub message: String,
    pub ticket: Ticket,
}

/// A new token: register and login.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    pub user: User,
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_at: Timestamp,
}

/// A started upload: PUT the bytes to `upload_url` with exactly `upload_headers` before
/// `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UploadStarted {
    pub attachment: Attachment,
    #[schema(format = "uri")]
    pub upload_url: String,
    /// Always `PUT`.
    pub upload_method: String,
    pub upload_headers: BTreeMap<String, String>,
    pub expires_at: Timestamp,
}

/// One search result: the object's own fields plus `result_type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result_type", rename_all = "lowercase")]
pub enum SearchResult {
    Ticket(Box<Ticket>),
    User(User),
    Organization(Organization),
}

/// A page of search results (`GET /search`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPage {
    /// Each item is a `Ticket`, `User` or `Organization` object with its `result_type`
    /// (`ticket`, `user`, `organization`) added.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<SearchResult>,
    pub path: String,
    pub per_page: usize,
    /// Opaque and tamper-evident; bound to the query and its order.
    pub next_cursor: Option<String>,
    pub next_page_url: Option<String>,
    /// Always null: search pages forward only.
    pub prev_cursor: Option<String>,
    pub prev_page_url: Option<String>,
    /// How many results the query has (see `count_exact`).
    pub count: i64,
    /// False when `count` is an upper bound: a compound query over more than 1,000 candidates
    /// (docs/search.md).
    pub count_exact: bool,
    /// The order of `data`: `updated_at` when asked and the candidates are at most 1,000,
    /// otherwise `created_at`.
    pub sort_by: String,
    pub sort_order: String,
}

pub use crate::store::schedules::Schedule;

/// `{"schedule": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleEnvelope {
    pub schedule: Schedule,
}
