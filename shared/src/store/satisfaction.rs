//! Satisfaction ratings: `TICKET#<ticket id>` / `RATING#<id>` (deleted with the ticket), listed
//! newest first by time (GSI1 `RATINGS`) or by score (GSI2 `RATINGS#<score>`), both sorted by
//! `<created_at>#<id>`, so a date range is a key range and a page is one Query.
use super::keys::{self, entity, Index};
use super::{Item, PartitionQuery, Reads, SortRange, Store, StoreError, TxWrite};
use crate::clock::Timestamp;
use crate::domain::satisfaction::Rating;
use crate::domain::ticket::Satisfaction;

pub fn rating_item(r: &Rating) -> Result<Item, StoreError> {
    let sort = format!("{}#{}", r.created_at, r.id);
    Ok(keys::ItemKeys::new(entity::RATING, keys::ticket_pk(r.ticket_id), keys::rating_sk(r.id))
        .index(Index::Gsi1, keys::RATINGS_PARTITION, &sort)
        .index(Index::Gsi2, keys::ratings_by_score_partition(r.score.as_str()), &sort)
        .with(r)?)
}

pub fn rating_write(r: &Rating) -> Result<TxWrite, StoreError> {
    Ok(TxWrite::new_only(rating_item(r)?))
}

/// Which ratings a list wants: a score, a time range `[from, to)`, and where the previous page
/// ended (its last sort key).
#[derive(Debug, Clone, Default)]
pub struct RatingFilter {
    pub score: Option<Satisfaction>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub before: Option<String>,
}

impl Store {
    pub async fn put_rating(&self, r: &Rating) -> Result<(), StoreError> {
        self.put(rating_item(r)?).await
    }

    /// One page of ratings, newest first: one Query of `limit + 2` items.
    pub async fn list_ratings(
        &self,
        f: &RatingFilter,
        limit: usize,
    ) -> Result<(Vec<(String, Rating)>, bool), StoreError> {
        let (index, partition) = match f.score {
            Some(s) => (Index::Gsi2, keys::ratings_by_score_partition(s.as_str())),
            None => (Index::Gsi1, keys::RATINGS_PARTITION.to_owned()),
        };
        // Key values may not be empty: "0" sorts before every timestamp.
        let low = f.from.map(|t| t.to_string()).unwrap_or_else(|| "0".to_owned());
        // `to` is exclusive: every key at that instant is `<to>#<id>`, after the bare `<to>`.
        let mut high = f.to.map(|t| t.to_string()).unwrap_or_else(|| "~".to_owned());
        if let Some(b) = &f.before {
            high = high.min(b.clone());
        }
        let query =
            PartitionQuery::index(index, partition).range(SortRange::Between(low, high)).descending(true);
        let mut rows = Vec::new();
        for (sort, rating) in
            self.query_page(&query, Reads::one_request(limit + 2)).await?.decode_sorted(index.sk())?
        {
            // BETWEEN includes the cursor's own item: the previous page had it.
            if f.before.as_deref() == Some(sort.as_str()) {
                continue;
            }
            rows.push((sort, rating));
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        Ok((rows, more))
    }
}
