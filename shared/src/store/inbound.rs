//! Suspended mail (`SUSPENDED#<id>` / `SUSPENDED`, in GSI1 `SUSPENDED` newest first by id):
//! received messages the desk would not put on a ticket, kept 14 days for staff to recover or
//! delete.
use super::keys::{self, entity, Index};
use super::{Store, StoreError};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspended {
    pub id: Uuid,
    pub from: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// The reply's text, as it would have been posted.
    pub text: String,
    pub message_id: Option<String>,
    /// Why it was suspended.
    pub reason: String,
    /// The ticket it would have gone to, if one was found.
    pub ticket_id: Option<Uuid>,
    /// The raw message in the bucket (`inbound/...`), when kept.
    pub raw_key: Option<String>,
    pub created_at: Timestamp,
}

impl Store {
    pub async fn put_suspended(&self, s: &Suspended) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(entity::SUSPENDED, keys::suspended_pk(s.id), keys::SUSPENDED_SK)
            .index(Index::Gsi1, keys::SUSPENDED_PARTITION, s.id.to_string())
            .ttl(s.created_at.0.unix_timestamp() + crate::app::mail_in::SUSPENDED_TTL_SECS)
            .with(s)?;
        self.put(item).await
    }

    pub async fn get_suspended(&self, id: Uuid) -> Result<Option<Suspended>, StoreError> {
        Ok(self
            .get(keys::key(keys::suspended_pk(id), keys::SUSPENDED_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_suspended(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::suspended_pk(id), keys::SUSPENDED_SK)).await
    }

    /// A page of suspended mail, oldest first after `after` (ids are UUID v7: time order).
    pub async fn suspended_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Suspended>, bool), StoreError> {
        let (rows, more) = self
            .query_sorted::<Suspended>(Index::Gsi1, keys::SUSPENDED_PARTITION, None, after, limit)
            .await?;
        Ok((rows.into_iter().map(|(_, s)| s).collect(), more))
    }
}
