//! Email: the queue job, rendering (plain text + HTML, user content escaped) and MIME. The
//! notifier (which events mail whom, on the table's stream) and the mailer (sends each job once
//! through SES v2) are in `consumers`.
pub mod inbound;
pub mod mime;
pub mod render;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// To the requester, when their ticket is created.
    TicketCreated,
    /// To the requester, on each public reply by someone else (an agent).
    AgentReply,
    /// To the requester, when the ticket is solved.
    Solved,
    /// To the new assignee.
    Assigned,
    /// To a new customer: the link that verifies their address (no ticket).
    VerifyEmail,
    /// What a trigger asked for (`notification_id`): its subject and body, for each recipient.
    /// The four kinds above are what the first version's notifier queued; the mailer still
    /// renders them (jobs queued before an upgrade), and the default triggers now send them.
    Notification,
    /// To a user who asked: a single-use link to set a new password (valid one hour).
    ResetPassword,
}

/// One email to send: the queue message body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailJob {
    /// Derived from the stream record and the recipient, so a stream retry makes the same job
    /// and the mailer's idempotency record recognises it.
    pub id: String,
    pub kind: MailKind,
    pub ticket_id: Uuid,
    pub recipient_id: Uuid,
    pub comment_id: Option<Uuid>,
    /// With [`MailKind::Notification`]: the `NOTIFY#` item in the ticket's collection.
    #[serde(default)]
    pub notification_id: Option<Uuid>,
}
