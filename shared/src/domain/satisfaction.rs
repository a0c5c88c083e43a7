//! Satisfaction ratings (API.md part 2; Zendesk's CSAT): the requester rates a solved ticket
//! `good` or `bad`, with an optional comment and reason, as long as it is solved or closed
//! within [`WINDOW_DAYS`] of its solving. Each rating is its own record (so the comment, the
//! reason, and the assignee and group at rating time survive reassignment); the ticket's
//! `satisfaction` follows the latest.
use crate::clock::Timestamp;
use crate::domain::ticket::{Satisfaction, Status, Ticket};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// How long after solving a ticket can be rated (Zendesk's default).
pub const WINDOW_DAYS: i64 = 28;
/// Longest rating comment and reason, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;
pub const MAX_REASON_CHARS: usize = 255;

pub const OUTSIDE_WINDOW: &str =
    "Satisfaction can be rated on a solved ticket, or on a closed one within 28 days of its solving.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rating {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's), from a counter when the rating is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub ticket_id: Uuid,
    pub requester_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    /// `good` or `bad`.
    pub score: Satisfaction,
    pub comment: Option<String>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Whether `t` may be rated at `now`.
pub fn in_window(t: &Ticket, now: OffsetDateTime) -> bool {
    let solved = t.solved_at_or_guess().map(|s| s.0);
    match t.status {
        Status::Solved => true,
        Status::Closed => solved.is_some_and(|s| now < s + time::Duration::days(WINDOW_DAYS)),
        _ => false,
    }
}

/// When a survey link for `t` stops working: the end of the rating window.
pub fn link_expiry(t: &Ticket) -> Option<OffsetDateTime> {
    t.solved_at_or_guess().map(|s| s.0 + time::Duration::days(WINDOW_DAYS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn solved_tickets_and_recently_closed_ones_only() {
        let mut t: Ticket = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "ticket_number": "TKT-000001", "subject": "s", "description": "d",
            "status": "open", "priority": "normal", "satisfaction": "unoffered",
            "requester_id": Uuid::nil(), "assignee_id": null, "organization_id": null,
            "due_date": null, "created_at": "2026-11-01T00:00:00.000Z",
            "updated_at": "2026-11-01T00:00:00.000Z", "updated_stamp": "s",
            "times": {"solved_at": "2026-11-02T00:00:00.000Z"}
        }))
        .unwrap();
        let now = datetime!(2026-11-10 00:00 UTC);
        assert!(!in_window(&t, now), "open");
        t.status = Status::Solved;
        assert!(in_window(&t, datetime!(2027-06-01 00:00 UTC)), "solved: any time");
        t.status = Status::Closed;
        assert!(in_window(&t, datetime!(2026-11-29 23:59 UTC)));
        assert!(!in_window(&t, datetime!(2026-11-30 00:00 UTC)), "28 days after solving");
        assert_eq!(link_expiry(&t), Some(datetime!(2026-11-30 00:00 UTC)));
    }
}
