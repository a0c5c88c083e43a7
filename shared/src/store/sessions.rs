//! Sessions: the server-side half of a token, deleted on logout so the token dies at once.
use super::keys::{self, entity, Index};
use super::users::UserRecord;
use super::{Store, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: crate::clock::Timestamp,
    /// Unix seconds; the token's `exp`.
    pub expires_at: i64,
    /// The user's `session_epoch` when the session was made: live only while they are equal.
    #[serde(default)]
    pub epoch: u32,
}

impl Session {
    /// Whether this session still stands for `user` at `now_epoch` (unix seconds): the same
    /// user, not expired, not revoked by a password change.
    pub fn is_live_for(&self, user: &UserRecord, now_epoch: i64) -> bool {
        self.user_id == user.user.id && self.expires_at > now_epoch && self.epoch == user.session_epoch
    }
}

impl Session {
    pub(crate) fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        Ok(keys::ItemKeys::new(entity::SESSION, keys::session_pk(self.id), keys::SESSION_SK)
            .index(Index::Gsi1, keys::user_sessions_partition(self.user_id), self.created_at.to_string())
            .ttl(self.expires_at)
            .with(self)?)
    }
}

impl Store {
    pub async fn put_session(&self, session: &Session) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(session.item()?))
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }

    /// A session and the user it claims to belong to, in one round trip (BatchGetItem).
    pub async fn session_and_user(
        &self,
        session_id: Uuid,
        user_id: Uuid,
    ) -> Result<(Option<Session>, Option<UserRecord>), StoreError> {
        let items = self
            .batch_get(vec![
                keys::key(keys::session_pk(session_id), keys::SESSION_SK),
                keys::key(keys::user_pk(user_id), keys::USER_SK),
            ])
            .await?;
        let mut session = None;
        let mut user = None;
        for item in items {
            match item.get(keys::ENTITY).and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(entity::SESSION) => session = Some(serde_dynamo::from_item(item)?),
                Some(entity::USER) => user = Some(serde_dynamo::from_item(item)?),
                _ => {}
            }
        }
        Ok((session, user))
    }

    pub async fn get_session(&self, session_id: Uuid) -> Result<Option<Session>, StoreError> {
        Ok(self
            .get(keys::key(keys::session_pk(session_id), keys::SESSION_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_session(&self, session_id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::session_pk(session_id), keys::SESSION_SK)).await
    }

    /// Revokes every session of a user except `keep` (after a password change).
    pub async fn revoke_other_sessions(&self, user_id: Uuid, keep: Uuid) -> Result<usize, StoreError> {
        let partition = keys::user_sessions_partition(user_id);
        let mut others = Vec::new();
        for item in self.query_all(Some(Index::Gsi1), &partition, false).await? {
            let session: Session = serde_dynamo::from_item(item)?;
            if session.id != keep {
                others.push(keys::key(keys::session_pk(session.id), keys::SESSION_SK));
            }
        }
        let revoked = others.len();
        self.batch_delete(others).await?;
        Ok(revoked)
    }
}
