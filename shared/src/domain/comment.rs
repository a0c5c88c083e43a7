//! Comments (public replies and internal notes), audit entries and viewers as stored.
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_COMMENT_CHARS: usize = 65_535;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's): the ticket's number × [`COMMENT_SLOTS`] + the
    /// comment's place on the ticket (the description is place 0). Comments written before
    /// numbers have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub ticket_id: Uuid,
    pub author_id: Uuid,
    pub content: String,
    pub is_internal: bool,
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
    /// Where the message it came from is kept (the bucket's `inbound/`), for comments made
    /// from mail: staff can fetch the original.
    #[serde(default)]
    pub mail_key: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Numbers a ticket's comments can take; Zendesk's limit of comments per ticket is below it.
pub const COMMENT_SLOTS: u64 = 10_000;
/// Most comments one ticket takes (Zendesk's limit).
pub const MAX_COMMENTS: u32 = 5_000;

/// The number of comment `place` (1, 2, ...) of ticket number `ticket` (0: the description).
pub fn comment_number(ticket: u64, place: u32) -> u64 {
    ticket * COMMENT_SLOTS + u64::from(place)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// Who made the change (an agent, an admin, a customer rating, or the system).
    pub agent_id: Option<Uuid>,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub action: String,
    /// The channel the change came through (`web`, `mail`, `api`, `macro`, `trigger`,
    /// `automation`); records written before it was kept read as `web`.
    #[serde(default)]
    pub via: crate::domain::ticket::Via,
    /// The trigger or automation that made the change (`via: rule`).
    #[serde(default)]
    pub rule_id: Option<Uuid>,
    #[serde(default)]
    pub rule_title: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub ticket_id: Uuid,
    pub user_id: Uuid,
    pub last_viewed: Timestamp,
}
