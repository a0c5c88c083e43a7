//! The attachment cleaner: when an attachment item leaves the table (its ticket was deleted, or
//! a pending upload's TTL ran out), its object leaves the bucket. Fed by the table's stream, so
//! no request path deletes S3 objects inline and nothing is lost if a function dies half-way.
use crate::domain::attachment::Attachment;
use crate::store::keys::{self, entity};
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;

async fn clean(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    if record.event_name != "REMOVE" {
        return Ok(());
    }
    let image = &record.change.old_image;
    let is_attachment = matches!(image.get(keys::ENTITY), Some(serde_dynamo::AttributeValue::S(e)) if e == entity::ATTACHMENT);
    if !is_attachment {
        return Ok(());
    }
    let attachment: Attachment = serde_dynamo::from_item(image.clone())?;
    // By presigned URL (`store::objects`): this function builds no S3 client. Deleting a
    // missing object succeeds, so a retried record is harmless.
    state.objects().map_err(|e| e.to_string())?.delete(&attachment.object_key).await?;
    tracing::info!(attachment = %attachment.id, ticket = %attachment.ticket_id, "attachment object deleted");
    Ok(())
}

/// The Lambda handler's body: records in order, stopping at the first failure (reported).
pub async fn handle(state: &AppState, event: &Event) -> DynamoDbEventResponse {
    crate::consumers::each_record(event, "attachment-cleaner", |record| clean(state, record)).await
}

/// [`handle`], boxed, for [`super::lambda::run_stream`].
pub fn boxed<'a>(
    state: &'a crate::AppState,
    event: &'a aws_lambda_events::dynamodb::Event,
) -> super::lambda::BoxFuture<'a, aws_lambda_events::streams::DynamoDbEventResponse> {
    Box::pin(handle(state, event))
}
