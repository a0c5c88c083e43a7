//! Organizations.
use super::keys::{self, entity, Index};
use super::numbers::{claim_write, Numbered};
use super::{Store, StoreError, TxError, TxWrite};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    /// The numeric id (see `store::numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub name: String,
    pub domain: Option<String>,
    /// Kept as JSON text: any object a client sends (empty keys, empty maps, numbers outside
    /// DynamoDB's range) is stored as it came. Older items hold a map; both read back.
    #[serde(default, with = "json_text")]
    pub settings: Map<String, Value>,
    pub created_at: crate::clock::Timestamp,
    pub updated_at: crate::clock::Timestamp,
}

fn org_item(org: &Organization) -> Result<super::Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::ORGANIZATION, keys::org_pk(org.id), keys::ORG_SK)
        .index(Index::Gsi1, keys::ORGS_PARTITION, keys::name_sort(&org.name, org.id))
        .with(org)?)
}

impl Store {
    pub async fn put_org(&self, org: &Organization) -> Result<(), StoreError> {
        self.put(org_item(org)?).await
    }

    /// Writes a new organization with a new number (and the number's claim) in one transaction.
    pub async fn create_org(&self, org: &mut Organization) -> Result<(), StoreError> {
        let n = self.take_number(Numbered::Organization).await?;
        org.number = Some(n);
        let writes = vec![TxWrite::new_only(org_item(org)?), claim_write(Numbered::Organization, n, org.id)];
        self.transact(writes).await.map_err(TxError::into_store)
    }

    /// Organizations by id, in one BatchGetItem per 100 (missing ones are left out).
    pub async fn orgs_by_id(&self, ids: &[Uuid]) -> Result<Vec<Organization>, StoreError> {
        let keys_list = ids.iter().map(|id| keys::key(keys::org_pk(*id), keys::ORG_SK)).collect();
        self.batch_get(keys_list).await?.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    pub async fn get_org(&self, id: Uuid) -> Result<Option<Organization>, StoreError> {
        Ok(self
            .get(keys::key(keys::org_pk(id), keys::ORG_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// Organizations whose name starts with `prefix` (any letter case), by name.
    pub async fn orgs_by_name_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<(Vec<Organization>, bool), StoreError> {
        let (rows, more) = self
            .query_sorted::<Organization>(
                Index::Gsi1,
                keys::ORGS_PARTITION,
                Some(&prefix.to_lowercase()),
                None,
                limit,
            )
            .await?;
        Ok((rows.into_iter().map(|(_, o)| o).collect(), more))
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

/// A JSON object stored as a string attribute (read from a string or, for older items, a map).
mod json_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::{Map, Value};

    pub fn serialize<S: Serializer>(map: &Map<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Value::Object(map.clone()).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
        match Value::deserialize(d)? {
            Value::String(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
            Value::Object(map) => Ok(map),
            Value::Null => Ok(Map::new()),
            _ => Err(serde::de::Error::custom("settings are neither JSON text nor a map")),
        }
    }
}
