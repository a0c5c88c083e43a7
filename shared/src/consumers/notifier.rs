//! The notifier: stream records → mail jobs on the queue. The HTTP functions never send mail
//! or touch the queue; this consumer is the only producer. Which mail goes out is the
//! triggers' business (`app::triggers`): they write notifications, this turns them into jobs.
use crate::consumers::webhooks::WebhookJob;
use crate::domain::actions::Recipient;
use crate::mail::{MailJob, MailKind};
use crate::store::keys::{self, entity};
use crate::store::rules::Notification;
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;

fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get(keys::ENTITY) {
        Some(serde_dynamo::AttributeValue::S(e)) => Some(e.as_str()),
        _ => None,
    }
}

/// The mail a stream record calls for: the sign-up verification, and the notifications
/// triggers wrote (one job per recipient: the requester, the assignee, a user, or each member of
/// a group). Job ids derive from the record, so a stream retry makes the same jobs and the
/// mailer sends each once.
pub async fn jobs_for(state: &AppState, record: &EventRecord) -> Result<Vec<MailJob>, BoxError> {
    let new = &record.change.new_image;
    let mut jobs = Vec::new();
    if record.event_name != "INSERT" {
        return Ok(jobs);
    }
    match entity_of(new) {
        Some(entity::USER) => {
            let u: crate::store::users::UserRecord = serde_dynamo::from_item(new.clone())?;
            if !u.user.email_verified {
                jobs.push(MailJob {
                    id: format!("{}:verify_email", record.event_id),
                    kind: MailKind::VerifyEmail,
                    ticket_id: uuid::Uuid::nil(),
                    recipient_id: u.user.id,
                    comment_id: None,
                    notification_id: None,
                });
            }
        }
        Some(entity::PASSWORD_RESET) => {
            #[derive(serde::Deserialize)]
            struct Reset {
                user_id: uuid::Uuid,
            }
            let r: Reset = serde_dynamo::from_item(new.clone())?;
            jobs.push(MailJob {
                id: format!("{}:reset_password", record.event_id),
                kind: MailKind::ResetPassword,
                ticket_id: uuid::Uuid::nil(),
                recipient_id: r.user_id,
                comment_id: None,
                notification_id: None,
            });
        }
        // A webhook post: queued for the webhook-delivery consumer (see `enqueue`).
        Some(entity::DELIVERY) => {}
        Some(entity::NOTIFICATION) => {
            let n: Notification = serde_dynamo::from_item(new.clone())?;
            let recipients: Vec<uuid::Uuid> = match n.to {
                Recipient::User(id) => vec![id],
                Recipient::Requester | Recipient::Assignee => {
                    let Some(t) = state.store.get_ticket(n.ticket_id).await? else { return Ok(jobs) };
                    match n.to {
                        Recipient::Requester => vec![t.requester_id],
                        _ => t.assignee_id.into_iter().collect(),
                    }
                }
                Recipient::Group(g) => {
                    state.store.memberships(g).await?.into_iter().map(|m| m.user_id).collect()
                }
            };
            for r in recipients {
                jobs.push(MailJob {
                    id: format!("notify:{}:{r}", n.id),
                    kind: MailKind::Notification,
                    ticket_id: n.ticket_id,
                    recipient_id: r,
                    comment_id: n.comment_id,
                    notification_id: Some(n.id),
                });
            }
        }
        _ => {}
    }
    Ok(jobs)
}

/// The webhook job a stream record calls for: a new `DELIVERY#` item.
pub fn webhook_job_for(record: &EventRecord) -> Result<Option<WebhookJob>, BoxError> {
    let new = &record.change.new_image;
    if record.event_name != "INSERT" || entity_of(new) != Some(entity::DELIVERY) {
        return Ok(None);
    }
    let d: crate::store::webhooks::Delivery = serde_dynamo::from_item(new.clone())?;
    Ok(Some(WebhookJob { delivery_id: d.id, ticket_id: d.ticket_id }))
}

async fn enqueue(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    if let Some(job) = webhook_job_for(record)? {
        let (sqs, queue) = state.webhook_queue()?;
        sqs.send_message()
            .queue_url(queue)
            .message_body(serde_json::to_string(&job)?)
            .send()
            .await
            .map_err(|e| crate::error::error_chain(&e))?;
        return Ok(());
    }
    let jobs = jobs_for(state, record).await?;
    if jobs.is_empty() {
        return Ok(());
    }
    let (sqs, queue) = state.mail_queue()?;
    // SendMessageBatch takes ten messages at a time.
    for chunk in jobs.chunks(10) {
        let mut batch = sqs.send_message_batch().queue_url(queue);
        for (i, j) in chunk.iter().enumerate() {
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
