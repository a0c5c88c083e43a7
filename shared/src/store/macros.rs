//! Macros: `MACRO#<id>` / `MACRO`, in GSI1 `MACROS` by position. Actions are kept as the JSON
//! the admin wrote (validated on write, parsed again on use).
use super::keys::{self, entity, Index};
use super::numbers::{claim_write, Numbered};
use super::{Item, Store, StoreError};
use crate::clock::Timestamp;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Who may use a macro (or a view): everyone on staff (`None`), one user, or one group's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Restriction {
    #[serde(rename = "type")]
    pub kind: RestrictionKind,
    pub id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RestrictionKind {
    User,
    Group,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Macro {
    pub id: Uuid,
    /// The numeric id (see `store::numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub active: bool,
    pub position: u32,
    pub restriction: Option<Restriction>,
    /// The actions as written (a JSON list, stored as text).
    pub actions: String,
    #[serde(default)]
    pub usage_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Macro {
    pub fn actions_json(&self) -> Value {
        serde_json::from_str(&self.actions).unwrap_or(Value::Array(Vec::new()))
    }
}

fn macro_item(m: &Macro) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::MACRO, keys::macro_pk(m.id), keys::MACRO_SK)
        .index(Index::Gsi1, keys::MACROS_PARTITION, format!("{:010}#{}", m.position, m.id))
        .with(m)?)
}

impl Store {
    /// Writes a new macro with a new number and the number's claim, in one transaction.
    pub async fn create_macro(&self, m: &mut Macro) -> Result<(), StoreError> {
        let n = self.take_number(Numbered::Macro).await?;
        m.number = Some(n);
        let writes = vec![super::TxWrite::new_only(macro_item(m)?), claim_write(Numbered::Macro, n, m.id)];
        self.transact(writes).await.map_err(super::TxError::into_store)
    }

    pub async fn put_macro(&self, m: &Macro) -> Result<(), StoreError> {
        self.put(macro_item(m)?).await
    }

    pub async fn get_macro(&self, id: Uuid) -> Result<Option<Macro>, StoreError> {
        Ok(self
            .get(keys::key(keys::macro_pk(id), keys::MACRO_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_macro(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::macro_pk(id), keys::MACRO_SK)).await
    }

    /// Every macro, by position (a desk has tens to hundreds; read in pages of 100).
    pub async fn all_macros(&self) -> Result<Vec<Macro>, StoreError> {
        self.all_by_position(keys::MACROS_PARTITION).await
    }

    /// Counts one use (after the change it made was written).
    pub async fn count_macro_use(&self, id: Uuid) -> Result<(), StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::macro_pk(id), keys::MACRO_SK)))
            .update_expression("ADD #n :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#n", "usage_count")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(())
            }
            Err(e) => Err(StoreError::sdk("UpdateItem", e)),
        }
    }
}
