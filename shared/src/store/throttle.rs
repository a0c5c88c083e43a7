//! Throttle counters: one item per (scope, subject, fixed window), incremented atomically and
//! expiring with its window (TTL), so limits hold across every concurrent Lambda.
use super::keys::{self, entity};
use super::{Store, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

/// A window's counter key: `THROTTLE#<scope>#<subject>` / `W#<window start>`.
fn key(scope: &str, subject: &str, window_start: i64) -> super::Item {
    keys::key(format!("THROTTLE#{scope}#{subject}"), format!("W#{window_start}"))
}

impl Store {
    /// The count in the window starting at `window_start` (0 when nothing was counted).
    pub async fn throttle_count(
        &self,
        scope: &str,
        subject: &str,
        window_start: i64,
    ) -> Result<u32, StoreError> {
        let item = self.get(key(scope, subject, window_start)).await?;
        Ok(item
            .and_then(|i| {
                i.get(keys::attr::COUNTER_VALUE).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok())
            })
            .unwrap_or(0))
    }

    /// Adds one to the window's count and returns the new count. The item expires a minute
    /// after its window ends.
    pub async fn throttle_hit(
        &self,
        scope: &str,
        subject: &str,
        window_start: i64,
        window_end: i64,
    ) -> Result<u32, StoreError> {
        let out = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(scope, subject, window_start)))
            .update_expression("ADD #n :one SET #entity = :entity, #ttl = :ttl")
            .expression_attribute_names("#n", keys::attr::COUNTER_VALUE)
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":entity", keys::s(entity::THROTTLE))
            .expression_attribute_values(":ttl", AttributeValue::N((window_end + 60).to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        Ok(out
            .attributes
            .and_then(|a| {
                a.get(keys::attr::COUNTER_VALUE).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok())
            })
            .unwrap_or(u32::MAX))
    }
}
