//! The one pager: every Query the store makes is a [`PartitionQuery`] (one partition of the
//! table or of an index, a sort-key range, an order, optionally a filter) read by
//! [`Store::query_page`] under a [`Reads`] budget, which follows DynamoDB's
//! `LastEvaluatedKey` until enough items came back, the partition ends or the budget is spent.
//! The budget is what keeps every list page bounded whatever the table holds.
use super::keys::{self, Index};
use super::{Item, Store, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;

/// Which sort keys of the partition a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortRange {
    /// The whole partition.
    All,
    /// Sort keys starting with this prefix.
    Prefix(String),
    /// From the first to the second, both included.
    Between(String, String),
    /// This one and after.
    AtLeast(String),
    /// Strictly after this one.
    After(String),
    /// Up to this one, included.
    AtMost(String),
    /// Strictly before this one.
    Before(String),
}

/// A filter applied by DynamoDB after the key condition (items read still count against the
/// request's `Limit`). Placeholders must not clash with `#pk`, `#sk`, `:pk`, `:lo`, `:hi`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub expression: String,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, AttributeValue)>,
}

/// One partition read in sort order. Build with [`PartitionQuery::table`] or
/// [`PartitionQuery::index`] and the `with_*`/`descending`/... modifiers.
#[derive(Debug, Clone)]
pub struct PartitionQuery {
    index: Option<Index>,
    partition: String,
    range: SortRange,
    descending: bool,
    filter: Option<Filter>,
    keys_only: bool,
    consistent: bool,
}

impl PartitionQuery {
    /// A partition of the table itself (eventually consistent unless [`Self::consistent`]).
    pub fn table(partition: impl Into<String>) -> Self {
        PartitionQuery {
            index: None,
            partition: partition.into(),
            range: SortRange::All,
            descending: false,
            filter: None,
            keys_only: false,
            consistent: false,
        }
    }

    /// A partition of a global secondary index (eventually consistent, as GSIs are).
    pub fn index(index: Index, partition: impl Into<String>) -> Self {
        PartitionQuery { index: Some(index), ..PartitionQuery::table(partition) }
    }

    pub fn range(mut self, range: SortRange) -> Self {
        self.range = range;
        self
    }

    /// Newest (highest sort key) first.
    pub fn descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// A strongly consistent read (twice the read capacity; only the table's own partitions
    /// can be read so, not an index's).
    pub fn consistent(mut self) -> Self {
        self.consistent = self.index.is_none();
        self
    }

    /// Only the table's primary key of each item (for deletes).
    pub fn keys_only(mut self) -> Self {
        self.keys_only = true;
        self
    }

    /// The sort-key attribute of the table or index read.
    pub fn sort_attr(&self) -> &'static str {
        self.index.map_or(keys::SK, Index::sk)
    }

    fn partition_attr(&self) -> &'static str {
        self.index.map_or(keys::PK, Index::pk)
    }
}

/// How much one [`Store::query_page`] may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// Stop once this many items came back (after the filter); `None`: read to the end.
    pub want: Option<usize>,
    /// The `Limit` of each Query (items evaluated, before the filter); `None`: `want`, or
    /// DynamoDB's 1 MB page.
    pub page_size: Option<usize>,
    /// At most this many Queries; `None`: until `want` or the end.
    pub max_requests: Option<usize>,
}

impl Reads {
    /// Up to `n` items, as many Queries as that takes.
    pub fn up_to(n: usize) -> Self {
        Reads { want: Some(n), page_size: None, max_requests: None }
    }

    /// Up to `n` items from a single Query of `Limit` `n` (a bounded page: with a filter it may
    /// bring fewer, and then says the partition is not exhausted).
    pub fn one_request(n: usize) -> Self {
        Reads { want: Some(n), page_size: Some(n), max_requests: Some(1) }
    }

    /// The whole partition (only for partitions bounded by design: a ticket's collection, a
    /// year of report days).
    pub fn everything() -> Self {
        Reads { want: None, page_size: None, max_requests: None }
    }
}

/// What a [`Store::query_page`] read, in sort order.
#[derive(Debug, Default)]
pub struct QueryPage {
    pub items: Vec<Item>,
    /// DynamoDB had nothing after these (the last Query returned no `LastEvaluatedKey`).
    pub exhausted: bool,
}

impl QueryPage {
    /// Each item decoded.
    pub fn decode<T: serde::de::DeserializeOwned>(self) -> Result<Vec<T>, StoreError> {
        self.items.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    /// Each item decoded, with its value of the sort-key attribute `sort_attr`.
    pub fn decode_sorted<T: serde::de::DeserializeOwned>(
        self,
        sort_attr: &str,
    ) -> Result<Vec<(String, T)>, StoreError> {
        self.items
            .into_iter()
            .map(|item| {
                let sort = item.get(sort_attr).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                Ok((sort, serde_dynamo::from_item(item)?))
            })
            .collect()
    }
}

impl Store {
    /// Reads `query` under the budget `reads` (see [`Reads`]).
    pub async fn query_page(&self, query: &PartitionQuery, reads: Reads) -> Result<QueryPage, StoreError> {
        let limit = reads.page_size.or(reads.want);
        let mut page = QueryPage::default();
        let mut start: Option<Item> = None;
        let mut requests = 0;
        loop {
            let out = self
                .query_request(query, limit, start.take())
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            requests += 1;
            page.items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key.filter(|k| !k.is_empty());
            let enough = reads.want.is_some_and(|w| page.items.len() >= w);
            let spent = reads.max_requests.is_some_and(|m| requests >= m);
            if start.is_none() || enough || spent {
                page.exhausted = start.is_none();
                return Ok(page);
            }
        }
    }

    fn query_request(
        &self,
        query: &PartitionQuery,
        limit: Option<usize>,
        start: Option<Item>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let mut q = self
            .client()
            .query()
            .table_name(self.table())
            .set_index_name(query.index.map(|i| i.name().to_owned()))
            .scan_index_forward(!query.descending)
            .set_limit(limit.map(|l| l.clamp(1, i32::MAX as usize) as i32))
            .set_exclusive_start_key(start)
            .expression_attribute_names("#pk", query.partition_attr())
            .expression_attribute_values(":pk", keys::s(&query.partition));
        if query.consistent {
            q = q.consistent_read(true);
        }
        let condition = match &query.range {
            SortRange::All => None,
            SortRange::Prefix(p) => Some(("begins_with(#sk, :lo)", p, None)),
            SortRange::Between(lo, hi) => Some(("#sk BETWEEN :lo AND :hi", lo, Some(hi))),
            SortRange::AtLeast(lo) => Some(("#sk >= :lo", lo, None)),
            SortRange::After(lo) => Some(("#sk > :lo", lo, None)),
            SortRange::AtMost(hi) => Some(("#sk <= :lo", hi, None)),
            SortRange::Before(hi) => Some(("#sk < :lo", hi, None)),
        };
        q = match condition {
            None => q.key_condition_expression("#pk = :pk"),
            Some((expr, lo, hi)) => {
                q = q
                    .key_condition_expression(format!("#pk = :pk AND {expr}"))
                    .expression_attribute_names("#sk", query.sort_attr())
                    .expression_attribute_values(":lo", keys::s(lo));
                match hi {
                    Some(hi) => q.expression_attribute_values(":hi", keys::s(hi)),
                    None => q,
                }
            }
        };
        if let Some(f) = &query.filter {
            q = q.filter_expression(&f.expression);
            for (k, v) in &f.names {
                q = q.expression_attribute_names(k, v);
            }
            for (k, v) in &f.values {
                q = q.expression_attribute_values(k, v.clone());
            }
        }
        if query.keys_only {
            q = q
                .projection_expression("#kpk, #ksk")
                .expression_attribute_names("#kpk", keys::PK)
                .expression_attribute_names("#ksk", keys::SK);
        }
        q
    }
}
