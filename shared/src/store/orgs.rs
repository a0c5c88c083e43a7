//! Organizations.
use super::keys::{self, entity, Index};
use super::{Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    #[serde(default)]
    pub settings: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
}

impl Store {
    pub async fn put_org(&self, org: &Organization) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(entity::ORGANIZATION, keys::org_pk(org.id), keys::ORG_SK)
            .index(Index::Gsi1, keys::ORGS_PARTITION, keys::name_sort(&org.name, org.id))
            .with(org)?;
        self.put(item).await
    }

    pub async fn get_org(&self, id: Uuid) -> Result<Option<Organization>, StoreError> {
        Ok(self
            .get(keys::key(keys::org_pk(id), keys::ORG_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// Organizations by name, after the sort key `after`.
    pub async fn list_orgs(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Organization)>, bool), StoreError> {
        self.query_sorted(Index::Gsi1, keys::ORGS_PARTITION, None, after, limit).await
    }
}
