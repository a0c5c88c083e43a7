//! The DynamoDB single-table store: every read and write the handlers make goes through here.
pub mod api_tokens;
pub mod attachments;
pub mod groups;
pub mod inbound;
pub mod jobs;
pub mod keys;
pub mod macros;
pub mod mail;
pub mod numbers;
pub mod objects;
pub mod orgs;
pub mod presign;
pub mod query;
pub mod realtime;
pub mod reports;
pub mod rules;
pub mod satisfaction;
pub mod schedules;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod sla;
pub mod throttle;
pub mod tickets;
pub mod users;
pub mod views;
pub mod webhooks;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
pub use query::{Filter, PartitionQuery, QueryPage, Reads, SortRange};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// The name of a transaction's condition: what a failed one means, never where it sat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// The ticket is no longer the version the change was computed from.
    StaleTicket,
    /// An item that must be new already exists (a ticket, a comment, a ticket number claim).
    AlreadyExists,
    /// The Idempotency-Key was used first by another request.
    IdempotencyReplay,
    /// The attachment was linked to a comment first.
    AttachmentTaken,
    /// The user record changed since it was read.
    StaleUser,
    /// Another ticket took the next number first.
    StaleCounter,
    /// The admin whose existence allowed a demotion is no longer one.
    OtherAdminGone,
    /// The record to number has a number already (or is gone).
    NumberTaken,
}

/// Why a transaction did not apply.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// These named conditions failed.
    #[error("transaction conditions failed: {0:?}")]
    ConditionFailed(Vec<Guard>),
    /// Another transaction was writing the same items at that moment; retrying may succeed.
    #[error("transaction conflicted with a concurrent one")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TxError {
    /// True when the condition `guard` was among those that failed.
    pub fn failed(&self, guard: Guard) -> bool {
        matches!(self, TxError::ConditionFailed(g) if g.contains(&guard))
    }

    /// As a plain store error, for callers with no condition to tell apart.
    pub fn into_store(self) -> StoreError {
        match self {
            TxError::Store(e) => e,
            other => StoreError::Sdk { op: "TransactWriteItems", message: other.to_string() },
        }
    }
}

type Condition = (Guard, String, HashMap<String, String>, Item);

/// One write of a transaction (a Put, or a Delete by key), with an optional named condition.
pub struct TxWrite {
    op: TxOp,
    condition: Option<Condition>,
}

enum TxOp {
    Put(Item),
    Delete(Item),
    /// Writes nothing; the transaction applies only if the item meets the condition.
    Check(Item),
    /// Updates the item with this key by an update expression.
    Update(Item, String),
}

impl TxWrite {
    pub fn plain(item: Item) -> Self {
        Self { op: TxOp::Put(item), condition: None }
    }

    /// Deletes the item with this key (no error if it is already gone).
    pub fn delete(key: Item) -> Self {
        Self { op: TxOp::Delete(key), condition: None }
    }

    /// Writes nothing: the transaction applies only if the stored item with this key has
    /// `attr` equal to `value` (named by `guard`).
    pub fn check_attr_equals(guard: Guard, key: Item, attr: &str, value: &str) -> Self {
        Self {
            op: TxOp::Check(key),
            condition: Some((
                guard,
                "#a = :a".into(),
                HashMap::from([("#a".into(), attr.into())]),
                HashMap::from([(":a".into(), keys::s(value))]),
            )),
        }
    }

    /// An UpdateItem of the item with `key` (`update`: an update expression) under `condition`,
    /// named by `guard`; `names` and `values` serve both expressions.
    pub fn update(
        guard: Guard,
        key: Item,
        update: &str,
        condition: &str,
        names: HashMap<String, String>,
        values: Item,
    ) -> Self {
        Self {
            op: TxOp::Update(key, update.to_owned()),
            condition: Some((guard, condition.to_owned(), names, values)),
        }
    }

    /// A Put under any condition expression, named by `guard`.
    pub fn conditional(
        guard: Guard,
        item: Item,
        expression: &str,
        names: HashMap<String, String>,
        values: Item,
    ) -> Self {
        Self { op: TxOp::Put(item), condition: Some((guard, expression.to_owned(), names, values)) }
    }

    /// Only if no item with this key exists yet ([`Guard::AlreadyExists`]).
    pub fn new_only(item: Item) -> Self {
        Self::new_only_as(Guard::AlreadyExists, item)
    }

    /// Only if no item with this key exists yet, named by `guard`.
    pub fn new_only_as(guard: Guard, item: Item) -> Self {
        Self {
            op: TxOp::Put(item),
            condition: Some((
                guard,
                "attribute_not_exists(#pk)".into(),
                HashMap::from([("#pk".into(), keys::PK.into())]),
                HashMap::new(),
            )),
        }
    }

    /// Only if the stored item's `attr` still has `value`.
    pub fn if_attr_equals(guard: Guard, item: Item, attr: &str, value: &str) -> Self {
        Self {
            op: TxOp::Put(item),
            condition: Some((
                guard,
                "#a = :a".into(),
                HashMap::from([("#a".into(), attr.into())]),
                HashMap::from([(":a".into(), keys::s(value))]),
            )),
        }
    }

    /// Only if the stored item still carries this version stamp (optimistic concurrency,
    /// [`Guard::StaleTicket`]).
    pub fn if_stamp(item: Item, stamp: &str) -> Self {
        Self {
            op: TxOp::Put(item),
            condition: Some((
                Guard::StaleTicket,
                "#stamp = :stamp".into(),
                HashMap::from([("#stamp".into(), keys::attr::UPDATED_STAMP.into())]),
                HashMap::from([(":stamp".into(), keys::s(stamp))]),
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {op} failed: {message}")]
    Sdk { op: &'static str, message: String },
    #[error("an item could not be (de)serialised")]
    Malformed(#[from] serde_dynamo::Error),
}

impl StoreError {
    /// The cause chain only: the SDK's `DisplayErrorContext` would put raw response bodies
    /// (items, password hashes among them) into the logs.
    pub fn sdk<E: std::error::Error + 'static>(op: &'static str, e: E) -> Self {
        StoreError::Sdk { op, message: crate::error::error_chain(&e) }
    }
}

impl From<StoreError> for crate::ApiError {
    fn from(e: StoreError) -> Self {
        crate::ApiError::internal(e)
    }
}

/// The table and the client that reaches it; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

impl Store {
    /// Applies all writes atomically. The request token makes an SDK retry of an applied
    /// transaction a no-op instead of a failed condition.
    pub async fn transact(&self, puts: Vec<TxWrite>) -> Result<(), TxError> {
        let mut items = Vec::with_capacity(puts.len());
        let mut guards = Vec::with_capacity(puts.len());
        let invalid = |e| StoreError::sdk("TransactWriteItems", e);
        for p in puts {
            let (guard, expr, names, values) = match p.condition {
                Some((g, e, n, v)) => (Some(g), Some(e), Some(n), Some(v).filter(|v| !v.is_empty())),
                None => (None, None, None, None),
            };
            guards.push(guard);
            let item = match p.op {
                TxOp::Put(item) => TransactWriteItem::builder().put(
                    Put::builder()
                        .table_name(self.table())
                        .set_item(Some(item))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(invalid)?,
                ),
                TxOp::Delete(key) => TransactWriteItem::builder().delete(
                    Delete::builder()
                        .table_name(self.table())
                        .set_key(Some(key))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(invalid)?,
                ),
                TxOp::Check(key) => TransactWriteItem::builder().condition_check(
                    aws_sdk_dynamodb::types::ConditionCheck::builder()
                        .table_name(self.table())
                        .set_key(Some(key))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(invalid)?,
                ),
                TxOp::Update(key, update) => TransactWriteItem::builder().update(
                    aws_sdk_dynamodb::types::Update::builder()
                        .table_name(self.table())
                        .set_key(Some(key))
                        .update_expression(update)
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(invalid)?,
                ),
            };
            items.push(item.build());
        }
        let result = self
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .client_request_token(uuid::Uuid::new_v4().to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                let mut failed: Vec<Guard> = Vec::new();
                for (i, guard) in guards.iter().enumerate() {
                    if let Some(g) = guard.filter(|_| condition_failed_at(&service, i)) {
                        if !failed.contains(&g) {
                            failed.push(g);
                        }
                    }
                }
                if failed.is_empty() && transaction_conflict(&service) {
                    Err(TxError::Contended)
                } else if failed.is_empty() {
                    Err(StoreError::sdk("TransactWriteItems", service).into())
                } else {
                    Err(TxError::ConditionFailed(failed))
                }
            }
        }
    }

    /// Reads many items by key, strongly consistent (BatchGetItem in chunks of 100, retrying
    /// unprocessed keys).
    pub async fn batch_get(&self, keys_list: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut out = Vec::new();
        for chunk in keys_list.chunks(100) {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::sdk("BatchGetItem", e))?;
            let mut pending = HashMap::from([(self.table().to_owned(), request)]);
            for attempt in 0..8 {
                let res = self
                    .client()
                    .batch_get_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchGetItem", e))?;
                if let Some(mut responses) = res.responses {
                    out.extend(responses.remove(self.table()).unwrap_or_default());
                }
                match res.unprocessed_keys.filter(|u| !u.is_empty()) {
                    Some(u) if attempt < 7 => {
                        pending = u;
                        tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                    }
                    Some(_) => {
                        return Err(StoreError::Sdk {
                            op: "BatchGetItem",
                            message: "unprocessed keys after retries".into(),
                        })
                    }
                    None => break,
                }
            }
        }
        Ok(out)
    }

    /// Deletes many items by key.
    pub async fn batch_delete(&self, keys_list: Vec<Item>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        let mut requests = Vec::with_capacity(keys_list.len());
        for key in keys_list {
            let delete = DeleteRequest::builder()
                .set_key(Some(key))
                .build()
                .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
            requests.push(WriteRequest::builder().delete_request(delete).build());
        }
        self.batch_write(requests).await
    }

    /// Writes (puts and deletes) in chunks of 25, retrying unprocessed items with backoff.
    pub async fn batch_write(
        &self,
        requests: Vec<aws_sdk_dynamodb::types::WriteRequest>,
    ) -> Result<(), StoreError> {
        for chunk in requests.chunks(25) {
            let mut pending = HashMap::from([(self.table().to_owned(), chunk.to_vec())]);
            for attempt in 0..8 {
                let res = self
                    .client()
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                match res.unprocessed_items.filter(|u| !u.is_empty()) {
                    Some(u) if attempt < 7 => {
                        pending = u;
                        tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                    }
                    Some(_) => {
                        return Err(StoreError::Sdk {
                            op: "BatchWriteItem",
                            message: "unprocessed items after retries".into(),
                        })
                    }
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// Items of one index partition in ascending sort-key order, optionally only those whose
    /// sort key starts with `prefix`, strictly after the sort key `after`.
    pub async fn query_sorted<T: serde::de::DeserializeOwned>(
        &self,
        index: keys::Index,
        partition: &str,
        prefix: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, T)>, bool), StoreError> {
        let range = match (prefix, after) {
            (Some(p), after) => SortRange::Between(
                after.map(|a| format!("{a}\u{0}")).filter(|l| l.as_str() > p).unwrap_or_else(|| p.to_owned()),
                format!("{p}\u{10FFFF}"),
            ),
            (None, Some(a)) => SortRange::After(a.to_owned()),
            (None, None) => SortRange::All,
        };
        let query = PartitionQuery::index(index, partition).range(range);
        let mut found =
            self.query_page(&query, Reads::one_request(limit + 1)).await?.decode_sorted(index.sk())?;
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    /// Every record of a small `GSI1` partition kept in order by position or name (a desk's
    /// macros, views, rules, webhooks, SLA policies: tens to hundreds), in pages of 100.
    pub async fn all_by_position<T: serde::de::DeserializeOwned>(
        &self,
        partition: &str,
    ) -> Result<Vec<T>, StoreError> {
        let query = PartitionQuery::index(keys::Index::Gsi1, partition);
        let reads = Reads { want: None, page_size: Some(100), max_requests: None };
        self.query_page(&query, reads).await?.decode()
    }

    /// Every item of one partition (the table, or an index), paging through it. With
    /// `keys_only` just the table's primary key comes back (for deletes).
    pub async fn query_all(
        &self,
        index: Option<keys::Index>,
        partition: &str,
        keys_only: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut query = match index {
            Some(i) => PartitionQuery::index(i, partition),
            None => PartitionQuery::table(partition).consistent(),
        };
        if keys_only {
            query = query.keys_only();
        }
        Ok(self.query_page(&query, Reads::everything()).await?.items)
    }

    pub async fn delete(&self, key: Item) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key))
            .send()
            .await
            .map_err(|e| StoreError::sdk("DeleteItem", e))?;
        Ok(())
    }

    pub async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        Ok(out.item)
    }

    pub async fn put(&self, item: Item) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }
}

/// True when a TransactWriteItems was cancelled because the condition of item `index` failed.
fn condition_failed_at(
    err: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    index: usize,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
    match err {
        E::TransactionCanceledException(e) => e
            .cancellation_reasons()
            .get(index)
            .and_then(|r| r.code())
            .is_some_and(|c| c == "ConditionalCheckFailed"),
        _ => false,
    }
}

/// True when a TransactWriteItems was cancelled because a concurrent transaction held an item.
fn transaction_conflict(
    err: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
    match err {
        E::TransactionCanceledException(e) => {
            e.cancellation_reasons().iter().any(|r| r.code() == Some("TransactionConflict"))
        }
        E::TransactionInProgressException(_) => true,
        _ => false,
    }
}
