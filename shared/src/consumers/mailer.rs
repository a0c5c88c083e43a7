//! The mailer: SQS messages (mail jobs) → SES v2, each job sent once. Before sending, a job is
//! claimed with a conditional write (`MAIL#<job id>`); a duplicate delivery finds it sent and
//! does nothing. A failed send releases the claim and reports the message as a batch item
//! failure, so SQS redelivers it (and after the queue's receive count, moves it to the DLQ).
use crate::mail::mime::{self, Message};
use crate::mail::render::{render, render_bare, render_notification, render_verification};
use crate::mail::{MailJob, MailKind};
use crate::store::mail::Claim;
use crate::{clock, AppState, BoxError};
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};

async fn release(state: &AppState, job: &MailJob) {
    if let Err(e) = state.store.release_mail(&job.id).await {
        tracing::warn!(error = %e, job = %job.id, "could not release a mail claim; it expires with its lease");
    }
}

/// Loads what the mail needs and sends it. `Ok(false)` when there is nothing to send (the
/// ticket or recipient is gone, or the recipient opted out).
async fn send(state: &AppState, job: &MailJob) -> Result<bool, BoxError> {
    match job.kind {
        MailKind::VerifyEmail => return send_verification(state, job).await,
        MailKind::Notification => return send_notification(state, job).await,
        MailKind::ResetPassword => return send_reset(state, job).await,
        _ => {}
    }
    let Some(ticket) = state.store.get_ticket(job.ticket_id).await? else { return Ok(false) };
    let Some(recipient) = state.store.get_user(job.recipient_id).await?.map(|r| r.user) else {
        return Ok(false);
    };
    if !recipient.notify_email {
        return Ok(false);
    }
    let comment = match (job.kind, job.comment_id) {
        (MailKind::AgentReply, Some(id)) => {
            let Some(c) = state.store.comment(job.ticket_id, id).await? else { return Ok(false) };
            if c.is_internal {
                return Ok(false); // never, even if a job says so
            }
            let Some(author) = state.store.get_user(c.author_id).await?.map(|r| r.user) else {
                return Ok(false);
            };
            Some((c, author))
        }
        (MailKind::AgentReply, None) => return Ok(false),
        _ => None,
    };
    let mail = state.mailer()?;
    // An address nobody has confirmed gets no text written by users (names, subjects,
    // comments): sign-up must not relay a stranger's words to a stranger's inbox.
    let rendered = if recipient.email_verified {
        render(job.kind, &ticket, &recipient, comment.as_ref().map(|(c, a)| (c, a)), &mail.frontend_url)
    } else {
        render_bare(&ticket, &mail.frontend_url)
    };
    let reply_to = mail.reply_to(&ticket.ticket_number, &state.links);
    deliver(state, job, &recipient.email, &reply_to, &rendered).await?;
    tracing::info!(job = %job.id, kind = ?job.kind, ticket = %ticket.ticket_number, "mail sent");
    Ok(true)
}

/// A trigger's notification to one recipient: its templates filled for this ticket now. An
/// internal note is never quoted: `{{ticket.latest_public_comment}}` is the update's public
/// comment, or the newest public one.
async fn send_notification(state: &AppState, job: &MailJob) -> Result<bool, BoxError> {
    use crate::domain::actions::{expand, Context};
    let Some(id) = job.notification_id else { return Ok(false) };
    let Some(n) = state.store.notification(job.ticket_id, id).await? else { return Ok(false) };
    let Some(ticket) = state.store.get_ticket(job.ticket_id).await? else { return Ok(false) };
    let Some(recipient) = state.store.get_user(job.recipient_id).await?.map(|r| r.user) else {
        return Ok(false);
    };
    if !recipient.notify_email {
        return Ok(false);
    }
    let mail = state.mailer()?;
    let rendered = if recipient.email_verified {
        let names = state.store.names_for([&ticket], n.actor_id).await?;
        let wants_comment =
            n.subject.contains("latest_public_comment") || n.body.contains("latest_public_comment");
        let comment = match (wants_comment, n.comment_id) {
            (false, _) => None,
            (true, Some(c)) => state.store.comment(ticket.id, c).await?.filter(|c| !c.is_internal),
            (true, None) => state.store.latest_public_comment(ticket.id).await?,
        };
        let url = format!("{}/tickets/{}", mail.frontend_url.trim_end_matches('/'), ticket.ticket_number);
        // The survey link carries a token for the requester alone: never in anyone else's mail.
        let survey = (recipient.id == ticket.requester_id)
            .then(|| crate::app::satisfaction::survey_token(&state.links, &ticket))
            .flatten()
            .map(|token| format!("{url}/satisfaction?token={token}"));
        let cx = Context {
            ticket: &ticket,
            requester: names.users.get(&ticket.requester_id),
            assignee: ticket.assignee_id.and_then(|a| names.users.get(&a)),
            group_name: ticket.group_id.and_then(|g| names.groups.get(&g)).map(|g| g.name.as_str()),
            current_user: n.actor_id.and_then(|a| names.users.get(&a)),
            url: Some(&url),
            latest_public_comment: comment.as_ref().map(|c| c.content.as_str()),
            satisfaction_url: survey.as_deref(),
        };
        render_notification(
            &expand(&n.subject, &cx),
            &expand(&n.body, &cx),
            &ticket,
            &recipient,
            &mail.frontend_url,
        )
    } else {
        render_bare(&ticket, &mail.frontend_url)
    };
    let reply_to = mail.reply_to(&ticket.ticket_number, &state.links);
    deliver(state, job, &recipient.email, &reply_to, &rendered).await?;
    tracing::info!(job = %job.id, rule = %n.rule_id, ticket = %ticket.ticket_number, "notification sent");
    Ok(true)
}

/// The password-reset mail: a link bound to the current password (spent once a new one is set).
async fn send_reset(state: &AppState, job: &MailJob) -> Result<bool, BoxError> {
    use crate::auth::link::{reset_binding, Purpose, RESET_PASSWORD_TTL_SECONDS};
    let Some(record) = state.store.get_user(job.recipient_id).await? else { return Ok(false) };
    let mail = state.mailer()?;
    let expires = clock::now().unix_timestamp() + RESET_PASSWORD_TTL_SECONDS;
    let binding = reset_binding(&record.email_lower, &record.password_hash);
    let token = state.links.issue(Purpose::ResetPassword, record.user.id, &binding, expires);
    let rendered = crate::mail::render::render_reset(&token, &mail.frontend_url);
    deliver(state, job, &record.user.email, &mail.sender, &rendered).await?;
    tracing::info!(job = %job.id, user = %record.user.id, "password reset mail sent");
    Ok(true)
}

/// The sign-up mail: a link that verifies the address, valid seven days. Nothing to send once
/// the address is verified.
async fn send_verification(state: &AppState, job: &MailJob) -> Result<bool, BoxError> {
    use crate::auth::link::{Purpose, VERIFY_EMAIL_TTL_SECONDS};
    let Some(record) = state.store.get_user(job.recipient_id).await? else { return Ok(false) };
    if record.user.email_verified {
        return Ok(false);
    }
    let mail = state.mailer()?;
    let expires = clock::now().unix_timestamp() + VERIFY_EMAIL_TTL_SECONDS;
    let token = state.links.issue(Purpose::VerifyEmail, record.user.id, &record.email_lower, expires);
    let rendered = render_verification(&token, &mail.frontend_url);
    deliver(state, job, &record.user.email, &mail.sender, &rendered).await?;
    tracing::info!(job = %job.id, user = %record.user.id, "verification mail sent");
    Ok(true)
}

/// One MIME message through SES v2.
async fn deliver(
    state: &AppState,
    job: &MailJob,
    to: &str,
    reply_to: &str,
    rendered: &crate::mail::render::Rendered,
) -> Result<(), BoxError> {
    let mail = state.mailer()?;
    let date =
        clock::now().format(&time::format_description::well_known::Rfc2822).map_err(|e| e.to_string())?;
    let message_id = format!("{}@helpdesk", job.id.replace([':', '/'], "."));
    let raw = mime::write(&Message {
        from: &mail.sender,
        to,
        reply_to,
        subject: &rendered.subject,
        text: &rendered.text,
        html: &rendered.html,
        date: &date,
        message_id: &message_id,
    });
    use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
    let ticket_id = job.ticket_id;
    mail.ses
        .send_email()
        .from_email_address(&mail.sender)
        .destination(Destination::builder().to_addresses(to).build())
        .reply_to_addresses(reply_to)
        .content(
            EmailContent::builder()
                .raw(RawMessage::builder().data(aws_sdk_sesv2::primitives::Blob::new(raw)).build()?)
                .build(),
        )
        .send()
        .await
        .map_err(|e| crate::error::error_chain(&e))?;
    // Replies name this Message-ID in In-Reply-To / References: remember its ticket.
    if !ticket_id.is_nil() {
        if let Err(e) = state.store.record_message_id(&message_id, ticket_id).await {
            tracing::warn!(error = %e, "could not record a sent Message-ID; replies thread by address");
        }
    }
    Ok(())
}

async fn process(state: &AppState, message: &SqsMessage) -> Result<(), BoxError> {
    let job: MailJob = match serde_json::from_str(message.body.as_deref().unwrap_or("")) {
        Ok(job) => job,
        Err(e) => return Err(format!("not a mail job: {e}").into()),
    };
    match state.store.claim_mail(&job.id, clock::now().unix_timestamp()).await? {
        Claim::Done => return Ok(()),
        Claim::Busy => return Err("another worker is sending this job".into()),
        Claim::Ours => {}
    }
    match send(state, &job).await {
        Ok(sent) => Ok(state.store.finish_mail(&job.id, if sent { "sent" } else { "skipped" }).await?),
        Err(e) => {
            release(state, &job).await;
            Err(e)
        }
    }
}

/// Exponential backoff for a failed job: the message stays hidden for base × 2^(receives − 1)
/// seconds (at most 15 minutes) before SQS delivers it again. The webhook delivery uses it too.
pub(crate) async fn back_off(
    state: &AppState,
    queue: Result<(&aws_sdk_sqs::Client, &str), BoxError>,
    message: &SqsMessage,
) {
    let (Ok((sqs, queue)), Some(handle)) = (queue, message.receipt_handle.as_deref()) else {
        return;
    };
    let receives: u32 =
        message.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
    let delay = state
        .config
        .mail_retry_base_seconds
        .saturating_mul(1 << receives.clamp(1, 8).saturating_sub(1))
        .min(900);
    if let Err(e) = sqs
        .change_message_visibility()
        .queue_url(queue)
        .receipt_handle(handle)
        .visibility_timeout(delay as i32)
        .send()
        .await
    {
        tracing::warn!(error = %crate::error::error_chain(&e), "could not delay the retry; the queue's visibility timeout applies");
    }
}

/// The Lambda handler's body: every message on its own; failures are reported by message id.
pub async fn handle(state: &AppState, event: &SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        if let Err(e) = process(state, message).await {
            tracing::error!(error = %e, message = ?message.message_id, "mail job failed; the queue will retry it");
            back_off(state, state.mail_queue(), message).await;
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}
