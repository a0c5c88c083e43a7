//! The notifier: stream records → mail jobs on the queue. The HTTP functions never send mail
//! or touch the queue; this consumer is the only producer.
use crate::domain::comment::Comment;
use crate::domain::ticket::{Status, Ticket};
use crate::mail::{MailJob, MailKind};
use crate::store::keys::{self, entity};
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;

fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get(keys::ENTITY) {
        Some(serde_dynamo::AttributeValue::S(e)) => Some(e.as_str()),
        _ => None,
    }
}

/// The mail a stream record calls for.
pub fn jobs_for(record: &EventRecord) -> Result<Vec<MailJob>, BoxError> {
    let new = &record.change.new_image;
    let job = |kind: MailKind, ticket_id, recipient_id, comment_id| MailJob {
        id: format!(
            "{}:{}",
            record.event_id,
            serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        ),
        kind,
        ticket_id,
        recipient_id,
        comment_id,
    };
    let mut jobs = Vec::new();
    match (entity_of(new), record.event_name.as_str()) {
        (Some(entity::TICKET), "INSERT") => {
            let t: Ticket = serde_dynamo::from_item(new.clone())?;
            jobs.push(job(MailKind::TicketCreated, t.id, t.requester_id, None));
            if let Some(a) = t.assignee_id {
                jobs.push(job(MailKind::Assigned, t.id, a, None));
            }
        }
        (Some(entity::TICKET), "MODIFY") => {
            let before: Ticket = serde_dynamo::from_item(record.change.old_image.clone())?;
            let t: Ticket = serde_dynamo::from_item(new.clone())?;
            if t.status == Status::Solved && before.status != Status::Solved {
                jobs.push(job(MailKind::Solved, t.id, t.requester_id, None));
            }
            if let Some(a) = t.assignee_id.filter(|a| Some(*a) != before.assignee_id) {
                jobs.push(job(MailKind::Assigned, t.id, a, None));
            }
        }
        (Some(entity::USER), "INSERT") => {
            let u: crate::store::users::UserRecord = serde_dynamo::from_item(new.clone())?;
            if !u.user.email_verified {
                jobs.push(job(MailKind::VerifyEmail, uuid::Uuid::nil(), u.user.id, None));
            }
        }
        (Some(entity::COMMENT), "INSERT") => {
            let c: Comment = serde_dynamo::from_item(new.clone())?;
            if !c.is_internal {
                // Who the requester is decides whether this is a reply to them (see `handle`).
                jobs.push(job(MailKind::AgentReply, c.ticket_id, c.author_id, Some(c.id)));
            }
        }
        _ => {}
    }
    Ok(jobs)
}

async fn enqueue(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    let mut jobs = jobs_for(record)?;
    for j in jobs.iter_mut().filter(|j| j.kind == MailKind::AgentReply) {
        // The job was built with the author; the recipient is the requester, unless the
        // requester wrote the comment themself (then there is nobody to tell).
        let ticket = state.store.get_ticket(j.ticket_id).await?;
        match ticket {
            Some(t) if t.requester_id != j.recipient_id => j.recipient_id = t.requester_id,
            _ => j.recipient_id = uuid::Uuid::nil(),
        }
    }
    jobs.retain(|j| !j.recipient_id.is_nil());
    if jobs.is_empty() {
        return Ok(());
    }
    let (sqs, queue) = state.mail_queue()?;
    let mut batch = sqs.send_message_batch().queue_url(queue);
    for (i, j) in jobs.iter().enumerate() {
        batch = batch.entries(
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(serde_json::to_string(j)?)
                .build()?,
        );
    }
    let out = batch.send().await.map_err(|e| crate::error::error_chain(&e))?;
    if !out.failed().is_empty() {
        return Err(format!("{} mail jobs were not queued", out.failed().len()).into());
    }
    Ok(())
}

/// The Lambda handler's body (records in order; the first failure is reported).
pub async fn handle(state: &AppState, event: &Event) -> DynamoDbEventResponse {
    crate::consumers::each_record(event, "notifier", |record| enqueue(state, record)).await
}

/// [`handle`], boxed, for [`super::lambda::run_stream`].
pub fn boxed<'a>(
    state: &'a crate::AppState,
    event: &'a aws_lambda_events::dynamodb::Event,
) -> super::lambda::BoxFuture<'a, aws_lambda_events::streams::DynamoDbEventResponse> {
    Box::pin(handle(state, event))
}
