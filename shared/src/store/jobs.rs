//! Job statuses of the Zendesk API's bulk operations (`create_many`, `update_many`):
//! `JOBSTATUS#<id>` holds who asked and the status as Zendesk shows it (JSON text), kept a day
//! (TTL), as Zendesk keeps them for a while and then forgets them. Each is also in its owner's
//! partition of GSI1 (`JOBS#<user id>`) and in the desk's of GSI2 (`JOBS`), by when it was
//! made, for the lists.
use super::keys::{self, entity, Index};
use super::query::{PartitionQuery, Reads, SortRange};
use super::{Store, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

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
    pub async fn put_job_status(&self, job: &JobStatusRecord, now: OffsetDateTime) -> Result<(), StoreError> {
        let sort = keys::job_status_sort(unix_ms(now), &job.id);
        let item = keys::ItemKeys::new(entity::JOB_STATUS, keys::job_status_pk(&job.id), keys::JOB_STATUS_SK)
            .index(Index::Gsi1, keys::user_jobs_partition(job.owner), sort.clone())
            .index(Index::Gsi2, keys::JOBS_PARTITION, sort)
            .ttl(now.unix_timestamp() + JOB_STATUS_TTL_SECONDS)
            .with(job)?;
        self.put(item).await
    }

    /// Job statuses by id, in one BatchGetItem per 100 (unknown or expired ones left out).
    pub async fn job_statuses(&self, ids: &[String]) -> Result<Vec<JobStatusRecord>, StoreError> {
        let wanted = ids.iter().map(|id| keys::key(keys::job_status_pk(id), keys::JOB_STATUS_SK)).collect();
        self.batch_get(wanted).await?.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    /// A page of the job statuses of the last day, newest first: `owner`'s (GSI1), or
    /// everyone's (`None`: GSI2), before the sort key `before` (one Query). Those older than a
    /// day are left out even while DynamoDB has yet to delete them.
    pub async fn job_statuses_page(
        &self,
        owner: Option<Uuid>,
        before: Option<&str>,
        limit: usize,
        now: OffsetDateTime,
    ) -> Result<(Vec<(String, JobStatusRecord)>, bool), StoreError> {
        let (index, partition) = match owner {
            Some(user) => (Index::Gsi1, keys::user_jobs_partition(user)),
            None => (Index::Gsi2, keys::JOBS_PARTITION.to_owned()),
        };
        let oldest = format!("{:015}", unix_ms(now) - JOB_STATUS_TTL_SECONDS * 1000);
        let range = match before {
            // `b` itself comes back too (BETWEEN is inclusive) and is dropped below.
            Some(b) => SortRange::Between(oldest, b.to_owned()),
            None => SortRange::AtLeast(oldest),
        };
        let query = PartitionQuery::index(index, partition).range(range).descending(true);
        let mut found =
            self.query_page(&query, Reads::one_request(limit + 2)).await?.decode_sorted(index.sk())?;
        if let Some(b) = before {
            found.retain(|(sort, _)| sort.as_str() != b);
        }
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    pub async fn get_job_status(&self, id: &str) -> Result<Option<JobStatusRecord>, StoreError> {
        Ok(self
            .get(keys::key(keys::job_status_pk(id), keys::JOB_STATUS_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }
}
