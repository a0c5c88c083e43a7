//! Mail job claims: `MAIL#<job id>` items that make each mail job's effect happen once. A job
//! is claimed with a conditional write before sending; a duplicate delivery finds it sent (or
//! being sent) and does nothing; a failed send releases the claim.
use super::keys::{self, entity};
use super::{Store, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;

/// A claim older than this is abandoned (its worker died) and may be taken over.
pub const CLAIM_LEASE_SECONDS: i64 = 5 * 60;
/// Sent markers are kept a week (far beyond any queue redelivery).
pub const MARKER_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

/// What a claim attempt found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    Ours,
    /// Already sent (or skipped): a duplicate delivery.
    Done,
    /// Another worker is sending it right now.
    Busy,
}

impl Store {
    /// Claims mail job `job_id` at `now` (epoch seconds): new, or a stale claim taken over.
    pub async fn claim_mail(&self, job_id: &str, now: i64) -> Result<Claim, StoreError> {
        let key = keys::key(keys::mail_pk(job_id), keys::MAIL_SK);
        let mut item = key.clone();
        item.insert(keys::ENTITY.into(), keys::s(entity::MAIL));
        item.insert(keys::attr::STATE.into(), keys::s("sending"));
        item.insert(keys::attr::CLAIMED_AT.into(), AttributeValue::N(now.to_string()));
        item.insert(keys::TTL.into(), AttributeValue::N((now + MARKER_TTL_SECONDS).to_string()));
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR (#state = :sending AND #claimed < :stale)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#state", keys::attr::STATE)
            .expression_attribute_names("#claimed", keys::attr::CLAIMED_AT)
            .expression_attribute_values(":sending", keys::s("sending"))
            .expression_attribute_values(":stale", AttributeValue::N((now - CLAIM_LEASE_SECONDS).to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Ours),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                let existing = self.get(key).await?;
                let state =
                    existing.as_ref().and_then(|i| i.get(keys::attr::STATE)).and_then(|v| v.as_s().ok());
                Ok(if state.is_some_and(|s| s == "sending") { Claim::Busy } else { Claim::Done })
            }
            Err(e) => Err(StoreError::sdk("PutItem", e)),
        }
    }

    /// Records how a claimed job ended (`sent`, `skipped`).
    pub async fn finish_mail(&self, job_id: &str, outcome: &str) -> Result<(), StoreError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::mail_pk(job_id), keys::MAIL_SK)))
            .update_expression("SET #state = :outcome")
            .expression_attribute_names("#state", keys::attr::STATE)
            .expression_attribute_values(":outcome", keys::s(outcome))
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        Ok(())
    }

    /// Gives a claim up (the send failed), so a redelivery can take it.
    pub async fn release_mail(&self, job_id: &str) -> Result<(), StoreError> {
        self.delete(keys::key(keys::mail_pk(job_id), keys::MAIL_SK)).await
    }

    /// Remembers which ticket a sent Message-ID belongs to (a year), for threading replies.
    pub async fn record_message_id(&self, message_id: &str, ticket_id: uuid::Uuid) -> Result<(), StoreError> {
        let item = keys::ItemKeys::new(
            keys::entity::MESSAGE_ID,
            keys::message_id_pk(message_id),
            keys::MESSAGE_ID_SK,
        )
        .ttl(crate::clock::now().unix_timestamp() + 365 * 86_400)
        .with(&serde_json::json!({"ticket_id": ticket_id}))?;
        self.put(item).await
    }

    /// The ticket a Message-ID the desk sent belongs to.
    pub async fn ticket_of_message_id(&self, message_id: &str) -> Result<Option<uuid::Uuid>, StoreError> {
        let item = self.get(keys::key(keys::message_id_pk(message_id), keys::MESSAGE_ID_SK)).await?;
        Ok(item
            .and_then(|i| i.get("ticket_id").and_then(|v| v.as_s().ok()).cloned())
            .and_then(|s| uuid::Uuid::parse_str(&s).ok()))
    }
}
