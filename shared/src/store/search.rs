//! The search index (docs/search.md): one document item per ticket, user and organization,
//! a posting per (scope, term, document) sorted by creation, and an exact counter per
//! (scope, term) with a per-document progress marker that makes counting exactly-once. Only the
//! stream indexer writes it.
use super::keys::{self, attr, entity};
use super::{
    condition_failed_at, transaction_conflict, Item, PartitionQuery, Reads, SortRange, Store, StoreError,
};
use crate::domain::search::doc::{DocKind, Scope, SearchDoc};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A posting as read back: where it sorts and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    #[serde(rename = "SK")]
    pub sort: String,
    pub doc_id: Uuid,
    pub kind: DocKind,
}

/// One Query's worth of a posting list.
pub struct PostingChunk {
    pub postings: Vec<Posting>,
    /// True when the list holds nothing past the last posting in this direction and range.
    pub exhausted: bool,
}

/// Counters moved by one transaction (with the progress marker: 100 items).
const COUNTERS_PER_TRANSACTION: usize = 99;

fn posting_item(scope: Scope, term: &str, doc: &SearchDoc) -> Result<Item, StoreError> {
    let sort = keys::search_sort(doc.created_at, doc.id);
    Ok(keys::ItemKeys::new(entity::POSTING, keys::posting_pk(&scope.key(), term), sort)
        .with(&serde_json::json!({"doc_id": doc.id, "kind": doc.kind}))?)
}

fn counter_update(
    table: &str,
    scope: Scope,
    term: &str,
    delta: i64,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::key(keys::term_count_pk(&scope.key(), term), keys::TERM_COUNT_SK)))
        .update_expression("ADD #n :d")
        .expression_attribute_names("#n", attr::COUNTER_VALUE)
        .expression_attribute_values(":d", AttributeValue::N(delta.to_string()))
        .build()
        .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl Store {
    pub async fn search_doc(&self, id: Uuid) -> Result<Option<SearchDoc>, StoreError> {
        let item = self.get(keys::key(keys::search_doc_pk(id), keys::SEARCH_DOC_SK)).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Documents by id (BatchGetItem, 100 per request); missing ones are left out.
    pub async fn search_docs(&self, ids: &[Uuid]) -> Result<Vec<SearchDoc>, StoreError> {
        let keys_list =
            ids.iter().map(|id| keys::key(keys::search_doc_pk(*id), keys::SEARCH_DOC_SK)).collect();
        self.batch_get(keys_list).await?.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    pub fn search_doc_item(doc: &SearchDoc) -> Result<Item, StoreError> {
        Ok(keys::ItemKeys::new(entity::SEARCH_DOC, keys::search_doc_pk(doc.id), keys::SEARCH_DOC_SK)
            .with(doc)?)
    }

    /// Every posting item of a document, for bulk loading (the benchmark); counters are the
    /// loader's to sum.
    pub fn posting_items(doc: &SearchDoc) -> Result<Vec<Item>, StoreError> {
        doc.postings().iter().map(|(scope, term)| posting_item(*scope, term, doc)).collect()
    }

    /// A counter item with a preset value, for bulk loading.
    pub fn term_count_item(scope: Scope, term: &str, n: i64) -> Item {
        let mut item = keys::key(keys::term_count_pk(&scope.key(), term), keys::TERM_COUNT_SK);
        item.insert(attr::COUNTER_VALUE.to_owned(), AttributeValue::N(n.to_string()));
        item
    }

    /// Moves a document from `old` to `new` (either absent), in three idempotent steps:
    /// 1. the counters of the terms that left (−1) and came (+1), in transactions of up to 99
    ///    counters plus a progress marker (`SCOUNTED#<id>`: version, last chunk applied), so a
    ///    redelivered record resumes after the last applied chunk and counts nothing twice;
    /// 2. the postings, deleted and put by BatchWriteItem (repeating them changes nothing);
    /// 3. the document, with its version one past the stored one (deleted with its marker when
    ///    the object is gone).
    pub async fn reindex(&self, old: Option<&SearchDoc>, new: Option<&SearchDoc>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
        let Some(id) = new.or(old).map(|d| d.id) else { return Ok(()) };
        let before = old.map(SearchDoc::postings).unwrap_or_default();
        let after = new.map(SearchDoc::postings).unwrap_or_default();
        let version = old.map_or(0, |d| d.version) + 1;
        let deltas: Vec<(&(Scope, String), i64)> = before
            .difference(&after)
            .map(|t| (t, -1))
            .chain(after.difference(&before).map(|t| (t, 1)))
            .collect();
        self.count_terms(id, version, &deltas).await?;
        let mut writes = Vec::new();
        if let Some(o) = old {
            for (scope, term) in before.difference(&after) {
                let key =
                    keys::key(keys::posting_pk(&scope.key(), term), keys::search_sort(o.created_at, o.id));
                let delete = DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                writes.push(WriteRequest::builder().delete_request(delete).build());
            }
        }
        if let Some(n) = new {
            for (scope, term) in after.difference(&before) {
                let put = PutRequest::builder()
                    .set_item(Some(posting_item(*scope, term, n)?))
                    .build()
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                writes.push(WriteRequest::builder().put_request(put).build());
            }
        }
        self.batch_write(writes).await?;
        match new {
            Some(n) => {
                let mut stored = n.clone();
                stored.version = version;
                self.put(Self::search_doc_item(&stored)?).await
            }
            None => {
                self.delete(keys::key(keys::search_doc_pk(id), keys::SEARCH_DOC_SK)).await?;
                self.delete(keys::key(keys::search_counted_pk(id), keys::SEARCH_COUNTED_SK)).await
            }
        }
    }

    /// Step 1 of [`Store::reindex`]: applies `deltas` for `version` of document `id` once.
    async fn count_terms(
        &self,
        id: Uuid,
        version: u64,
        deltas: &[(&(Scope, String), i64)],
    ) -> Result<(), StoreError> {
        let marker_key = keys::key(keys::search_counted_pk(id), keys::SEARCH_COUNTED_SK);
        let marker = self.get(marker_key.clone()).await?;
        let number = |name: &str| {
            marker
                .as_ref()
                .and_then(|m| m.get(name))
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
        };
        let chunks: Vec<&[(&(Scope, String), i64)]> = deltas.chunks(COUNTERS_PER_TRANSACTION).collect();
        let start = match (number("version"), number("step")) {
            (Some(v), Some(step)) if v == version => step as usize + 1,
            _ => 0,
        };
        for (step, chunk) in chunks.iter().enumerate().skip(start) {
            let mut item = keys::ItemKeys::new(
                entity::SEARCH_COUNTED,
                keys::search_counted_pk(id),
                keys::SEARCH_COUNTED_SK,
            )
            .with(&serde_json::json!({"version": version, "step": step}))?;
            item.remove(keys::ENTITY);
            let mut put = Put::builder().table_name(self.table()).set_item(Some(item));
            put = if step == 0 {
                put.condition_expression("attribute_not_exists(#pk) OR #v <> :v")
                    .expression_attribute_names("#pk", keys::PK)
                    .expression_attribute_names("#v", "version")
                    .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
            } else {
                put.condition_expression("#v = :v AND #s = :s")
                    .expression_attribute_names("#v", "version")
                    .expression_attribute_names("#s", "step")
                    .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
                    .expression_attribute_values(":s", AttributeValue::N((step - 1).to_string()))
            };
            let mut items = vec![TransactWriteItem::builder()
                .put(put.build().map_err(|e| StoreError::sdk("TransactWriteItems", e))?)
                .build()];
            for ((scope, term), d) in chunk.iter() {
                items.push(counter_update(self.table(), *scope, term, *d)?);
            }
            self.transact_counters(items).await?;
        }
        Ok(())
    }

    /// One counting transaction; conflicts with a concurrent one (a hot counter) retry with
    /// backoff. A failed marker condition means another delivery counted this chunk: done.
    async fn transact_counters(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let mut attempt = 0u32;
        loop {
            let result = self
                .client()
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(Uuid::new_v4().to_string())
                .send()
                .await;
            let Err(e) = result else { return Ok(()) };
            let service = e.into_service_error();
            if condition_failed_at(&service, 0) {
                return Ok(());
            }
            if transaction_conflict(&service) && attempt < 8 {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt.min(5))).await;
                continue;
            }
            return Err(StoreError::sdk("TransactWriteItems", service));
        }
    }

    /// Exact posting counts of (scope, term) pairs: one BatchGetItem (absent = 0).
    pub async fn term_counts(
        &self,
        terms: &[(Scope, String)],
    ) -> Result<HashMap<(Scope, String), i64>, StoreError> {
        let mut by_pk: HashMap<String, (Scope, String)> = HashMap::new();
        for (scope, term) in terms {
            by_pk.insert(keys::term_count_pk(&scope.key(), term), (*scope, term.clone()));
        }
        let keys_list = by_pk.keys().map(|pk| keys::key(pk.clone(), keys::TERM_COUNT_SK)).collect();
        let mut out: HashMap<(Scope, String), i64> = terms.iter().map(|t| (t.clone(), 0)).collect();
        for item in self.batch_get(keys_list).await? {
            let pk = item.get(keys::PK).and_then(|v| v.as_s().ok());
            let n = item.get(attr::COUNTER_VALUE).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok());
            if let (Some(t), Some(n)) = (pk.and_then(|pk| by_pk.get(pk)), n) {
                out.insert(t.clone(), n);
            }
        }
        Ok(out)
    }

    /// Up to `limit` postings of one list whose sort key lies in `[low, high]` (inclusive),
    /// newest first when `descending`: one Query.
    pub async fn posting_chunk(
        &self,
        scope: Scope,
        term: &str,
        bounds: (&str, &str),
        descending: bool,
        limit: usize,
    ) -> Result<PostingChunk, StoreError> {
        let query = PartitionQuery::table(keys::posting_pk(&scope.key(), term))
            .range(SortRange::Between(bounds.0.to_owned(), bounds.1.to_owned()))
            .descending(descending);
        let page = self.query_page(&query, Reads::one_request(limit)).await?;
        let exhausted = page.exhausted;
        let postings = page.decode::<Posting>()?;
        Ok(PostingChunk { postings, exhausted })
    }
}
