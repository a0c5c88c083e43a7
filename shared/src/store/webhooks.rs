//! Webhooks (`WEBHOOK#<id>` / `WEBHOOK`, in GSI1 `WEBHOOKS` by name) and the deliveries rules
//! ask for (`TICKET#<id>` / `DELIVERY#<uuid v7>`, written in the ticket's transaction; the
//! notifier queues them, the webhook-delivery consumer posts them).
use super::keys::{self, entity, Index};
use super::{Item, Store, StoreError, TxWrite};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStatus {
    Active,
    Inactive,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: Uuid,
    pub name: String,
    pub endpoint: String,
    pub status: WebhookStatus,
    /// The HMAC key of `X-Helpdesk-Signature` (shown once, when the webhook is created).
    pub signing_secret: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn webhook_item(w: &Webhook) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::WEBHOOK, keys::webhook_pk(w.id), keys::WEBHOOK_SK)
        .index(Index::Gsi1, keys::WEBHOOKS_PARTITION, keys::name_sort(&w.name, w.id))
        .with(w)?)
}

/// One post a rule asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub webhook_id: Uuid,
    pub rule_id: Uuid,
    pub rule_title: String,
    /// The action's body template; `None`: `{"ticket", "trigger"}`.
    pub body: Option<String>,
    pub actor_id: Option<Uuid>,
    pub created_at: Timestamp,
}

/// Deliveries are kept a week (long enough for the queue's retries and the DLQ).
const DELIVERY_TTL_SECS: i64 = 7 * 86_400;

pub fn delivery_write(d: &Delivery) -> Result<TxWrite, StoreError> {
    let item = keys::ItemKeys::new(entity::DELIVERY, keys::ticket_pk(d.ticket_id), keys::delivery_sk(d.id))
        .ttl(d.created_at.0.unix_timestamp() + DELIVERY_TTL_SECS)
        .with(d)?;
    Ok(TxWrite::new_only(item))
}

impl Store {
    pub async fn put_webhook(&self, w: &Webhook) -> Result<(), StoreError> {
        self.put(webhook_item(w)?).await
    }

    pub async fn get_webhook(&self, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        Ok(self
            .get(keys::key(keys::webhook_pk(id), keys::WEBHOOK_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    pub async fn delete_webhook(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::webhook_pk(id), keys::WEBHOOK_SK)).await
    }

    /// Every webhook, by name (pages of 100).
    pub async fn all_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.all_by_position(keys::WEBHOOKS_PARTITION).await
    }

    pub async fn delivery(&self, ticket_id: Uuid, id: Uuid) -> Result<Option<Delivery>, StoreError> {
        Ok(self
            .get(keys::key(keys::ticket_pk(ticket_id), keys::delivery_sk(id)))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }
}
