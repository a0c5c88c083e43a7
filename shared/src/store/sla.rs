//! SLA policies: `SLAPOLICY#<id>` / `SLAPOLICY`, and every policy by position in GSI1
//! (`SLAPOLICIES`), so "the first matching policy" reads one partition.
use super::keys::{self, entity, Index};
use super::{Item, Store, StoreError, TxWrite};
use crate::clock::Timestamp;
use crate::domain::sla::PolicyMetric;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub position: u32,
    /// The filter as written (JSON text; validated on write, parsed on use), in the ticket
    /// conditions dialect.
    pub filter: String,
    /// The schedule business-hours targets count in (`None`: calendar hours only).
    pub schedule_id: Option<Uuid>,
    pub policy_metrics: Vec<PolicyMetric>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn policy_item(p: &SlaPolicy) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::SLA_POLICY, keys::sla_policy_pk(p.id), keys::SLA_POLICY_SK)
        .index(Index::Gsi1, keys::SLA_POLICIES_PARTITION, format!("{:010}#{}", p.position, p.id))
        .with(p)?)
}

impl Store {
    pub async fn put_sla_policy(&self, p: &SlaPolicy) -> Result<(), StoreError> {
        self.put(policy_item(p)?).await
    }

    pub async fn get_sla_policy(&self, id: Uuid) -> Result<Option<SlaPolicy>, StoreError> {
        Ok(self
            .get(keys::key(keys::sla_policy_pk(id), keys::SLA_POLICY_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_sla_policy(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::sla_policy_pk(id), keys::SLA_POLICY_SK)).await
    }

    /// Every policy, by position (pages of 100).
    pub async fn all_sla_policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        self.all_by_position(keys::SLA_POLICIES_PARTITION).await
    }

    /// Writes policies with new positions, all or none (at most 100 in one transaction).
    pub async fn put_sla_policies(&self, policies: &[SlaPolicy]) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        for p in policies {
            writes.push(TxWrite::plain(policy_item(p)?));
        }
        self.transact(writes).await.map_err(super::TxError::into_store)
    }
}
