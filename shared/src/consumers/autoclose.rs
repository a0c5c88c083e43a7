//! Auto-close: tickets solved for `AUTO_CLOSE_DAYS` (default 4) become closed, with an audit
//! entry by the system (`agent_id: null`). Found through the status index, never a scan.
use crate::app::ticket_change::{change_ticket, ChangeRequest, ChangeSet};
use crate::app::Actor;
use crate::domain::ticket::{Status, TicketPatch, Via};
use crate::{clock, ApiError, AppState, BoxError};
use time::{Duration, OffsetDateTime};

/// Closes every ticket that has been solved (and untouched) for `days` as of `now`.
/// Returns how many were closed. A ticket changed concurrently is skipped; the next run
/// sees it again if it is still due.
pub async fn close_solved(state: &AppState, days: i64, now: OffsetDateTime) -> Result<usize, BoxError> {
    let cutoff = clock::format(now - Duration::days(days));
    let mut closed = 0;
    loop {
        let due = state.store.solved_before(&cutoff, 100).await?;
        let batch = due.len();
        let mut progressed = false;
        for ticket in due {
            let request = ChangeRequest {
                ticket_id: ticket.id,
                actor: &Actor::System,
                changes: ChangeSet {
                    fields: TicketPatch { status: Some(Status::Closed), ..Default::default() },
                    via: Via::Rule,
                    reason: Some(format!("automatically after {days} days")),
                    ..Default::default()
                },
                // Closes exactly the version found due: if someone touched it meanwhile, it is
                // no longer due (the next run sees it again if it is).
                expected_stamp: Some(ticket.updated_stamp.clone()),
                loaded: Some(ticket),
                receipt: None,
            };
            match change_ticket(state, request).await {
                Ok(_) => {
                    closed += 1;
                    progressed = true;
                }
                Err(ApiError::Conflict(_) | ApiError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        if batch < 100 || !progressed {
            break;
        }
    }
    if closed > 0 {
        tracing::info!(closed, days, "auto-closed solved tickets");
    }
    Ok(closed)
}
