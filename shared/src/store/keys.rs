//! Every key, index and attribute name of the single table. Nothing outside this module spells
//! them; docs/data-model.md is the prose version of this file.
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use uuid::Uuid;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
/// Epoch seconds after which DynamoDB's TTL deletes the item.
pub const TTL: &str = "ttl";
/// What kind of item this is ("user", "session", ...): stream consumers dispatch on it.
pub const ENTITY: &str = "entity";

/// The table's global secondary indexes. Each is overloaded: different items put different
/// partitions in it (see docs/data-model.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Gsi1,
    Gsi2,
    Gsi3,
    Gsi4,
    Gsi5,
    Gsi6,
}

impl Index {
    pub const ALL: [Index; 6] =
        [Index::Gsi1, Index::Gsi2, Index::Gsi3, Index::Gsi4, Index::Gsi5, Index::Gsi6];

    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1",
            Index::Gsi2 => "GSI2",
            Index::Gsi3 => "GSI3",
            Index::Gsi4 => "GSI4",
            Index::Gsi5 => "GSI5",
            Index::Gsi6 => "GSI6",
        }
    }

    pub fn pk(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1PK",
            Index::Gsi2 => "GSI2PK",
            Index::Gsi3 => "GSI3PK",
            Index::Gsi4 => "GSI4PK",
            Index::Gsi5 => "GSI5PK",
            Index::Gsi6 => "GSI6PK",
        }
    }

    pub fn sk(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1SK",
            Index::Gsi2 => "GSI2SK",
            Index::Gsi3 => "GSI3SK",
            Index::Gsi4 => "GSI4SK",
            Index::Gsi5 => "GSI5SK",
            Index::Gsi6 => "GSI6SK",
        }
    }
}

/// Non-key attribute names that appear in expressions.
pub mod attr {
    pub const NAME: &str = "name";
    pub const ROLE: &str = "role";
    pub const AVATAR_URL: &str = "avatar_url";
    pub const NOTIFY_EMAIL: &str = "notify_email";
    pub const EMAIL_VERIFIED: &str = "email_verified";
    pub const PASSWORD_HASH: &str = "password_hash";
    pub const LAST_SEEN: &str = "last_seen";
    pub const UPDATED_AT: &str = "updated_at";
    pub const UPDATED_STAMP: &str = "updated_stamp";
    pub const COMMENT_ID: &str = "comment_id";
    pub const STATE: &str = "state";
    pub const CLAIMED_AT: &str = "claimed_at";
    pub const LAST_VIEWED: &str = "last_viewed";
    pub const IS_INTERNAL: &str = "is_internal";
    pub const STATUS: &str = "status";
    pub const PRIORITY: &str = "priority";
    pub const ASSIGNEE_ID: &str = "assignee_id";
    pub const REQUESTER_ID: &str = "requester_id";
    pub const ORGANIZATION_ID: &str = "organization_id";
    pub const GROUP_ID: &str = "group_id";
    pub const TAGS: &str = "tags";
    pub const COUNTER_VALUE: &str = "n";
    pub const STAMP: &str = "stamp";
}

/// Entity names stored in [`ENTITY`].
pub mod entity {
    pub const USER: &str = "user";
    pub const EMAIL: &str = "email";
    pub const SESSION: &str = "session";
    pub const ORGANIZATION: &str = "organization";
    pub const GROUP: &str = "group";
    pub const MEMBERSHIP: &str = "membership";
    pub const MACRO: &str = "macro";
    pub const VIEW: &str = "view";
    pub const RULE: &str = "rule";
    pub const NOTIFICATION: &str = "notification";
    pub const WEBHOOK: &str = "webhook";
    pub const API_TOKEN: &str = "api_token";
    pub const SCHEDULE: &str = "schedule";
    pub const SLA_POLICY: &str = "sla_policy";
    pub const RATING: &str = "satisfaction_rating";
    pub const REPORT_DAY: &str = "report_day";
    pub const REPORTED: &str = "reported";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const DECOY: &str = "decoy";
    pub const MESSAGE_ID: &str = "message_id";
    pub const INBOUND: &str = "inbound";
    pub const SUSPENDED: &str = "suspended_mail";
    pub const DELIVERY: &str = "delivery";
    pub const VIEW_COUNT: &str = "view_count";
    pub const TICKET_COUNT: &str = "ticket_count";
    pub const COUNTED: &str = "counted";
    pub const DEFAULTS: &str = "defaults";
    pub const TICKET: &str = "ticket";
    pub const TICKET_NUMBER: &str = "ticket_number";
    pub const COUNTER: &str = "counter";
    pub const NUMBER_CLAIM: &str = "number_claim";
    pub const JOB_STATUS: &str = "job_status";
    pub const COMMENT: &str = "comment";
    pub const CHANGE: &str = "change";
    pub const VIEWER: &str = "viewer";
    pub const IDEMPOTENCY: &str = "idempotency";
    pub const RECEIPT_LINK: &str = "receipt_link";
    pub const THROTTLE: &str = "throttle";
    pub const USER_CHANGE: &str = "user_change";
    pub const SEARCH_DOC: &str = "search_doc";
    pub const POSTING: &str = "posting";
    pub const SEARCH_COUNTED: &str = "search_counted";
    pub const TAG_ENTRY: &str = "tag_entry";
    pub const SLA_TIMER: &str = "sla_timer";
    pub const ATTACHMENT: &str = "attachment";
    pub const CONNECTION: &str = "connection";
    pub const SUBSCRIPTION: &str = "subscription";
    pub const MAIL: &str = "mail";
}

// ---- users ---------------------------------------------------------------------------------

pub fn user_pk(id: Uuid) -> String {
    format!("USER#{id}")
}
pub const USER_SK: &str = "USER";
/// In a user's partition: a password-reset request (the notifier mails the link).
pub fn reset_sk(id: Uuid) -> String {
    format!("RESET#{id}")
}

/// The uniqueness item of an email (lowercased): exists iff a user has that email.
pub fn email_pk(normalized_email: &str) -> String {
    format!("EMAIL#{normalized_email}")
}
pub const EMAIL_SK: &str = "EMAIL";

/// GSI1: users of one role, by name.
pub fn role_partition(role: &str) -> String {
    format!("ROLE#{role}")
}
/// GSI2 (users by email prefix) and GSI3 (users by name prefix) share this partition.
pub const USERS_PARTITION: &str = "USERS";

pub fn name_sort(name: &str, id: Uuid) -> String {
    format!("{}#{id}", name.to_lowercase())
}

// ---- sessions ------------------------------------------------------------------------------

pub fn session_pk(id: Uuid) -> String {
    format!("SESSION#{id}")
}
pub const SESSION_SK: &str = "SESSION";

/// GSI1: a user's sessions, so a password change can revoke the others.
pub fn user_sessions_partition(user_id: Uuid) -> String {
    format!("SESSIONS#{user_id}")
}

// ---- organizations -------------------------------------------------------------------------

pub fn org_pk(id: Uuid) -> String {
    format!("ORG#{id}")
}
pub const ORG_SK: &str = "ORG";
/// GSI1: every organization, by name.
pub const ORGS_PARTITION: &str = "ORGS";

// ---- groups ---------------------------------------------------------------------------------

pub fn group_pk(id: Uuid) -> String {
    format!("GROUP#{id}")
}
pub const GROUP_SK: &str = "GROUP";
/// GSI1: every group, by name.
pub const GROUPS_PARTITION: &str = "GROUPS";
pub fn member_sk(user_id: Uuid) -> String {
    format!("{}{user_id}", member_sk_prefix())
}
pub fn member_sk_prefix() -> &'static str {
    "MEMBER#"
}
/// GSI2's partition of every numbered membership, sorted by [`membership_number_sort`].
pub const MEMBERSHIPS_PARTITION: &str = "MEMBERSHIPS";
/// A membership's number, zero-padded so that the sort key orders as the number does.
pub fn membership_number_sort(n: u64) -> String {
    format!("{n:020}")
}
pub fn macro_pk(id: Uuid) -> String {
    format!("MACRO#{id}")
}
pub const MACRO_SK: &str = "MACRO";
/// GSI1: every macro, by position.
pub const MACROS_PARTITION: &str = "MACROS";

// ---- rules ---------------------------------------------------------------------------------

pub fn rule_pk(id: Uuid) -> String {
    format!("RULE#{id}")
}
pub const RULE_SK: &str = "RULE";
/// GSI1: triggers and automations, each by position.
pub const TRIGGERS_PARTITION: &str = "TRIGGERS";
pub const AUTOMATIONS_PARTITION: &str = "AUTOMATIONS";
pub const DEFAULT_TRIGGERS_SK: &str = "TRIGGERS";
pub const DEFAULT_AUTOMATIONS_SK: &str = "AUTOMATIONS";
/// In a ticket's collection: a notification a trigger asked for.
pub const NOTIFICATION_PREFIX: &str = "NOTIFY#";
pub fn notification_sk(id: Uuid) -> String {
    format!("{NOTIFICATION_PREFIX}{id}")
}

// ---- schedules ---------------------------------------------------------------------------

pub fn schedule_pk(id: Uuid) -> String {
    format!("SCHEDULE#{id}")
}
pub const SCHEDULE_SK: &str = "SCHEDULE";
/// GSI1: every business-hours schedule, by name.
pub const SCHEDULES_PARTITION: &str = "SCHEDULES";

// ---- SLA policies ------------------------------------------------------------------------

pub fn sla_policy_pk(id: Uuid) -> String {
    format!("SLAPOLICY#{id}")
}
pub const SLA_POLICY_SK: &str = "SLAPOLICY";
/// GSI1: every SLA policy, by position.
pub const SLA_POLICIES_PARTITION: &str = "SLAPOLICIES";

// ---- summary report ------------------------------------------------------------------------
/// One day's aggregates of one scope (`all` or a group id): `REPORT#<scope>` / `DAY#<date>`.
pub fn report_pk(scope: &str) -> String {
    format!("REPORT#{scope}")
}
pub fn report_day_sk(date: impl std::fmt::Display) -> String {
    format!("DAY#{date}")
}
/// A stream record applied to the aggregates: `REPORTED#<ticket or rating id>` / `<version>`.
pub fn reported_pk(id: Uuid) -> String {
    format!("REPORTED#{id}")
}

// ---- satisfaction ratings ------------------------------------------------------------------
/// A rating lives in its ticket's collection: `TICKET#<ticket id>` / `RATING#<id>`.
pub fn rating_sk(id: Uuid) -> String {
    format!("RATING#{id}")
}
/// GSI1: every rating by time; GSI2: by score (`RATINGS#good`).
pub const RATINGS_PARTITION: &str = "RATINGS";
pub fn ratings_by_score_partition(score: &str) -> String {
    format!("RATINGS#{score}")
}

// ---- webhooks ------------------------------------------------------------------------------

/// API tokens: `APITOKEN#<id>` / `APITOKEN`, every one in GSI1 `APITOKENS` by creation.
pub fn api_token_pk(id: Uuid) -> String {
    format!("APITOKEN#{id}")
}
pub const API_TOKEN_SK: &str = "APITOKEN";
pub const API_TOKENS_PARTITION: &str = "APITOKENS";

pub fn webhook_pk(id: Uuid) -> String {
    format!("WEBHOOK#{id}")
}
pub const WEBHOOK_SK: &str = "WEBHOOK";
/// GSI1: every webhook, by name.
pub const WEBHOOKS_PARTITION: &str = "WEBHOOKS";
/// In a ticket's collection: a webhook post a rule asked for.
pub const DELIVERY_PREFIX: &str = "DELIVERY#";
pub fn delivery_sk(id: Uuid) -> String {
    format!("{DELIVERY_PREFIX}{id}")
}

// ---- views ---------------------------------------------------------------------------------

pub fn view_pk(id: Uuid) -> String {
    format!("VIEW#{id}")
}
pub const VIEW_SK: &str = "VIEW";
/// GSI1: every view, by position.
pub const VIEWS_PARTITION: &str = "VIEWS";
/// Marks a desk whose default views were created (they are created once, then are the admins').
pub const DEFAULTS_PK: &str = "DESK#DEFAULTS";
pub const DEFAULT_VIEWS_SK: &str = "VIEWS";
/// A view's cached count, per viewer when the view names `current_user` (`all` otherwise).
pub fn view_count_pk(view_id: Uuid, viewer: Option<Uuid>) -> String {
    match viewer {
        Some(u) => format!("VIEWCOUNT#{view_id}#{u}"),
        None => format!("VIEWCOUNT#{view_id}#all"),
    }
}
pub const VIEW_COUNT_SK: &str = "VIEWCOUNT";
/// Tickets per (list partition, status), kept by the stream indexer: `TCOUNT#<partition>` /
/// `<status>` with `n`, where the partition is a ticket list index partition
/// (`ASSIGNEE#<id>`, `TGROUP#none`, ...) or `ALL`.
pub fn ticket_count_pk(partition: &str) -> String {
    format!("TCOUNT#{partition}")
}
pub const ALL_TICKETS: &str = "ALL";
/// The last ticket version the counters include (`stamp`): makes stream redelivery harmless.
pub fn counted_pk(ticket_id: Uuid) -> String {
    format!("TCOUNTED#{ticket_id}")
}
pub const COUNTED_SK: &str = "TCOUNTED";

/// GSI1: a user's memberships.
pub fn user_groups_partition(user_id: Uuid) -> String {
    format!("USERGROUPS#{user_id}")
}

// ---- tickets -------------------------------------------------------------------------------

pub fn ticket_pk(id: Uuid) -> String {
    format!("TICKET#{id}")
}
pub const TICKET_SK: &str = "TICKET";

pub fn ticket_number_pk(n: u64) -> String {
    format!("TICKETNO#{n}")
}
pub const TICKET_NUMBER_SK: &str = "TICKETNO";

pub const TICKET_COUNTER_PK: &str = "COUNTER#TICKET";
/// The counter of numbered records of one kind (users, organizations, groups).
pub fn counter_pk(kind: &str) -> String {
    format!("COUNTER#{kind}")
}
/// The claim of a record's number: `NUMBER#<KIND>#<n>` → the record's id.
pub fn number_pk(kind: &str, n: u64) -> String {
    format!("NUMBER#{kind}#{n}")
}
pub const NUMBER_SK: &str = "NUMBER";
/// A bulk operation's job status (the Zendesk API).
pub fn job_status_pk(id: &str) -> String {
    format!("JOBSTATUS#{id}")
}
pub const JOB_STATUS_SK: &str = "JOBSTATUS";
/// GSI2's partition of every job status (an admin's list), and GSI1's of one user's; both sorted
/// by [`job_status_sort`].
pub const JOBS_PARTITION: &str = "JOBS";
pub fn user_jobs_partition(user_id: Uuid) -> String {
    format!("JOBS#{user_id}")
}
/// A job status's place in the lists: when it was made (Unix milliseconds, 15 digits), then
/// its id.
pub fn job_status_sort(made_at_ms: i64, id: &str) -> String {
    format!("{made_at_ms:015}#{id}")
}
pub const COUNTER_SK: &str = "COUNTER";

pub const COMMENT_PREFIX: &str = "COMMENT#";
pub const CHANGE_PREFIX: &str = "CHANGE#";
pub const VIEWER_PREFIX: &str = "VIEWER#";

pub fn comment_sk(id: Uuid) -> String {
    format!("{COMMENT_PREFIX}{id}")
}
pub fn change_sk(id: Uuid) -> String {
    format!("{CHANGE_PREFIX}{id}")
}
pub fn viewer_sk(user_id: Uuid) -> String {
    format!("{VIEWER_PREFIX}{user_id}")
}

/// The sort key of a ticket in every list index: newest `updated_at` last, id breaks ties.
pub fn ticket_sort(updated_at: impl std::fmt::Display, id: Uuid) -> String {
    format!("{updated_at}#{id}")
}
/// GSI1.
pub fn status_partition(status: &str) -> String {
    format!("STATUS#{status}")
}
/// GSI2.
pub fn requester_partition(user_id: Uuid) -> String {
    format!("REQUESTER#{user_id}")
}
/// GSI3: `ASSIGNEE#none` holds the unassigned tickets.
pub fn assignee_partition(user_id: Option<Uuid>) -> String {
    user_id.map_or_else(|| "ASSIGNEE#none".to_owned(), |u| format!("ASSIGNEE#{u}"))
}
/// GSI4.
pub fn ticket_org_partition(org_id: Option<Uuid>) -> String {
    org_id.map_or_else(|| "TORG#none".to_owned(), |o| format!("TORG#{o}"))
}
/// GSI5.
pub fn priority_partition(priority: &str) -> String {
    format!("PRIORITY#{priority}")
}
/// GSI6: `TGROUP#none` holds the tickets without a group.
pub fn ticket_group_partition(group_id: Option<Uuid>) -> String {
    group_id.map_or_else(|| "TGROUP#none".to_owned(), |g| format!("TGROUP#{g}"))
}

/// A user's audit trail (role and organization assignments) lives under the user.
pub fn user_change_sk(id: Uuid) -> String {
    format!("{CHANGE_PREFIX}{id}")
}

// ---- attachments -------------------------------------------------------------------------

pub const ATTACHMENT_PREFIX: &str = "ATTACHMENT#";
pub fn attachment_sk(id: Uuid) -> String {
    format!("{ATTACHMENT_PREFIX}{id}")
}
/// GSI1: an attachment by id alone (`GET /attachments/{id}`).
pub fn attachment_partition(id: Uuid) -> String {
    format!("ATTACHMENT#{id}")
}
pub const ATTACHMENT_INDEX_SK: &str = "ATTACHMENT";

// ---- WebSocket connections -----------------------------------------------------------------

pub fn conn_pk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}
pub const CONN_SK: &str = "CONN";
/// GSI1: a user's open connections.
pub fn user_connections_partition(user_id: Uuid) -> String {
    format!("USERCONNS#{user_id}")
}
/// Subscribers of a topic (a ticket id, or `tickets`): `SUB#<topic>` / `CONN#<id>`.
pub fn sub_pk(topic: &str) -> String {
    format!("SUB#{topic}")
}
pub fn sub_sk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}
/// A connection's subscriptions: `CONN#<id>` / `SUB#<topic>`.
pub const SUB_PREFIX: &str = "SUB#";
pub fn conn_sub_sk(topic: &str) -> String {
    format!("{SUB_PREFIX}{topic}")
}

// ---- mail ------------------------------------------------------------------------------------

/// A mail job's sent marker (exactly-once effect of the mailer).
pub fn mail_pk(job_id: &str) -> String {
    format!("MAIL#{job_id}")
}
pub const MAIL_SK: &str = "MAIL";
/// A Message-ID the desk sent (lower case) → its ticket, for threading replies.
pub fn message_id_pk(message_id: &str) -> String {
    format!("MSGID#{}", message_id.to_lowercase())
}
pub const MESSAGE_ID_SK: &str = "MSGID";
/// A received message (by Message-ID, hashed): made once.
pub fn inbound_pk(message_id_hash: &str) -> String {
    format!("INBOUND#{message_id_hash}")
}
pub const INBOUND_SK: &str = "INBOUND";
pub fn suspended_pk(id: Uuid) -> String {
    format!("SUSPENDED#{id}")
}
pub const SUSPENDED_SK: &str = "SUSPENDED";
/// GSI1: suspended mail, by id (time order).
pub const SUSPENDED_PARTITION: &str = "SUSPENDED";

// ---- search ------------------------------------------------------------------------------

/// A searchable document (ticket, user, organization) as the index last saw it.
pub fn search_doc_pk(id: Uuid) -> String {
    format!("SDOC#{id}")
}
pub const SEARCH_DOC_SK: &str = "SDOC";
/// A posting list: `SP#<scope>#<term>` / `<created_at>#<document id>` (scopes `t`, `r:<user>`,
/// `u`, `o`; terms `w:<word>`, `p:<prefix>`, `<field>:<value>`, `all`).
pub fn posting_pk(scope: &str, term: &str) -> String {
    format!("SP#{scope}#{term}")
}
/// Where a document sorts in every posting list: creation time, then id.
pub fn search_sort(created_at: impl std::fmt::Display, id: Uuid) -> String {
    format!("{created_at}#{id}")
}
/// The number of postings in a list: `SN#<scope>#<term>` / `SN` with `n`.
pub fn term_count_pk(scope: &str, term: &str) -> String {
    format!("SN#{scope}#{term}")
}
pub const TERM_COUNT_SK: &str = "SN";
/// How far the counters follow a document: `version` (the document's next version) and `step`
/// (the last chunk of counter changes applied).
pub fn search_counted_pk(id: Uuid) -> String {
    format!("SCOUNTED#{id}")
}
pub const SEARCH_COUNTED_SK: &str = "SCOUNTED";

/// Tickets under a tag: `TAG#<tag>` / `<updated_at>#<ticket id>`, written in the ticket's
/// transaction.
pub fn tag_pk(tag: &str) -> String {
    format!("TAG#{tag}")
}

// ---- SLA breach timer ----------------------------------------------------------------------
/// Every ticket with a breach still to record: `SLATIMER` / `<breach_at>#<ticket id>`.
pub const SLA_TIMER_PK: &str = "SLATIMER";
pub fn sla_timer_sk(at: impl std::fmt::Display, ticket_id: Uuid) -> String {
    format!("{at}#{ticket_id}")
}

// ---- idempotency ---------------------------------------------------------------------------

pub fn idempotency_pk(user_id: Uuid, scope: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{user_id}#{scope}#{key}")
}
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
/// In a ticket's collection: `RECEIPT#<idempotency pk>`, the receipts made by requests on it.
pub const RECEIPT_LINK_PREFIX: &str = "RECEIPT#";
pub fn receipt_link_sk(receipt_pk: &str) -> String {
    format!("{RECEIPT_LINK_PREFIX}{receipt_pk}")
}

// ---- item assembly -------------------------------------------------------------------------

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// The primary key of one item.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> HashMap<String, AttributeValue> {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

/// An item's keys, index keys, entity and TTL, to be merged with its serialised data.
pub struct ItemKeys {
    attrs: HashMap<String, AttributeValue>,
}

impl ItemKeys {
    pub fn new(entity: &str, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        let mut attrs = key(pk, sk);
        attrs.insert(ENTITY.to_owned(), s(entity));
        Self { attrs }
    }

    pub fn index(mut self, index: Index, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.attrs.insert(index.pk().to_owned(), s(pk));
        self.attrs.insert(index.sk().to_owned(), s(sk));
        self
    }

    pub fn ttl(mut self, epoch_seconds: i64) -> Self {
        self.attrs.insert(TTL.to_owned(), AttributeValue::N(epoch_seconds.to_string()));
        self
    }

    /// The full item: the data's attributes plus these keys (keys win on a name clash).
    pub fn with<T: serde::Serialize>(
        self,
        data: &T,
    ) -> Result<HashMap<String, AttributeValue>, serde_dynamo::Error> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(data)?;
        strip_empty_maps(&mut item);
        item.extend(self.attrs);
        Ok(item)
    }
}

/// Empty maps are never stored: DynamoDB Local's stream renders an empty `M` without its type
/// tag, which the SDK cannot parse (the whole GetRecords call fails). Readers default missing
/// maps to empty, so dropping them loses nothing.
fn strip_empty_maps(map: &mut HashMap<String, AttributeValue>) {
    map.retain(|_, v| {
        if let AttributeValue::M(inner) = v {
            strip_empty_maps(inner);
            !inner.is_empty()
        } else {
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_merge_over_data() {
        #[derive(serde::Serialize)]
        struct D {
            name: &'static str,
        }
        let id = Uuid::nil();
        let item = ItemKeys::new(entity::USER, user_pk(id), USER_SK)
            .index(Index::Gsi1, role_partition("agent"), name_sort("Ada", id))
            .ttl(42)
            .with(&D { name: "Ada" })
            .unwrap();
        assert_eq!(item[PK], s(format!("USER#{id}")));
        assert_eq!(item["GSI1SK"], s(format!("ada#{id}")));
        assert_eq!(item[TTL], AttributeValue::N("42".into()));
        assert_eq!(item[ENTITY], s("user"));
        assert_eq!(item["name"], s("Ada"));
    }

    #[test]
    fn empty_maps_are_not_stored() {
        let data = serde_json::json!({"fields": {}, "settings": {"nested": {}, "kept": 1}});
        let item = ItemKeys::new(entity::TICKET, "P", "S").with(&data).unwrap();
        assert!(!item.contains_key("fields"));
        let AttributeValue::M(settings) = &item["settings"] else { panic!("settings is a map") };
        assert!(!settings.contains_key("nested") && settings.contains_key("kept"));
    }
}
