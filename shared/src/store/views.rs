//! Views and what serves them: the view items (`VIEW#<id>` / `VIEW`, in GSI1 `VIEWS` by
//! position), the default-views marker, cached counts, the per-partition status counters the
//! stream indexer keeps, and the bounded reads of a list index partition a view page is made of.
use super::keys::{self, attr, entity, Index};
use super::macros::Restriction;
use super::numbers::{claim_write, Numbered};
use super::{Item, PartitionQuery, Reads, SortRange, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::ticket::{Status, Ticket};
use crate::domain::views::Execution;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub id: Uuid,
    /// The numeric id (see `store::numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub title: String,
    pub active: bool,
    pub position: u32,
    pub restriction: Option<Restriction>,
    /// The conditions as written (a JSON object, stored as text; validated on write).
    pub conditions: String,
    pub execution: Execution,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl View {
    pub fn conditions_json(&self) -> Value {
        serde_json::from_str(&self.conditions).unwrap_or(Value::Null)
    }
}

fn view_item(v: &View) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::VIEW, keys::view_pk(v.id), keys::VIEW_SK)
        .index(Index::Gsi1, keys::VIEWS_PARTITION, format!("{:010}#{}", v.position, v.id))
        .with(v)?)
}

/// A view's cached count and, while one is under way, the resumable count walk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CachedCount {
    /// The last complete count.
    pub value: Option<u64>,
    pub counted_at: Option<Timestamp>,
    /// A walk in progress: where it stopped, what it counted so far, and the moment it counts at.
    pub walk_position: Option<String>,
    #[serde(default)]
    pub walk_partial: u64,
    pub walk_as_of: Option<Timestamp>,
}

/// One bounded read of a list index partition.
pub struct Chunk {
    /// Tickets with their index sort keys, in the order read.
    pub tickets: Vec<(String, Ticket)>,
    /// Nothing further in the range.
    pub exhausted: bool,
}

/// The status counters a ticket is in: desk-wide, and one per list partition it belongs to.
pub fn counter_pairs(
    status: Status,
    requester_id: Uuid,
    assignee_id: Option<Uuid>,
    group_id: Option<Uuid>,
    organization_id: Option<Uuid>,
) -> Vec<(String, Status)> {
    [
        keys::ALL_TICKETS.to_owned(),
        keys::requester_partition(requester_id),
        keys::assignee_partition(assignee_id),
        keys::ticket_group_partition(group_id),
        keys::ticket_org_partition(organization_id),
    ]
    .into_iter()
    .map(|p| (p, status))
    .collect()
}

impl Store {
    /// Adds to status counters directly: for tickets written without the stream indexer (a
    /// bulk import, the benchmark's load), which then never saw them.
    pub async fn add_ticket_counts(&self, deltas: &HashMap<(String, Status), i64>) -> Result<(), StoreError> {
        for ((partition, status), d) in deltas {
            self.client()
                .update_item()
                .table_name(self.table())
                .set_key(Some(keys::key(keys::ticket_count_pk(partition), status.as_str())))
                .update_expression("ADD #n :d SET #e = :e")
                .expression_attribute_names("#n", attr::COUNTER_VALUE)
                .expression_attribute_names("#e", keys::ENTITY)
                .expression_attribute_values(":d", AttributeValue::N(d.to_string()))
                .expression_attribute_values(":e", keys::s(entity::TICKET_COUNT))
                .send()
                .await
                .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        }
        Ok(())
    }

    pub async fn put_view(&self, v: &View) -> Result<(), StoreError> {
        self.put(view_item(v)?).await
    }

    /// Writes a new view with a new number and the number's claim, in one transaction.
    pub async fn create_view(&self, v: &mut View) -> Result<(), StoreError> {
        let n = self.take_number(Numbered::View).await?;
        v.number = Some(n);
        let writes = vec![super::TxWrite::new_only(view_item(v)?), claim_write(Numbered::View, n, v.id)];
        self.transact(writes).await.map_err(super::TxError::into_store)
    }

    pub async fn get_view(&self, id: Uuid) -> Result<Option<View>, StoreError> {
        Ok(self
            .get(keys::key(keys::view_pk(id), keys::VIEW_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_view(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::view_pk(id), keys::VIEW_SK)).await
    }

    /// Every view, by position (a desk has tens to hundreds; read in pages of 100).
    pub async fn all_views(&self) -> Result<Vec<View>, StoreError> {
        self.all_by_position(keys::VIEWS_PARTITION).await
    }

    /// Creates the default views once per desk: the marker and the views in one transaction
    /// (a concurrent first call loses the marker's condition and writes nothing). True if this
    /// call created them.
    pub async fn create_default_views(&self, views: &mut [View]) -> Result<bool, StoreError> {
        let marker = keys::ItemKeys::new(entity::DEFAULTS, keys::DEFAULTS_PK, keys::DEFAULT_VIEWS_SK)
            .with(&serde_json::json!({"created_at": Timestamp::now()}))?;
        let mut writes = vec![super::TxWrite::new_only(marker)];
        for v in views.iter_mut() {
            let n = self.take_number(Numbered::View).await?;
            v.number = Some(n);
            writes.push(super::TxWrite::new_only(view_item(v)?));
            writes.push(claim_write(Numbered::View, n, v.id));
        }
        match self.transact(writes).await {
            Ok(()) => Ok(true),
            Err(e) if e.failed(super::Guard::AlreadyExists) => Ok(false),
            Err(e) => Err(e.into_store()),
        }
    }

    pub async fn default_views_created(&self) -> Result<bool, StoreError> {
        Ok(self.get(keys::key(keys::DEFAULTS_PK, keys::DEFAULT_VIEWS_SK)).await?.is_some())
    }

    pub async fn cached_count(&self, view_id: Uuid, viewer: Option<Uuid>) -> Result<CachedCount, StoreError> {
        Ok(self
            .get(keys::key(keys::view_count_pk(view_id, viewer), keys::VIEW_COUNT_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?
            .unwrap_or_default())
    }

    /// Keeps a view's count (a day; a view nobody counts for a day starts afresh).
    pub async fn put_cached_count(
        &self,
        view_id: Uuid,
        viewer: Option<Uuid>,
        count: &CachedCount,
        now_epoch: i64,
    ) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(
            entity::VIEW_COUNT,
            keys::view_count_pk(view_id, viewer),
            keys::VIEW_COUNT_SK,
        )
        .ttl(now_epoch + 86_400)
        .with(count)?;
        self.put(item).await
    }

    /// The sum of the status counters of `partition` (`ALL` or a list partition) for `statuses`:
    /// one BatchGetItem.
    pub async fn ticket_count(&self, partition: &str, statuses: &[Status]) -> Result<u64, StoreError> {
        let pk = keys::ticket_count_pk(partition);
        let wanted: Vec<Item> = statuses.iter().map(|s| keys::key(pk.clone(), s.as_str())).collect();
        if wanted.is_empty() {
            return Ok(0);
        }
        let mut total: i64 = 0;
        for item in self.batch_get(wanted).await? {
            if let Some(AttributeValue::N(n)) = item.get(attr::COUNTER_VALUE) {
                total += n.parse::<i64>().unwrap_or(0);
            }
        }
        Ok(total.max(0) as u64)
    }

    /// Moves a ticket between status counters: `old` and `new` are its `(partition, status)`
    /// pairs before and after the version `new_stamp` (`None` when it is deleted). Applied once
    /// per version through the `TCOUNTED#<ticket>` marker (a ticket the counters never saw only
    /// gains its new pairs).
    pub async fn move_ticket_counts(
        &self,
        ticket_id: Uuid,
        old: &[(String, Status)],
        new_stamp: Option<&str>,
        new: &[(String, Status)],
    ) -> Result<(), StoreError> {
        let marker_key = keys::key(keys::counted_pk(ticket_id), keys::COUNTED_SK);
        let marker = self.get(marker_key.clone()).await?;
        let counted = marker.as_ref().and_then(|m| m.get(attr::STAMP)).and_then(|v| v.as_s().ok()).cloned();
        // Stamps are UUID v7 (time-ordered): a marker at or past this version means the record
        // was applied before (a redelivery). A marker at an older version holds this record's old
        // pairs: records that left the pairs alone do not move the marker.
        if let (Some(c), Some(n)) = (counted.as_deref(), new_stamp) {
            if c >= n {
                return Ok(());
            }
        }
        let counted_old = counted.is_some();
        let mut delta: HashMap<(String, &'static str), i64> = HashMap::new();
        if counted_old {
            for (p, s) in old {
                *delta.entry((p.clone(), s.as_str())).or_default() -= 1;
            }
        }
        for (p, s) in new {
            *delta.entry((p.clone(), s.as_str())).or_default() += 1;
        }
        let mut items: Vec<TransactWriteItem> = Vec::new();
        // The marker moves from the version the counters held to this one.
        let (expression, names, values) = match &counted {
            Some(c) => (
                "#st = :was",
                HashMap::from([("#st".to_owned(), attr::STAMP.to_owned())]),
                Some(HashMap::from([(":was".to_owned(), keys::s(c.clone()))])),
            ),
            None => {
                ("attribute_not_exists(#pk)", HashMap::from([("#pk".to_owned(), keys::PK.to_owned())]), None)
            }
        };
        match new_stamp {
            Some(stamp) => {
                let mut item =
                    keys::ItemKeys::new(entity::COUNTED, keys::counted_pk(ticket_id), keys::COUNTED_SK)
                        .with(&serde_json::json!({}))?;
                item.insert(attr::STAMP.to_owned(), keys::s(stamp));
                let put = Put::builder()
                    .table_name(self.table())
                    .set_item(Some(item))
                    .condition_expression(expression)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            // A deleted ticket the counters never saw: nothing to take away.
            None if counted.is_none() => return Ok(()),
            None => {
                let delete = Delete::builder()
                    .table_name(self.table())
                    .set_key(Some(marker_key))
                    .condition_expression(expression)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
                items.push(TransactWriteItem::builder().delete(delete).build());
            }
        }
        for ((partition, status), d) in delta.into_iter().filter(|(_, d)| *d != 0) {
            let update = Update::builder()
                .table_name(self.table())
                .set_key(Some(keys::key(keys::ticket_count_pk(&partition), status)))
                .update_expression("ADD #n :d SET #e = :e")
                .expression_attribute_names("#n", attr::COUNTER_VALUE)
                .expression_attribute_names("#e", keys::ENTITY)
                .expression_attribute_values(":d", AttributeValue::N(d.to_string()))
                .expression_attribute_values(":e", keys::s(entity::TICKET_COUNT))
                .build()
                .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        // A transaction holds at most 100 items: 1 marker + at most 2 × 5 counters.
        let result = self.client().transact_write_items().set_transact_items(Some(items)).send().await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let cancelled = e.as_service_error().is_some_and(|s| s.is_transaction_canceled_exception());
                if cancelled {
                    // Another delivery of this record applied it meanwhile; the next read of
                    // the marker decides again if it did not.
                    let now = self.get(keys::key(keys::counted_pk(ticket_id), keys::COUNTED_SK)).await?;
                    let stamp = now.as_ref().and_then(|m| m.get(attr::STAMP)).and_then(|v| v.as_s().ok());
                    if stamp.map(String::as_str) != counted.as_deref() {
                        return Ok(());
                    }
                }
                Err(StoreError::sdk("TransactWriteItems", e))
            }
        }
    }

    /// Up to `limit` tickets of one list index partition whose sort key lies in `[low, high]`
    /// (inclusive; `None` is open), ascending or descending: one Query request.
    pub async fn ticket_chunk(
        &self,
        index: Index,
        partition: &str,
        low: Option<&str>,
        high: Option<&str>,
        ascending: bool,
        limit: usize,
    ) -> Result<Chunk, StoreError> {
        let range = match (low, high) {
            (Some(l), Some(h)) => SortRange::Between(l.to_owned(), h.to_owned()),
            (Some(l), None) => SortRange::AtLeast(l.to_owned()),
            (None, Some(h)) => SortRange::AtMost(h.to_owned()),
            (None, None) => SortRange::All,
        };
        let query = PartitionQuery::index(index, partition).range(range).descending(!ascending);
        let page = self.query_page(&query, Reads::one_request(limit)).await?;
        let exhausted = page.exhausted;
        let tickets = page.decode_sorted::<Ticket>(index.sk())?;
        Ok(Chunk { tickets, exhausted })
    }
}
