//! Mail in (API.md part 2, "Email in"): one received message → a comment on its ticket, a new
//! ticket, suspended mail, or nothing, through the same change path as the web (`via: email`).
//!
//! Threading: a recipient `reply+<number>.<tag>@<receiving domain>` whose tag verifies names
//! the ticket (a wrong tag is suspended); else a Message-ID the desk sent, named by
//! `In-Reply-To` / `References`; else a new ticket. Who writes: a known sender is that user; an
//! unknown one becomes a customer without a password (the reset flow gives them one). A reply
//! from someone who is neither the requester nor staff, failed SPF/DKIM/DMARC or a spam or
//! virus verdict, or a bad reply signature is suspended. Automatic mail (auto-replies, bulk,
//! bounces) and mail from our own addresses are dropped. The same Message-ID twice makes one
//! comment or ticket (a marker written in the same transaction).
use super::ticket_change::{change_ticket, ChangeRequest, ChangeSet, NewComment, Outcome};
use super::ticket_create::{open_ticket, NewTicket, OpenOutcome};
use super::Actor;
use crate::clock::{self, Timestamp};
use crate::domain::ticket::{Description, Status, Subject, TicketNumber, TicketPatch, Via};
use crate::domain::user::{Role, User};
use crate::mail::inbound::{self, Inbound, MAX_MESSAGE_BYTES};
use crate::store::keys::{self, entity};
use crate::store::users::UserRecord;
use crate::store::{Guard, TxWrite};
use crate::{ApiError, AppState};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What became of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Comment {
        ticket_id: Uuid,
    },
    Ticket {
        ticket_id: Uuid,
    },
    /// A follow-up ticket to a closed one.
    FollowUp {
        ticket_id: Uuid,
        closed: Uuid,
    },
    /// This Message-ID was received before.
    Duplicate,
    Dropped(&'static str),
    Suspended {
        id: Uuid,
        reason: String,
    },
}

/// Where a suspended message is kept until staff recover or delete it (14 days).
pub const SUSPENDED_TTL_SECS: i64 = 14 * 86_400;

/// The marker that makes a Message-ID count once (written with the comment or ticket).
fn dedupe_write(m: &Inbound, raw: &[u8]) -> Result<TxWrite, ApiError> {
    let basis = match &m.message_id {
        Some(id) => Sha256::digest(id.to_lowercase().as_bytes()),
        None => Sha256::digest(raw),
    };
    let hash: String = basis.iter().map(|b| format!("{b:02x}")).collect();
    let item = keys::ItemKeys::new(entity::INBOUND, keys::inbound_pk(&hash), keys::INBOUND_SK)
        .ttl(clock::now().unix_timestamp() + 90 * 86_400)
        .with(&serde_json::json!({"message_id": m.message_id}))
        .map_err(crate::store::StoreError::from)?;
    Ok(TxWrite::new_only_as(Guard::IdempotencyReplay, item))
}

/// The ticket number a reply address names, if its tag verifies: `Ok(None)` for other
/// addresses, `Err` for a reply address with a wrong tag.
fn reply_number(state: &AppState, address: &str, domain: &str) -> Result<Option<TicketNumber>, ()> {
    let Some(local) = address.strip_suffix(&format!("@{domain}")) else { return Ok(None) };
    let Some(rest) = local.strip_prefix("reply+") else { return Ok(None) };
    let (number, tag) = rest.rsplit_once('.').ok_or(())?;
    let parsed = TicketNumber::parse(&number.to_uppercase()).ok_or(())?;
    if state.links.reply_tag(&number.to_uppercase()) == tag {
        Ok(Some(parsed))
    } else {
        Err(())
    }
}

/// Keeps a message for staff to recover or delete.
async fn suspend(
    state: &AppState,
    m: &Inbound,
    raw_key: Option<&str>,
    reason: &str,
    ticket_id: Option<Uuid>,
) -> Result<Received, ApiError> {
    let id = Uuid::now_v7();
    state
        .store
        .put_suspended(&crate::store::inbound::Suspended {
            id,
            from: m.from.clone(),
            from_name: m.from_name.clone(),
            subject: m.subject.clone(),
            text: m.text.clone(),
            message_id: m.message_id.clone(),
            reason: reason.to_owned(),
            ticket_id,
            raw_key: raw_key.map(str::to_owned),
            created_at: Timestamp::now(),
        })
        .await?;
    tracing::info!(%id, reason, "mail suspended");
    Ok(Received::Suspended { id, reason: reason.to_owned() })
}

/// The sender's account, made (a customer without a password) when the address has none.
async fn sender(state: &AppState, m: &Inbound) -> Result<User, ApiError> {
    if let Some(r) = state.store.user_by_email(&m.from).await? {
        return Ok(r.user);
    }
    let email = crate::domain::user::Email::parse(&m.from).map_err(|e| ApiError::invalid("from", e))?;
    let name = m
        .from_name
        .clone()
        .filter(|n| crate::domain::user::PersonName::parse(n).is_ok())
        .unwrap_or_else(|| m.from.split('@').next().unwrap_or("Customer").to_owned());
    let now = clock::format(clock::now());
    let mut record = UserRecord {
        user: User {
            id: Uuid::now_v7(),
            number: None,
            name,
            email: email.as_str().to_owned(),
            role: Role::Customer,
            avatar_url: None,
            organization_id: None,
            notify_email: true,
            email_verified: false,
            last_seen: None,
            created_at: crate::clock::Timestamp::stored(&now),
            updated_at: crate::clock::Timestamp::stored(&now),
        },
        email_lower: email.normalized(),
        // No password: sign-in is refused until the reset flow sets one.
        password_hash: String::new(),
        session_epoch: 0,
    };
    match state.store.create_user(&mut record, None).await {
        Ok(()) => Ok(record.user),
        // Another message from the same new sender won the race.
        Err(_) => state.store.user_by_email(&m.from).await?.map(|r| r.user).ok_or(ApiError::NotFound),
    }
}

fn text_or_placeholder(m: &Inbound) -> String {
    if m.text.trim().is_empty() {
        "(no text)".to_owned()
    } else {
        m.text.clone()
    }
}

/// A new ticket from a message (or a follow-up of a closed one).
async fn new_ticket(
    state: &AppState,
    m: &Inbound,
    raw: &[u8],
    author: &User,
    follow_up_of: Option<&crate::domain::ticket::Ticket>,
    mail_key: Option<&str>,
) -> Result<Option<Uuid>, ApiError> {
    let subject_text =
        if m.subject.is_empty() { "(no subject)".to_owned() } else { m.subject.chars().take(255).collect() };
    let mut description = text_or_placeholder(m);
    if let Some(closed) = follow_up_of {
        description = format!("{description}\n\n(Follow-up to {}, which is closed.)", closed.ticket_number);
    }
    let new = NewTicket {
        subject: Subject::parse(&subject_text).map_err(|e| ApiError::invalid("subject", e))?,
        description: Description::parse(&description).map_err(|e| ApiError::invalid("description", e))?,
        fields: TicketPatch::default(),
        follow_up_of: follow_up_of.map(|t| t.id),
        mail_key: mail_key.map(str::to_owned),
    };
    let receipt = |_: &super::ticket_change::Applied| -> Result<Vec<TxWrite>, ApiError> {
        Ok(vec![dedupe_write(m, raw)?])
    };
    let actor = Actor::user(author.id, author.role);
    match open_ticket(state, &actor, author.organization_id, &new, Via::Email, Some(&receipt)).await? {
        OpenOutcome::Opened(o) => {
            attach_to_new_ticket(state, m, &o.ticket, author, &actor, mail_key).await?;
            Ok(Some(o.ticket.id))
        }
        OpenOutcome::Replay => Ok(None),
    }
}

/// Puts a reply's files in the bucket as pending attachments of the ticket (the comment's
/// transaction links them, as for uploads). Files over the upload limit, or whose type or name
/// the upload rules refuse, are left out.
async fn store_attachments(
    state: &AppState,
    m: &Inbound,
    ticket_id: Uuid,
    author: Uuid,
) -> Result<Vec<crate::domain::attachment::Attachment>, ApiError> {
    use crate::domain::attachment::{parse_filename, parse_mime_type, storage_name, Attachment};
    let mut out = Vec::new();
    if m.attachments.is_empty() {
        return Ok(out);
    }
    let objects = state.objects()?;
    let now = clock::now();
    for part in &m.attachments {
        let (Ok(filename), Ok(mime_type)) =
            (parse_filename(&part.filename), parse_mime_type(&part.mime_type))
        else {
            tracing::info!(filename = %part.filename, "attachment of received mail refused by the upload rules");
            continue;
        };
        if part.bytes.len() as u64 > state.config.max_attachment_bytes || part.bytes.is_empty() {
            continue;
        }
        let id = Uuid::now_v7();
        let attachment = Attachment {
            id,
            ticket_id,
            comment_id: None,
            object_key: format!("attachments/{ticket_id}/{id}/{}", storage_name(&filename)),
            filename,
            file_size: part.bytes.len() as u64,
            mime_type,
            uploaded_by: author,
            created_at: clock::Timestamp(now),
        };
        objects
            .put(&attachment.object_key, &attachment.mime_type, part.bytes.clone().into())
            .await
            .map_err(ApiError::internal)?;
        state.store.put_pending_attachment(&attachment, now.unix_timestamp()).await?;
        out.push(attachment);
    }
    Ok(out)
}

/// The files of a message that opened a ticket: a public comment by the sender carries them
/// (the description has no attachments of its own), through the change path.
async fn attach_to_new_ticket(
    state: &AppState,
    m: &Inbound,
    ticket: &crate::domain::ticket::Ticket,
    author: &User,
    actor: &Actor,
    mail_key: Option<&str>,
) -> Result<(), ApiError> {
    let attachments = store_attachments(state, m, ticket.id, author.id).await?;
    if attachments.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = attachments.iter().map(|a| a.filename.as_str()).collect();
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor,
        changes: ChangeSet {
            comment: Some(NewComment {
                content: format!("Files sent with this request: {}", names.join(", ")),
                is_internal: false,
                attachments,
                mail_key: mail_key.map(str::to_owned),
            }),
            via: Via::Email,
            ..Default::default()
        },
        expected_stamp: None,
        loaded: Some(ticket.clone()),
        receipt: None,
    };
    change_ticket(state, request).await?;
    Ok(())
}

/// Handles one received message. `raw_key` is where the raw message is kept (S3), for staff.
pub async fn receive(state: &AppState, raw: &[u8], raw_key: Option<&str>) -> Result<Received, ApiError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Ok(Received::Dropped("larger than the desk takes"));
    }
    let Some(m) = inbound::parse(raw) else { return Ok(Received::Dropped("not a mail message")) };
    let domain = state.config.receiving_domain();
    if state.config.is_our_address(&m.from) {
        return Ok(Received::Dropped("from our own address (a loop)"));
    }
    if m.automatic {
        return Ok(Received::Dropped("automatic mail (auto-reply, bulk or bounce)"));
    }
    // Per-sender rate limit (a mail loop with a stranger, a flood).
    let limit = state.config.limits.mail_per_sender;
    let now = clock::now().unix_timestamp();
    let start = now - now.rem_euclid(limit.window_seconds);
    if state.store.throttle_hit("mail-sender", &m.from, start, start + limit.window_seconds).await?
        > limit.max
    {
        return Ok(Received::Dropped("too many messages from this sender"));
    }
    if !m.failed_checks.is_empty() {
        return suspend(state, &m, raw_key, &format!("failed checks: {}", m.failed_checks.join(", ")), None)
            .await;
    }
    // The ticket: a signed reply address, then a Message-ID we sent.
    let mut ticket_id = None;
    for address in &m.to {
        match reply_number(state, address, &domain) {
            Ok(Some(n)) => {
                ticket_id = state.store.ticket_id_by_number(n.0).await?;
                break;
            }
            Ok(None) => {}
            Err(()) => return suspend(state, &m, raw_key, "bad reply signature", None).await,
        }
    }
    if ticket_id.is_none() {
        for id in &m.thread {
            if let Some(t) = state.store.ticket_of_message_id(id).await? {
                ticket_id = Some(t);
                break;
            }
        }
    }
    let ticket = match ticket_id {
        Some(id) => state.store.get_ticket(id).await?,
        None => None,
    };
    let Some(ticket) = ticket else {
        let author = sender(state, &m).await?;
        return Ok(match new_ticket(state, &m, raw, &author, None, raw_key).await? {
            Some(ticket_id) => Received::Ticket { ticket_id },
            None => Received::Duplicate,
        });
    };
    let author = state.store.user_by_email(&m.from).await?.map(|r| r.user);
    let allowed = author.as_ref().is_some_and(|u| u.id == ticket.requester_id || u.role.is_staff());
    let Some(author) = author.filter(|_| allowed) else {
        return suspend(state, &m, raw_key, "the sender is neither the requester nor staff", Some(ticket.id))
            .await;
    };
    if ticket.status == Status::Closed {
        return Ok(match new_ticket(state, &m, raw, &author, Some(&ticket), raw_key).await? {
            Some(id) => Received::FollowUp { ticket_id: id, closed: ticket.id },
            None => Received::Duplicate,
        });
    }
    let receipt = |_: &super::ticket_change::Applied| -> Result<Vec<TxWrite>, ApiError> {
        Ok(vec![dedupe_write(&m, raw)?])
    };
    let actor = Actor::user(author.id, author.role);
    let attachments = store_attachments(state, &m, ticket.id, author.id).await?;
    let request = ChangeRequest {
        ticket_id: ticket.id,
        actor: &actor,
        changes: ChangeSet {
            comment: Some(NewComment {
                content: text_or_placeholder(&m),
                is_internal: false,
                attachments,
                mail_key: raw_key.map(str::to_owned),
            }),
            via: Via::Email,
            ..Default::default()
        },
        expected_stamp: None,
        loaded: Some(ticket.clone()),
        receipt: Some(&receipt),
    };
    Ok(match change_ticket(state, request).await? {
        Outcome::Applied(_) => Received::Comment { ticket_id: ticket.id },
        Outcome::Replay => Received::Duplicate,
    })
}

/// What recovering a suspended message made.
#[derive(Debug, Clone, PartialEq)]
pub enum Recovered {
    /// A public comment on the ticket the message replied to, posted by the recovering staff
    /// member and quoting the sender (a third party cannot author a comment on someone else's
    /// ticket).
    Comment { ticket_id: Uuid, comment_id: Uuid },
    /// A new ticket with the sender as requester (made a customer if unknown).
    Ticket { ticket_id: Uuid },
}

/// Puts a suspended message where staff decide it belongs, then forgets it.
pub async fn recover(
    state: &AppState,
    staff: &Actor,
    s: &crate::store::inbound::Suspended,
) -> Result<Recovered, ApiError> {
    let ticket = match s.ticket_id {
        Some(id) => state.store.get_ticket(id).await?.filter(|t| t.status != Status::Closed),
        None => None,
    };
    let m = Inbound {
        from: s.from.clone(),
        from_name: s.from_name.clone(),
        to: Vec::new(),
        subject: s.subject.clone(),
        message_id: s.message_id.clone(),
        thread: Vec::new(),
        automatic: false,
        failed_checks: Vec::new(),
        text: s.text.clone(),
        attachments: Vec::new(),
    };
    let recovered = match ticket {
        Some(ticket) => {
            let who = s.from_name.as_deref().map_or_else(|| s.from.clone(), |n| format!("{n} <{}>", s.from));
            let request = ChangeRequest {
                ticket_id: ticket.id,
                actor: staff,
                changes: ChangeSet {
                    comment: Some(NewComment {
                        content: format!("{who} wrote:\n\n{}", text_or_placeholder(&m)),
                        is_internal: false,
                        attachments: Vec::new(),
                        mail_key: s.raw_key.clone(),
                    }),
                    via: Via::Email,
                    ..Default::default()
                },
                expected_stamp: None,
                loaded: Some(ticket.clone()),
                receipt: None,
            };
            let applied = change_ticket(state, request).await?.applied()?;
            let comment_id = applied
                .comment
                .map(|c| c.id)
                .ok_or_else(|| ApiError::internal("the comment was not made"))?;
            Recovered::Comment { ticket_id: ticket.id, comment_id }
        }
        None => {
            let author = sender(state, &m).await?;
            let id = new_ticket(state, &m, s.id.as_bytes(), &author, None, s.raw_key.as_deref())
                .await?
                .ok_or_else(|| ApiError::Conflict("This message was already made into a ticket.".into()))?;
            Recovered::Ticket { ticket_id: id }
        }
    };
    state.store.delete_suspended(s.id).await?;
    Ok(recovered)
}
