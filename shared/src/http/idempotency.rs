//! `Idempotency-Key` on create routes: a retry with the same key and body returns the first
//! result and creates nothing; the same key with another body is a 409.
use crate::auth::Caller;
use crate::store::tickets::{idempotency_item, receipt_link_item, IdempotencyRecord};
use crate::store::{keys, Guard, TxWrite};
use crate::{ApiError, AppState};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;

pub struct Idempotency {
    pk: String,
    hash: String,
}

impl Idempotency {
    /// Reads the header; `None` when the request has no key.
    pub fn from_request(
        headers: &HeaderMap,
        caller: &Caller,
        scope: &str,
        body: &Map<String, Value>,
    ) -> Result<Option<Self>, ApiError> {
        let Some(raw) = headers.get(HEADER) else { return Ok(None) };
        // Printable ASCII, 1 to 255 characters, no space at either end (as documented).
        let bytes = raw.as_bytes();
        let printable = |b: &u8| (0x20..=0x7e).contains(b);
        let valid = (1..=MAX_KEY_LEN).contains(&bytes.len())
            && bytes.iter().all(printable)
            && bytes.first().is_some_and(|b| *b != b' ')
            && bytes.last().is_some_and(|b| *b != b' ');
        if !valid {
            return Err(ApiError::BadRequest(
                "The Idempotency-Key header is invalid: 1 to 255 printable ASCII characters.".into(),
            ));
        }
        let key = std::str::from_utf8(bytes).map_err(ApiError::internal)?;
        let canonical = Value::Object(body.clone()).to_string();
        let hash = Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Some(Self { pk: keys::idempotency_pk(caller.id(), scope, key), hash }))
    }

    /// The first response, if this key was used before (409 if with another body).
    pub async fn replay(&self, state: &AppState) -> Result<Option<Response>, ApiError> {
        let Some(record) = state.store.idempotency_record(&self.pk).await? else { return Ok(None) };
        if record.request_hash != self.hash {
            return Err(ApiError::Conflict(
                "The Idempotency-Key was already used with a different request body.".into(),
            ));
        }
        let status = StatusCode::from_u16(record.status).map_err(ApiError::internal)?;
        let body: Value = serde_json::from_str(&record.body).map_err(ApiError::internal)?;
        Ok(Some(super::json_response(status, &body)))
    }

    /// The writes for the same transaction as the creation under `ticket_id`: the record (new
    /// only, a clash is [`Guard::IdempotencyReplay`]) and its link in the ticket's collection,
    /// so deleting the ticket deletes the key and a replay cannot return a deleted ticket.
    pub fn write(
        &self,
        ticket_id: uuid::Uuid,
        status: StatusCode,
        body: &impl serde::Serialize,
    ) -> Result<Vec<TxWrite>, ApiError> {
        let record = IdempotencyRecord {
            request_hash: self.hash.clone(),
            status: status.as_u16(),
            body: serde_json::to_string(body).map_err(ApiError::internal)?,
        };
        let now = crate::clock::now().unix_timestamp();
        let item = idempotency_item(&self.pk, &record, now)?;
        Ok(vec![
            TxWrite::new_only_as(Guard::IdempotencyReplay, item),
            TxWrite::plain(receipt_link_item(ticket_id, &self.pk, now)?),
        ])
    }

    /// The first response, after the transaction found this key taken by a concurrent request.
    pub async fn replay_after_clash(&self, state: &AppState) -> Result<Response, ApiError> {
        self.replay(state).await?.ok_or_else(|| ApiError::internal("idempotency record vanished"))
    }
}
