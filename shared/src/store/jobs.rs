//! Job statuses of the Zendesk API's bulk operations (`create_many`, `update_many`):
//! `JOBSTATUS#<id>` holds who asked and the status as Zendesk shows it (JSON text), kept a day
//! (TTL), as Zendesk keeps them for a while and then forgets them.
use super::keys::{self, entity};
use super::{Store, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a job status can be read back.
pub const JOB_STATUS_TTL_SECONDS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobStatusRecord {
    pub id: String,
    pub owner: Uuid,
    /// The status object, as JSON text.
    pub status: String,
}

impl Store {
    pub async fn put_job_status(&self, job: &JobStatusRecord, now: i64) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(entity::JOB_STATUS, keys::job_status_pk(&job.id), keys::JOB_STATUS_SK)
            .ttl(now + JOB_STATUS_TTL_SECONDS)
            .with(job)?;
        self.put(item).await
    }

    /// Job statuses by id, in one BatchGetItem per 100 (unknown or expired ones left out).
    pub async fn job_statuses(&self, ids: &[String]) -> Result<Vec<JobStatusRecord>, StoreError> {
        let wanted = ids.iter().map(|id| keys::key(keys::job_status_pk(id), keys::JOB_STATUS_SK)).collect();
        self.batch_get(wanted).await?.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    pub async fn get_job_status(&self, id: &str) -> Result<Option<JobStatusRecord>, StoreError> {
        Ok(self
            .get(keys::key(keys::job_status_pk(id), keys::JOB_STATUS_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }
}
