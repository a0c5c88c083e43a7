//! Attachment metadata: an item in its ticket's collection, findable by id through GSI1.
use super::keys::{self, attr, entity, Index};
use super::{Item, Store, StoreError, TxWrite};
use crate::domain::attachment::Attachment;
use std::collections::HashMap;
use uuid::Uuid;

/// How long an upload may stay unlinked before TTL removes it (and the stream, its object).
pub const PENDING_TTL_SECONDS: i64 = 24 * 60 * 60;

pub fn attachment_item(a: &Attachment, pending_until: Option<i64>) -> Result<Item, StoreError> {
    let mut keys =
        keys::ItemKeys::new(entity::ATTACHMENT, keys::ticket_pk(a.ticket_id), keys::attachment_sk(a.id))
            .index(Index::Gsi1, keys::attachment_partition(a.id), keys::ATTACHMENT_INDEX_SK);
    if let Some(ttl) = pending_until {
        keys = keys.ttl(ttl);
    }
    Ok(keys.with(a)?)
}

/// Links a pending attachment to a comment: the item loses its TTL and gains `comment_id`,
/// only if no other comment linked it first.
pub fn link_write(a: &Attachment, comment_id: Uuid) -> Result<TxWrite, StoreError> {
    let linked = Attachment { comment_id: Some(comment_id), ..a.clone() };
    Ok(TxWrite::conditional(
        super::Guard::AttachmentTaken,
        attachment_item(&linked, None)?,
        "attribute_type(#c, :null)",
        HashMap::from([("#c".to_owned(), attr::COMMENT_ID.to_owned())]),
        HashMap::from([(":null".to_owned(), keys::s("NULL"))]),
    ))
}

impl Store {
    pub async fn put_pending_attachment(&self, a: &Attachment, now_epoch: i64) -> Result<(), StoreError> {
        self.put(attachment_item(a, Some(now_epoch + PENDING_TTL_SECONDS))?).await
    }

    pub async fn attachment(&self, id: Uuid) -> Result<Option<Attachment>, StoreError> {
        let items = self.query_all(Some(Index::Gsi1), &keys::attachment_partition(id), false).await?;
        items.into_iter().next().map(serde_dynamo::from_item).transpose().map_err(Into::into)
    }

    /// Attachments of one ticket by id (missing ones are absent from the result).
    pub async fn attachments_of(&self, ticket_id: Uuid, ids: &[Uuid]) -> Result<Vec<Attachment>, StoreError> {
        let keys_list =
            ids.iter().map(|id| keys::key(keys::ticket_pk(ticket_id), keys::attachment_sk(*id))).collect();
        self.batch_get(keys_list)
            .await?
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(Into::into))
            .collect()
    }
}
