//! WebSocket connections and their subscriptions (ticket ids or the `tickets` channel).
use super::keys::{self, entity, Index};
use super::sessions::Session;
use super::users::UserRecord;
use super::{Item, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// API Gateway closes a WebSocket after two hours; its items expire then too.
pub const CONNECTION_TTL_SECONDS: i64 = 2 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub user_id: Uuid,
    /// The session whose token opened the connection: every frame checks it is still live.
    #[serde(default)]
    pub session_id: Uuid,
    pub connected_at: crate::clock::Timestamp,
}

/// A connection's interest in a topic. Who may receive what is decided per frame from the
/// user's current role and session, never from what was true at subscribe time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub connection_id: String,
    pub topic: String,
    pub user_id: Uuid,
    #[serde(default)]
    pub session_id: Uuid,
}

impl Store {
    /// Records a connection; its item expires with the session or after two hours.
    pub async fn put_connection(&self, c: &Connection, expires_epoch: i64) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(entity::CONNECTION, keys::conn_pk(&c.id), keys::CONN_SK)
            .index(Index::Gsi1, keys::user_connections_partition(c.user_id), c.connected_at.to_string())
            .ttl(expires_epoch)
            .with(c)?;
        self.put(item).await
    }

    pub async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        Ok(self
            .get(keys::key(keys::conn_pk(id), keys::CONN_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// Forgets a connection and every subscription it had.
    pub async fn delete_connection(&self, id: &str) -> Result<(), StoreError> {
        let mut doomed: Vec<Item> = Vec::new();
        for item in self.query_all(None, &keys::conn_pk(id), false).await? {
            if let Some(topic) = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.strip_prefix(keys::SUB_PREFIX))
            {
                doomed.push(keys::key(keys::sub_pk(topic), keys::sub_sk(id)));
            }
            doomed.push(keys::key(
                keys::conn_pk(id),
                item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default(),
            ));
        }
        self.batch_delete(doomed).await
    }

    /// Subscribes a connection to a topic: the subscriber item (found by topic) and its
    /// reverse (found by connection, for cleanup).
    pub async fn subscribe(&self, s: &Subscription, now_epoch: i64) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let ttl = now_epoch + CONNECTION_TTL_SECONDS;
        let forward =
            keys::ItemKeys::new(entity::SUBSCRIPTION, keys::sub_pk(&s.topic), keys::sub_sk(&s.connection_id))
                .ttl(ttl)
                .with(s)?;
        let reverse = keys::ItemKeys::new(
            entity::SUBSCRIPTION,
            keys::conn_pk(&s.connection_id),
            keys::conn_sub_sk(&s.topic),
        )
        .ttl(ttl)
        .with(s)?;
        let mut requests = Vec::new();
        for item in [forward, reverse] {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        self.batch_write(requests).await
    }

    pub async fn unsubscribe(&self, connection_id: &str, topic: &str) -> Result<(), StoreError> {
        self.batch_delete(vec![
            keys::key(keys::sub_pk(topic), keys::sub_sk(connection_id)),
            keys::key(keys::conn_pk(connection_id), keys::conn_sub_sk(topic)),
        ])
        .await
    }

    /// A user's open connections (GSI1).
    pub async fn connections_of(&self, user_id: Uuid) -> Result<Vec<Connection>, StoreError> {
        self.query_all(Some(Index::Gsi1), &keys::user_connections_partition(user_id), false)
            .await?
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(Into::into))
            .collect()
    }

    /// A connection's subscriptions (the reverse items).
    pub async fn subscriptions_of(&self, connection_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let mut out = Vec::new();
        for item in self.query_all(None, &keys::conn_pk(connection_id), false).await? {
            let is_sub = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.starts_with(keys::SUB_PREFIX));
            if is_sub {
                out.push(serde_dynamo::from_item(item)?);
            }
        }
        Ok(out)
    }

    /// The sessions and users behind a set of connections or subscriptions, in one batched
    /// read (strongly consistent): what every delivery checks before it sends.
    pub async fn sessions_and_users(
        &self,
        pairs: &[(Uuid, Uuid)],
    ) -> Result<(HashMap<Uuid, Session>, HashMap<Uuid, UserRecord>), StoreError> {
        let mut wanted = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (session, user) in pairs {
            if seen.insert(("s", *session)) {
                wanted.push(keys::key(keys::session_pk(*session), keys::SESSION_SK));
            }
            if seen.insert(("u", *user)) {
                wanted.push(keys::key(keys::user_pk(*user), keys::USER_SK));
            }
        }
        let mut sessions = HashMap::new();
        let mut users = HashMap::new();
        for item in self.batch_get(wanted).await? {
            match item.get(keys::ENTITY).and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(entity::SESSION) => {
                    let s: Session = serde_dynamo::from_item(item)?;
                    sessions.insert(s.id, s);
                }
                Some(entity::USER) => {
                    let u: UserRecord = serde_dynamo::from_item(item)?;
                    users.insert(u.user.id, u);
                }
                _ => {}
            }
        }
        Ok((sessions, users))
    }

    pub async fn subscribers(&self, topic: &str) -> Result<Vec<Subscription>, StoreError> {
        self.query_all(None, &keys::sub_pk(topic), false)
            .await?
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(Into::into))
            .collect()
    }
}
