//! The search index (docs/search.md): one document item per ticket, user and organization,
//! a posting per (scope, term, document) sorted by creation, and an exact counter per
//! (scope, term). Only the stream indexer writes it.
use super::keys::{self, attr, entity};
use super::{condition_failed_at, transaction_conflict, Item, Store, StoreError};
use crate::domain::search::doc::{DocKind, Scope, SearchDoc};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
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

/// A posting and the counter it moves, written together.
const PAIRS_PER_TRANSACTION: usize = 50;

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

    /// Moves a document from `old` to `new` (either absent): postings that left are deleted and
    /// new ones put, each in one transaction with its counter, so a redelivered record counts
    /// nothing twice (a posting already there, or already gone, fails its condition and its pair
    /// is dropped from the retry). The document item is written last.
    pub async fn reindex(&self, old: Option<&SearchDoc>, new: Option<&SearchDoc>) -> Result<(), StoreError> {
        let before = old.map(SearchDoc::postings).unwrap_or_default();
        let after = new.map(SearchDoc::postings).unwrap_or_default();
        let mut pairs: Vec<(TransactWriteItem, TransactWriteItem)> = Vec::new();
        if let Some(o) = old {
            for (scope, term) in before.difference(&after) {
                let key =
                    keys::key(keys::posting_pk(&scope.key(), term), keys::search_sort(o.created_at, o.id));
                let delete = Delete::builder()
                    .table_name(self.table())
                    .set_key(Some(key))
                    .condition_expression("attribute_exists(#pk)")
                    .expression_attribute_names("#pk", keys::PK)
                    .build()
                    .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
                pairs.push((
                    TransactWriteItem::builder().delete(delete).build(),
                    counter_update(self.table(), *scope, term, -1)?,
                ));
            }
        }
        if let Some(n) = new {
            for (scope, term) in after.difference(&before) {
                let put = Put::builder()
                    .table_name(self.table())
                    .set_item(Some(posting_item(*scope, term, n)?))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", keys::PK)
                    .build()
                    .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
                pairs.push((
                    TransactWriteItem::builder().put(put).build(),
                    counter_update(self.table(), *scope, term, 1)?,
                ));
            }
        }
        for chunk in pairs.chunks(PAIRS_PER_TRANSACTION) {
            self.write_pairs(chunk.to_vec()).await?;
        }
        match (new, old) {
            (Some(n), _) => self.put(Self::search_doc_item(n)?).await,
            (None, Some(o)) => self.delete(keys::key(keys::search_doc_pk(o.id), keys::SEARCH_DOC_SK)).await,
            (None, None) => Ok(()),
        }
    }

    /// Writes (posting, counter) pairs in one transaction; pairs whose posting condition failed
    /// were applied before and are dropped; conflicts with a concurrent transaction retry.
    async fn write_pairs(
        &self,
        mut pairs: Vec<(TransactWriteItem, TransactWriteItem)>,
    ) -> Result<(), StoreError> {
        let mut attempt = 0u32;
        while !pairs.is_empty() {
            let items: Vec<TransactWriteItem> =
                pairs.iter().flat_map(|(p, c)| [p.clone(), c.clone()]).collect();
            let result = self
                .client()
                .transact_write_items()
                .set_transact_items(Some(items))
                .client_request_token(Uuid::new_v4().to_string())
                .send()
                .await;
            let Err(e) = result else { return Ok(()) };
            let service = e.into_service_error();
            let applied: Vec<usize> =
                (0..pairs.len()).filter(|i| condition_failed_at(&service, 2 * i)).collect();
            if !applied.is_empty() {
                let mut i = 0;
                pairs.retain(|_| {
                    i += 1;
                    !applied.contains(&(i - 1))
                });
                continue;
            }
            if transaction_conflict(&service) && attempt < 8 {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt.min(5))).await;
                continue;
            }
            return Err(StoreError::sdk("TransactWriteItems", service));
        }
        Ok(())
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
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", keys::s(keys::posting_pk(&scope.key(), term)))
            .expression_attribute_values(":low", keys::s(bounds.0))
            .expression_attribute_values(":high", keys::s(bounds.1))
            .scan_index_forward(!descending)
            .limit(limit as i32)
            .send()
            .await
            .map_err(|e| StoreError::sdk("Query", e))?;
        let exhausted = out.last_evaluated_key.is_none();
        let postings = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| Ok(serde_dynamo::from_item(i)?))
            .collect::<Result<Vec<Posting>, StoreError>>()?;
        Ok(PostingChunk { postings, exhausted })
    }
}
