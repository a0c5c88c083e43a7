//! Tickets and everything in their item collection: comments, changes, viewers; the ticket
//! number counter; the list indexes; idempotency records.
use super::keys::{self, attr, entity, Index};
use super::{Filter, Item, PartitionQuery, Reads, SortRange, Store, StoreError, TxError, TxWrite};
use crate::clock::Timestamp;
use crate::domain::comment::{Change, Comment, Viewer};
use crate::domain::ticket::{Priority, Status, Ticket};
use crate::domain::user::User;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

pub fn ticket_item(t: &Ticket) -> Result<Item, StoreError> {
    let sort = keys::ticket_sort(t.updated_at, t.id);
    Ok(keys::ItemKeys::new(entity::TICKET, keys::ticket_pk(t.id), keys::TICKET_SK)
        .index(Index::Gsi1, keys::status_partition(t.status.as_str()), &sort)
        .index(Index::Gsi2, keys::requester_partition(t.requester_id), &sort)
        .index(Index::Gsi3, keys::assignee_partition(t.assignee_id), &sort)
        .index(Index::Gsi4, keys::ticket_org_partition(t.organization_id), &sort)
        .index(Index::Gsi5, keys::priority_partition(t.priority.as_str()), &sort)
        .index(Index::Gsi6, keys::ticket_group_partition(t.group_id), &sort)
        .with(t)?)
}

pub fn ticket_number_item(n: u64, ticket_id: Uuid) -> Result<Item, StoreError> {
    #[derive(Serialize)]
    struct Claim {
        ticket_id: Uuid,
    }
    Ok(keys::ItemKeys::new(entity::TICKET_NUMBER, keys::ticket_number_pk(n), keys::TICKET_NUMBER_SK)
        .with(&Claim { ticket_id })?)
}

/// Moves the ticket counter from `last` to `last + 1` inside the transaction that writes ticket
/// `last + 1`, so a number is taken only by a ticket that is written (no gaps) and two creators
/// cannot take the same one ([`Guard::StaleCounter`]: read the counter again and retry).
pub fn ticket_counter_write(last: u64) -> TxWrite {
    let item = HashMap::from([
        (keys::PK.to_owned(), keys::s(keys::TICKET_COUNTER_PK)),
        (keys::SK.to_owned(), keys::s(keys::COUNTER_SK)),
        (keys::ENTITY.to_owned(), keys::s(entity::COUNTER)),
        (attr::COUNTER_VALUE.to_owned(), AttributeValue::N((last + 1).to_string())),
    ]);
    let (expression, names, values) = if last == 0 {
        (
            "attribute_not_exists(#pk)",
            HashMap::from([("#pk".to_owned(), keys::PK.to_owned())]),
            HashMap::new(),
        )
    } else {
        (
            "#n = :last",
            HashMap::from([("#n".to_owned(), attr::COUNTER_VALUE.to_owned())]),
            HashMap::from([(":last".to_owned(), AttributeValue::N(last.to_string()))]),
        )
    };
    TxWrite::conditional(super::Guard::StaleCounter, item, expression, names, values)
}

pub fn comment_item(c: &Comment) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::COMMENT, keys::ticket_pk(c.ticket_id), keys::comment_sk(c.id)).with(c)?)
}

pub fn change_item(c: &Change) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::CHANGE, keys::ticket_pk(c.ticket_id), keys::change_sk(c.id)).with(c)?)
}

/// One ticket under one tag: `TAG#<tag>` / `<updated_at>#<ticket id>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagEntry {
    pub ticket_id: Uuid,
    pub updated_at: crate::clock::Timestamp,
}

fn tag_entry_key(tag: &str, t: &Ticket) -> Item {
    keys::key(keys::tag_pk(tag), keys::ticket_sort(t.updated_at, t.id))
}

/// The writes that store `next` (replacing `previous`, if any) with its tag entries: the ticket
/// itself (new, or conditional on the previous version stamp), the previous version's tag
/// entries removed and the new version's put.
pub fn ticket_writes(previous: Option<&Ticket>, next: &Ticket) -> Result<Vec<TxWrite>, StoreError> {
    let mut writes = vec![match previous {
        Some(p) => TxWrite::if_stamp(ticket_item(next)?, &p.updated_stamp),
        None => TxWrite::new_only(ticket_item(next)?),
    }];
    let new_keys: Vec<Item> = next.tags.iter().map(|t| tag_entry_key(t, next)).collect();
    for tag in previous.map(|p| p.tags.as_slice()).unwrap_or_default() {
        let old = tag_entry_key(tag, previous.expect("tags come from previous"));
        if !new_keys.contains(&old) {
            writes.push(TxWrite::delete(old));
        }
    }
    for tag in &next.tags {
        let entry = TagEntry { ticket_id: next.id, updated_at: next.updated_at };
        let item = keys::ItemKeys::new(
            entity::TAG_ENTRY,
            keys::tag_pk(tag),
            keys::ticket_sort(next.updated_at, next.id),
        )
        .with(&entry)?;
        writes.push(TxWrite::plain(item));
    }
    // The breach timer's entry follows the ticket's next pending SLA breach.
    let due = |t: &Ticket| t.sla.as_ref().and_then(|s| s.pending_breach_at());
    let (old_due, new_due) = (previous.and_then(due), due(next));
    if old_due != new_due {
        if let Some(at) = old_due {
            writes.push(TxWrite::delete(keys::key(keys::SLA_TIMER_PK, keys::sla_timer_sk(at, next.id))));
        }
        if let Some(at) = new_due {
            let item =
                keys::ItemKeys::new(entity::SLA_TIMER, keys::SLA_TIMER_PK, keys::sla_timer_sk(at, next.id))
                    .with(&SlaTimer { ticket_id: next.id, breach_at: at })?;
            writes.push(TxWrite::plain(item));
        }
    }
    Ok(writes)
}

/// The breach timer's entry of one ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlaTimer {
    pub ticket_id: Uuid,
    pub breach_at: crate::clock::Timestamp,
}

/// A stored first response to an idempotent request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// How long an Idempotency-Key is remembered.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

pub fn idempotency_item(pk: &str, record: &IdempotencyRecord, now_epoch: i64) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::IDEMPOTENCY, pk, keys::IDEMPOTENCY_SK)
        .ttl(now_epoch + IDEMPOTENCY_TTL_SECONDS)
        .with(record)?)
}

/// The link from a ticket's collection to a receipt made by a request on it (it expires with
/// the receipt); [`Store::delete_ticket`] follows it.
pub fn receipt_link_item(ticket_id: Uuid, receipt_pk: &str, now_epoch: i64) -> Result<Item, StoreError> {
    #[derive(Serialize)]
    struct Link<'a> {
        receipt: &'a str,
    }
    Ok(keys::ItemKeys::new(
        entity::RECEIPT_LINK,
        keys::ticket_pk(ticket_id),
        keys::receipt_link_sk(receipt_pk),
    )
    .ttl(now_epoch + IDEMPOTENCY_TTL_SECONDS)
    .with(&Link { receipt: receipt_pk })?)
}

/// A ticket and its collection, read with one Query.
#[derive(Debug, Default)]
pub struct TicketPage {
    pub ticket: Option<Ticket>,
    pub comments: Vec<Comment>,
    pub changes: Vec<Change>,
    pub viewers: Vec<Viewer>,
    pub attachments: Vec<crate::domain::attachment::Attachment>,
}

/// The people and groups a response names, by id.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub users: HashMap<Uuid, User>,
    pub groups: HashMap<Uuid, super::groups::Group>,
}

/// Which tickets a list wants, beyond the index partition that serves it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    /// `Some(None)`: unassigned only.
    pub assignee: Option<Option<Uuid>>,
    pub requester: Option<Uuid>,
    pub organization: Option<Uuid>,
    /// `Some(None)`: tickets without a group.
    pub group: Option<Option<Uuid>>,
    pub tag: Option<String>,
}

impl TicketFilter {
    /// True when the tag partition (`TAG#<tag>`) is the most selective key condition available.
    pub fn by_tag(&self) -> bool {
        self.tag.is_some()
            && self.requester.is_none()
            && self.assignee.is_none()
            && self.group.is_none()
            && self.organization.is_none()
    }

    /// The index partitions that serve this filter (several are merged by sort key), chosen
    /// by selectivity. Every list is a key condition on one of these; never a table scan.
    pub fn partitions(&self) -> Vec<(Index, String)> {
        if let Some(r) = self.requester {
            vec![(Index::Gsi2, keys::requester_partition(r))]
        } else if let Some(a) = self.assignee {
            vec![(Index::Gsi3, keys::assignee_partition(a))]
        } else if let Some(g) = self.group {
            vec![(Index::Gsi6, keys::ticket_group_partition(g))]
        } else if let Some(o) = self.organization {
            vec![(Index::Gsi4, keys::ticket_org_partition(Some(o)))]
        } else if !self.statuses.is_empty() {
            self.statuses.iter().map(|s| (Index::Gsi1, keys::status_partition(s.as_str()))).collect()
        } else if !self.priorities.is_empty() {
            self.priorities.iter().map(|p| (Index::Gsi5, keys::priority_partition(p.as_str()))).collect()
        } else {
            Status::ALL.iter().map(|s| (Index::Gsi1, keys::status_partition(s.as_str()))).collect()
        }
    }

    /// The remaining conditions as a FilterExpression on the chosen index's Query.
    fn expression(&self) -> Option<Filter> {
        let mut parts = Vec::new();
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let primary = self.partitions();
        let by = |i: Index| primary.iter().any(|(idx, _)| *idx == i);
        // `#attr IN (:p0, :p1, …)` for a list of enum values.
        let mut one_of = |attr_name: &str, prefix: &str, values_of: Vec<&'static str>| {
            names.insert(format!("#{prefix}"), attr_name.to_owned());
            let placeholders: Vec<String> = (0..values_of.len()).map(|i| format!(":{prefix}{i}")).collect();
            for (p, v) in placeholders.iter().zip(values_of) {
                values.insert(p.clone(), keys::s(v));
            }
            parts.push(format!("#{prefix} IN ({})", placeholders.join(", ")));
        };
        if !self.statuses.is_empty() && !by(Index::Gsi1) {
            one_of(attr::STATUS, "st", self.statuses.iter().map(|s| s.as_str()).collect());
        }
        if !self.priorities.is_empty() && !by(Index::Gsi5) {
            one_of(attr::PRIORITY, "pr", self.priorities.iter().map(|p| p.as_str()).collect());
        }
        if let Some(a) = self.assignee.filter(|_| !by(Index::Gsi3)) {
            names.insert("#assignee".to_owned(), attr::ASSIGNEE_ID.to_owned());
            match a {
                Some(id) => {
                    values.insert(":assignee".to_owned(), keys::s(id.to_string()));
                    parts.push("#assignee = :assignee".to_owned());
                }
                None => parts
                    .push("(attribute_not_exists(#assignee) OR attribute_type(#assignee, :null))".to_owned()),
            }
            if a.is_none() {
                values.insert(":null".to_owned(), keys::s("NULL"));
            }
        }
        if let Some(g) = self.group.filter(|_| !by(Index::Gsi6)) {
            names.insert("#group".to_owned(), attr::GROUP_ID.to_owned());
            match g {
                Some(id) => {
                    values.insert(":group".to_owned(), keys::s(id.to_string()));
                    parts.push("#group = :group".to_owned());
                }
                None => {
                    values.insert(":gnull".to_owned(), keys::s("NULL"));
                    parts.push("(attribute_not_exists(#group) OR attribute_type(#group, :gnull))".to_owned());
                }
            }
        }
        if let Some(o) = self.organization.filter(|_| !by(Index::Gsi4)) {
            names.insert("#org".to_owned(), attr::ORGANIZATION_ID.to_owned());
            values.insert(":org".to_owned(), keys::s(o.to_string()));
            parts.push("#org = :org".to_owned());
        }
        if let Some(tag) = &self.tag {
            names.insert("#tags".to_owned(), attr::TAGS.to_owned());
            values.insert(":tag".to_owned(), keys::s(tag));
            parts.push("contains(#tags, :tag)".to_owned());
        }
        (!parts.is_empty()).then(|| Filter {
            expression: parts.join(" AND "),
            names: names.into_iter().collect(),
            values: values.into_iter().collect(),
        })
    }
}

fn decode<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    Ok(serde_dynamo::from_item(item)?)
}

/// Public comments only (the filter of a customer's reads of a ticket's collection).
fn public_only() -> Filter {
    Filter {
        expression: "#internal = :false".into(),
        names: vec![("#internal".into(), attr::IS_INTERNAL.into())],
        values: vec![(":false".into(), AttributeValue::Bool(false))],
    }
}

fn entity_of(item: &Item) -> Option<&str> {
    item.get(keys::ENTITY).and_then(|v| v.as_s().ok()).map(String::as_str)
}

impl TicketFilter {
    /// The same filter checked on a ticket in memory (for search results).
    pub fn matches(&self, t: &Ticket) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&t.status))
            && (self.priorities.is_empty() || self.priorities.contains(&t.priority))
            && self.assignee.is_none_or(|a| a == t.assignee_id)
            && self.requester.is_none_or(|r| r == t.requester_id)
            && self.organization.is_none_or(|o| Some(o) == t.organization_id)
            && self.group.is_none_or(|g| g == t.group_id)
            && self.tag.as_ref().is_none_or(|tag| t.tags.contains(tag))
    }
}

impl Store {
    pub async fn tickets_by_id(&self, ids: &[Uuid]) -> Result<Vec<Ticket>, StoreError> {
        let keys_list = ids.iter().map(|id| keys::key(keys::ticket_pk(*id), keys::TICKET_SK)).collect();
        self.batch_get(keys_list).await?.into_iter().map(decode).collect()
    }

    /// The last ticket number given out (0 before the first ticket), read strongly consistent.
    pub async fn last_ticket_number(&self) -> Result<u64, StoreError> {
        let item = self.get(keys::key(keys::TICKET_COUNTER_PK, keys::COUNTER_SK)).await?;
        Ok(item
            .and_then(|i| i.get(attr::COUNTER_VALUE).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()))
            .unwrap_or(0))
    }

    pub async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        self.get(keys::key(keys::ticket_pk(id), keys::TICKET_SK)).await?.map(decode).transpose()
    }

    pub async fn ticket_id_by_number(&self, n: u64) -> Result<Option<Uuid>, StoreError> {
        #[derive(Deserialize)]
        struct Claim {
            ticket_id: Uuid,
        }
        let item = self.get(keys::key(keys::ticket_number_pk(n), keys::TICKET_NUMBER_SK)).await?;
        Ok(item.map(decode::<Claim>).transpose()?.map(|c| c.ticket_id))
    }

    /// The backfill's step for comments made before comment numbers: gives `old` (comments of
    /// `ticket` without a number, at most 98) the places after the ticket's `comment_count`,
    /// and moves the count and the ticket's version in the same transaction, so a concurrent
    /// change of the ticket (which writes the count it read) fails its condition and re-reads.
    /// `Ok(false)`: the ticket changed meanwhile (read it again and retry).
    pub async fn number_old_comments(&self, ticket: &Ticket, old: &[Comment]) -> Result<bool, StoreError> {
        let Some(number) = crate::domain::ticket::TicketNumber::parse(&ticket.ticket_number) else {
            return Ok(true);
        };
        let mut next = ticket.clone();
        next.updated_stamp = Uuid::now_v7().to_string();
        let mut writes = Vec::with_capacity(old.len() + 1);
        for c in old.iter().take(98) {
            next.comment_count += 1;
            let n = crate::domain::comment::comment_number(number.0, next.comment_count);
            writes.push(TxWrite::update(
                super::Guard::NumberTaken,
                keys::key(keys::ticket_pk(ticket.id), keys::comment_sk(c.id)),
                "SET #num = :n",
                "attribute_exists(#pk) AND attribute_not_exists(#num)",
                HashMap::from([
                    ("#num".to_owned(), "number".to_owned()),
                    ("#pk".to_owned(), keys::PK.to_owned()),
                ]),
                HashMap::from([(":n".to_owned(), AttributeValue::N(n.to_string()))]),
            ));
        }
        writes.insert(0, TxWrite::if_stamp(ticket_item(&next)?, &ticket.updated_stamp));
        match self.transact(writes).await {
            Ok(()) => Ok(true),
            Err(TxError::ConditionFailed(_) | TxError::Contended) => Ok(false),
            Err(TxError::Store(e)) => Err(e),
        }
    }

    /// The tickets with these numbers (missing ones left out): one BatchGetItem of the number
    /// claims, one of the tickets, per 100.
    pub async fn tickets_by_number(&self, numbers: &[u64]) -> Result<Vec<Ticket>, StoreError> {
        #[derive(Deserialize)]
        struct Claim {
            ticket_id: Uuid,
        }
        let claims =
            numbers.iter().map(|n| keys::key(keys::ticket_number_pk(*n), keys::TICKET_NUMBER_SK)).collect();
        let ids: Vec<Uuid> = self
            .batch_get(claims)
            .await?
            .into_iter()
            .map(|i| decode::<Claim>(i).map(|c| c.ticket_id))
            .collect::<Result<_, _>>()?;
        self.tickets_by_id(&ids).await
    }

    /// The ticket page: one Query over the ticket's item collection.
    pub async fn ticket_page(&self, id: Uuid) -> Result<TicketPage, StoreError> {
        let mut page = TicketPage::default();
        for item in self.query_all(None, &keys::ticket_pk(id), false).await? {
            match entity_of(&item) {
                Some(entity::TICKET) => page.ticket = Some(decode(item)?),
                Some(entity::COMMENT) => page.comments.push(decode(item)?),
                Some(entity::CHANGE) => page.changes.push(decode(item)?),
                Some(entity::VIEWER) => page.viewers.push(decode(item)?),
                Some(entity::ATTACHMENT) => page.attachments.push(decode(item)?),
                _ => {}
            }
        }
        Ok(page)
    }

    /// Comments of a ticket, oldest first, after the comment with sort key `after`.
    pub async fn comments_after(
        &self,
        ticket_id: Uuid,
        after: Option<&str>,
        limit: usize,
        include_internal: bool,
    ) -> Result<(Vec<Comment>, bool), StoreError> {
        let range = match after {
            Some(sk) => {
                SortRange::Between(format!("{sk}\u{0}"), format!("{}\u{10FFFF}", keys::COMMENT_PREFIX))
            }
            None => SortRange::Prefix(keys::COMMENT_PREFIX.to_owned()),
        };
        let mut query = PartitionQuery::table(keys::ticket_pk(ticket_id)).range(range).consistent();
        if !include_internal {
            query = query.filter(public_only());
        }
        let mut found: Vec<Comment> = self.query_page(&query, Reads::up_to(limit + 1)).await?.decode()?;
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    /// Tickets matching a filter, newest `updated_at` first, strictly below the sort key
    /// `before`. Each partition is queried with a key condition; several are merged.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        before: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Ticket>, bool), StoreError> {
        if let (true, Some(tag)) = (filter.by_tag(), &filter.tag) {
            return self.list_by_tag(tag, filter, before, limit).await;
        }
        let expression = filter.expression();
        let queries = filter.partitions().into_iter().map(|(index, partition)| {
            let expression = expression.clone();
            async move { self.query_partition(index, &partition, before, limit + 1, expression).await }
        });
        let mut all: Vec<(String, Ticket)> = Vec::new();
        for result in futures::future::join_all(queries).await {
            all.extend(result?);
        }
        all.sort_by(|a, b| b.0.cmp(&a.0));
        all.dedup_by(|a, b| a.0 == b.0);
        let more = all.len() > limit;
        all.truncate(limit);
        Ok((all.into_iter().map(|(_, t)| t).collect(), more))
    }

    /// Every ticket updated after the sort key `after` (`<updated_at>#<id>`), oldest update
    /// first: the incremental export. One ascending Query per status partition of GSI1 (six),
    /// merged; `limit` at most from each.
    pub async fn tickets_updated_after(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<Ticket>, bool), StoreError> {
        let mut all: Vec<(String, Ticket)> = Vec::new();
        let queries = Status::ALL.iter().map(|s| {
            let partition = keys::status_partition(s.as_str());
            async move {
                let query =
                    PartitionQuery::index(Index::Gsi1, partition).range(SortRange::After(after.to_owned()));
                self.query_page(&query, Reads::one_request(limit + 1))
                    .await?
                    .decode_sorted::<Ticket>(Index::Gsi1.sk())
            }
        });
        for result in futures::future::join_all(queries).await {
            all.extend(result?);
        }
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.dedup_by(|a, b| a.0 == b.0);
        let more = all.len() > limit;
        all.truncate(limit);
        Ok((all.into_iter().map(|(_, t)| t).collect(), more))
    }

    /// Tickets with a tag, newest first: the `TAG#<tag>` entries (written in each ticket's
    /// transaction), then one BatchGetItem per page; other filters are checked on the tickets.
    async fn list_by_tag(
        &self,
        tag: &str,
        filter: &TicketFilter,
        before: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Ticket>, bool), StoreError> {
        let mut found: Vec<Ticket> = Vec::new();
        let mut position = before.map(str::to_owned);
        loop {
            let range = match &position {
                Some(p) => SortRange::Before(p.clone()),
                None => SortRange::All,
            };
            let query = PartitionQuery::table(keys::tag_pk(tag)).range(range).descending(true);
            let out = self.query_page(&query, Reads::one_request(limit + 1)).await?;
            let exhausted = out.exhausted;
            let entries: Vec<TagEntry> = out.decode()?;
            if let Some(last) = entries.last() {
                position = Some(keys::ticket_sort(last.updated_at, last.ticket_id));
            }
            let ids: Vec<Uuid> = entries.iter().map(|e| e.ticket_id).collect();
            let mut tickets: HashMap<Uuid, Ticket> =
                self.tickets_by_id(&ids).await?.into_iter().map(|t| (t.id, t)).collect();
            for e in &entries {
                // An entry whose ticket moved on (a concurrent update) is skipped: the ticket's
                // new entry sorts above and was, or will be, listed in its own place.
                if let Some(t) = tickets.remove(&e.ticket_id) {
                    if t.updated_at == e.updated_at && filter.matches(&t) {
                        found.push(t);
                    }
                }
            }
            if found.len() > limit || exhausted {
                break;
            }
        }
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    async fn query_partition(
        &self,
        index: Index,
        partition: &str,
        before: Option<&str>,
        want: usize,
        filter: Option<Filter>,
    ) -> Result<Vec<(String, Ticket)>, StoreError> {
        let range = match before {
            Some(b) => SortRange::Before(b.to_owned()),
            None => SortRange::All,
        };
        let mut query = PartitionQuery::index(index, partition).range(range).descending(true);
        if let Some(filter) = filter {
            query = query.filter(filter);
        }
        self.query_page(&query, Reads::up_to(want)).await?.decode_sorted(index.sk())
    }

    /// The users and groups tickets name (requester, assignee, group) plus `more_users`, in one
    /// BatchGetItem (missing ones are simply absent).
    pub async fn names_for<'a>(
        &self,
        tickets: impl IntoIterator<Item = &'a Ticket>,
        more_users: impl IntoIterator<Item = Uuid>,
    ) -> Result<Names, StoreError> {
        let mut user_ids: Vec<Uuid> = more_users.into_iter().collect();
        let mut group_ids: Vec<Uuid> = Vec::new();
        for t in tickets {
            user_ids.push(t.requester_id);
            user_ids.extend(t.assignee_id);
            group_ids.extend(t.group_id);
        }
        user_ids.sort();
        user_ids.dedup();
        group_ids.sort();
        group_ids.dedup();
        let keys_list = user_ids
            .iter()
            .map(|id| keys::key(keys::user_pk(*id), keys::USER_SK))
            .chain(group_ids.iter().map(|id| keys::key(keys::group_pk(*id), keys::GROUP_SK)))
            .collect::<Vec<_>>();
        let mut names = Names::default();
        if keys_list.is_empty() {
            return Ok(names);
        }
        for item in self.batch_get(keys_list).await? {
            match entity_of(&item) {
                Some(entity::GROUP) => {
                    let g: super::groups::Group = decode(item)?;
                    names.groups.insert(g.id, g);
                }
                _ => {
                    let record: super::users::UserRecord = decode(item)?;
                    names.users.insert(record.user.id, record.user);
                }
            }
        }
        Ok(names)
    }

    /// Users by id, in one BatchGetItem (missing ids are simply absent).
    pub async fn users_by_id(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, User>, StoreError> {
        let mut unique: Vec<Uuid> = ids.into_iter().collect();
        unique.sort();
        unique.dedup();
        if unique.is_empty() {
            return Ok(HashMap::new());
        }
        let keys_list = unique.iter().map(|id| keys::key(keys::user_pk(*id), keys::USER_SK)).collect();
        let mut users = HashMap::new();
        for item in self.batch_get(keys_list).await? {
            let record: super::users::UserRecord = decode(item)?;
            users.insert(record.user.id, record.user);
        }
        Ok(users)
    }

    /// The newest public comment of a ticket (reads at most 4 pages of 25 comments back).
    pub async fn latest_public_comment(&self, ticket_id: Uuid) -> Result<Option<Comment>, StoreError> {
        let query = PartitionQuery::table(keys::ticket_pk(ticket_id))
            .range(SortRange::Prefix(keys::COMMENT_PREFIX.to_owned()))
            .descending(true)
            .filter(public_only());
        let reads = Reads { want: Some(1), page_size: Some(25), max_requests: Some(4) };
        Ok(self.query_page(&query, reads).await?.decode::<Comment>()?.into_iter().next())
    }

    /// Deletes a ticket and everything in its collection. The ticket item goes last, so a
    /// failure part-way leaves a ticket that can be deleted again.
    pub async fn delete_ticket(&self, ticket: &Ticket) -> Result<(), StoreError> {
        let ticket_key = keys::key(keys::ticket_pk(ticket.id), keys::TICKET_SK);
        let mut children = self.query_all(None, &keys::ticket_pk(ticket.id), true).await?;
        children.retain(|k| *k != ticket_key);
        // Idempotency keys that made this ticket or its comments go with it.
        let receipts: Vec<Item> = children
            .iter()
            .filter_map(|k| k.get(keys::SK)?.as_s().ok()?.strip_prefix(keys::RECEIPT_LINK_PREFIX))
            .map(|pk| keys::key(pk, keys::IDEMPOTENCY_SK))
            .collect();
        children.extend(receipts);
        children.extend(ticket.tags.iter().map(|t| tag_entry_key(t, ticket)));
        if let Some(at) = ticket.sla.as_ref().and_then(|s| s.pending_breach_at()) {
            children.push(keys::key(keys::SLA_TIMER_PK, keys::sla_timer_sk(at, ticket.id)));
        }
        self.batch_delete(children).await?;
        self.delete(ticket_key).await
    }

    /// Tickets whose next pending SLA breach is at or before `now`, earliest first (one Query
    /// of at most `limit` timer entries).
    pub async fn tickets_breaching_by(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<SlaTimer>, StoreError> {
        // Every entry at `now` sorts before `now` followed by `#`, then the id.
        let query =
            PartitionQuery::table(keys::SLA_TIMER_PK).range(SortRange::AtMost(format!("{now}#\u{10FFFF}")));
        self.query_page(&query, Reads::one_request(limit)).await?.decode()
    }

    /// Drops a timer entry whose ticket is gone.
    pub async fn delete_sla_timer(&self, t: &SlaTimer) -> Result<(), StoreError> {
        self.delete(keys::key(keys::SLA_TIMER_PK, keys::sla_timer_sk(t.breach_at, t.ticket_id))).await
    }

    pub async fn comment(&self, ticket_id: Uuid, comment_id: Uuid) -> Result<Option<Comment>, StoreError> {
        self.get(keys::key(keys::ticket_pk(ticket_id), keys::comment_sk(comment_id)))
            .await?
            .map(decode)
            .transpose()
    }

    pub async fn put_viewer(&self, viewer: &Viewer, ttl_epoch: i64) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(
            entity::VIEWER,
            keys::ticket_pk(viewer.ticket_id),
            keys::viewer_sk(viewer.user_id),
        )
        .ttl(ttl_epoch)
        .with(viewer)?;
        self.put(item).await
    }

    /// Viewers of a ticket seen at or after `since` (TTL deletion lags, so filter too).
    pub async fn viewers_since(&self, ticket_id: Uuid, since: &str) -> Result<Vec<Viewer>, StoreError> {
        let query = PartitionQuery::table(keys::ticket_pk(ticket_id))
            .range(SortRange::Prefix(keys::VIEWER_PREFIX.to_owned()))
            .filter(Filter {
                expression: "#seen >= :since".into(),
                names: vec![("#seen".into(), attr::LAST_VIEWED.into())],
                values: vec![(":since".into(), keys::s(since))],
            });
        self.query_page(&query, Reads::everything()).await?.decode()
    }

    pub async fn idempotency_record(&self, pk: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.get(keys::key(pk, keys::IDEMPOTENCY_SK)).await?.map(decode).transpose()
    }

    /// Writes a ticket with its audit entries (and anything else, e.g. a comment) atomically,
    /// only if the stored ticket is still `previous`. `others` come first in the transaction, so
    /// a failed condition's position refers to them (the ticket's own writes follow).
    pub async fn save_ticket(
        &self,
        previous: &Ticket,
        next: &Ticket,
        others: Vec<TxWrite>,
    ) -> Result<(), TxError> {
        let mut writes = others;
        writes.extend(ticket_writes(Some(previous), next)?);
        self.transact(writes).await
    }
}
