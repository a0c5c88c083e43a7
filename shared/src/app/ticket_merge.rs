//! Merging tickets (the Zendesk API's `POST /api/v2/tickets/{id}/merge`): each source ticket
//! gets a comment and is closed, through the one change path (`Mover::Merge` lets it close
//! from any open status); then the target gets a comment. Everything is checked before the
//! first write, so a refused merge writes nothing.
use super::ticket_change::{change_ticket, ChangeRequest, ChangeSet, NewComment};
use super::Actor;
use crate::domain::ticket::{Status, Ticket, TicketPatch, Via};
use crate::{ApiError, AppState};

/// Most tickets merged into one target at a time (Zendesk's limit).
pub const MAX_SOURCES: usize = 5;

/// A merge as asked: the target, the tickets merged into it, and the comment each side gets
/// (`None`: Zendesk's default sentence).
pub struct Merge {
    pub target: Ticket,
    pub sources: Vec<Ticket>,
    pub target_comment: Option<String>,
    pub target_public: bool,
    pub source_comment: Option<String>,
    pub source_public: bool,
}

/// How each ticket of a merge ended: the sources in order, then the target.
pub struct Merged {
    pub results: Vec<(Ticket, Result<(), ApiError>)>,
}

/// Refuses (422 on `ids`) a merge with no source, too many, the target among them, twice the
/// same ticket, or a closed ticket on either side; else writes it.
pub async fn merge(state: &AppState, actor: &Actor, m: Merge) -> Result<Merged, ApiError> {
    let refuse = |message: String| ApiError::invalid("ids", message);
    if m.sources.is_empty() {
        return Err(refuse("Name at least one ticket to merge.".into()));
    }
    if m.sources.len() > MAX_SOURCES {
        return Err(refuse(format!("At most {MAX_SOURCES} tickets can be merged at once.")));
    }
    let mut seen = std::collections::HashSet::new();
    for s in &m.sources {
        if s.id == m.target.id {
            return Err(refuse(format!("{} cannot be merged into itself.", s.ticket_number)));
        }
        if !seen.insert(s.id) {
            return Err(refuse(format!("{} is named twice.", s.ticket_number)));
        }
    }
    for t in m.sources.iter().chain(std::iter::once(&m.target)) {
        if t.status == Status::Closed {
            return Err(refuse(format!("{} is closed and cannot be merged.", t.ticket_number)));
        }
    }
    let numbers: Vec<&str> = m.sources.iter().map(|s| s.ticket_number.as_str()).collect();
    let source_comment = m.source_comment.clone().unwrap_or_else(|| {
        format!("This request was closed and merged into request {}.", m.target.ticket_number)
    });
    let target_comment = m
        .target_comment
        .clone()
        .unwrap_or_else(|| format!("Requests {} were merged into this request.", numbers.join(", ")));
    let comment = |content: &str, public: bool| NewComment {
        content: content.to_owned(),
        is_internal: !public,
        attachments: Vec::new(),
        mail_key: None,
    };
    let mut results = Vec::with_capacity(m.sources.len() + 1);
    for source in m.sources {
        let changes = ChangeSet {
            fields: TicketPatch { status: Some(Status::Closed), ..Default::default() },
            comment: Some(comment(&source_comment, m.source_public)),
            via: Via::Api,
            reason: Some(format!("merged into {}", m.target.ticket_number)),
            merge: true,
            ..Default::default()
        };
        let req = ChangeRequest {
            ticket_id: source.id,
            actor,
            changes,
            expected_stamp: None,
            loaded: Some(source.clone()),
            receipt: None,
        };
        let outcome = change_ticket(state, req).await.and_then(|o| o.applied()).map(|_| ());
        results.push((source, outcome));
    }
    let changes = ChangeSet {
        comment: Some(comment(&target_comment, m.target_public)),
        via: Via::Api,
        ..Default::default()
    };
    let req = ChangeRequest {
        ticket_id: m.target.id,
        actor,
        changes,
        expected_stamp: None,
        loaded: Some(m.target.clone()),
        receipt: None,
    };
    let outcome = change_ticket(state, req).await.and_then(|o| o.applied()).map(|_| ());
    results.push((m.target, outcome));
    Ok(Merged { results })
}
