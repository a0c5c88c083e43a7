//! API tokens' records: `APITOKEN#<id>` / `APITOKEN` (the token's SHA-256, never the token),
//! listed by creation in GSI1 `APITOKENS`.
use super::keys::{self, entity, Index};
use super::{Store, StoreError};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A desk holds at most this many tokens (Zendesk: 256); the list is then one Query page.
pub const MAX_API_TOKENS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenRecord {
    pub id: Uuid,
    pub description: String,
    pub token_hash: String,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

impl Store {
    pub async fn put_api_token(&self, t: &ApiTokenRecord) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(entity::API_TOKEN, keys::api_token_pk(t.id), keys::API_TOKEN_SK)
            .index(Index::Gsi1, keys::API_TOKENS_PARTITION, format!("{}#{}", t.created_at, t.id))
            .with(t)?;
        self.put(item).await
    }

    pub async fn get_api_token(&self, id: Uuid) -> Result<Option<ApiTokenRecord>, StoreError> {
        Ok(self
            .get(keys::key(keys::api_token_pk(id), keys::API_TOKEN_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_api_token(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::api_token_pk(id), keys::API_TOKEN_SK)).await
    }

    /// Every token record, oldest first (one Query: a desk has at most [`MAX_API_TOKENS`]).
    pub async fn all_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let (rows, _) = self
            .query_sorted::<ApiTokenRecord>(
                Index::Gsi1,
                keys::API_TOKENS_PARTITION,
                None,
                None,
                MAX_API_TOKENS,
            )
            .await?;
        Ok(rows.into_iter().map(|(_, t)| t).collect())
    }
}
