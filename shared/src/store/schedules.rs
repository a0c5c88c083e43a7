//! Business-hours schedules: `SCHEDULE#<id>` / `SCHEDULE`, and every schedule by name in GSI1
//! (`SCHEDULES`), so the list is one Query.
use super::keys::{self, entity, Index};
use super::{Item, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::schedules::{Holiday, Interval};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Schedule {
    pub id: Uuid,
    pub name: String,
    /// An IANA name (`Europe/Berlin`).
    pub time_zone: String,
    pub intervals: Vec<Interval>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn schedule_item(s: &Schedule) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::SCHEDULE, keys::schedule_pk(s.id), keys::SCHEDULE_SK)
        .index(Index::Gsi1, keys::SCHEDULES_PARTITION, keys::name_sort(&s.name, s.id))
        .with(s)?)
}

impl Store {
    pub async fn put_schedule(&self, s: &Schedule) -> Result<(), StoreError> {
        self.put(schedule_item(s)?).await
    }

    pub async fn get_schedule(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        Ok(self
            .get(keys::key(keys::schedule_pk(id), keys::SCHEDULE_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// Schedules by name, after the sort key `after`.
    pub async fn list_schedules(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Schedule)>, bool), StoreError> {
        self.query_sorted(Index::Gsi1, keys::SCHEDULES_PARTITION, None, after, limit).await
    }

    pub async fn delete_schedule(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::schedule_pk(id), keys::SCHEDULE_SK)).await
    }
}
