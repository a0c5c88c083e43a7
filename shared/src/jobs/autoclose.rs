//! Auto-close: tickets solved for `AUTO_CLOSE_DAYS` (default 4) become closed, with an audit
//! entry by the system (`agent_id: null`). Found through the status index, never a scan.
use crate::domain::comment::Change;
use crate::domain::ticket::{Status, TicketPatch};
use crate::store::tickets::change_item;
use crate::store::{TxError, TxWrite};
use crate::{clock, AppState, BoxError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub const DEFAULT_DAYS: i64 = 4;

/// `AUTO_CLOSE_DAYS` from the environment, or the default.
pub fn days_from_env() -> Result<i64, BoxError> {
    match std::env::var("AUTO_CLOSE_DAYS") {
        Ok(v) => v
            .parse::<i64>()
            .ok()
            .filter(|d| *d >= 1)
            .ok_or_else(|| format!("AUTO_CLOSE_DAYS must be a positive number, got {v:?}").into()),
        Err(_) => Ok(DEFAULT_DAYS),
    }
}

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
            let patch = TicketPatch { status: Some(Status::Closed), ..Default::default() };
            let (mut next, changes) = ticket.apply(&patch)?;
            let stamp = clock::format(clock::now());
            next.updated_at = stamp.clone();
            next.updated_stamp = Uuid::now_v7().to_string();
            let mut puts = Vec::new();
            for c in &changes {
                let change = Change {
                    id: Uuid::now_v7(),
                    ticket_id: ticket.id,
                    agent_id: None,
                    field_name: c.field.to_owned(),
                    old_value: c.old.clone(),
                    new_value: c.new.clone(),
                    action: format!("{} (automatically after {days} days)", c.action),
                    created_at: stamp.clone(),
                };
                puts.push(TxWrite::plain(change_item(&change)?));
            }
            match state.store.save_ticket(&ticket, &next, puts).await {
                Ok(()) => {
                    closed += 1;
                    progressed = true;
                }
                Err(TxError::ConditionFailed(_)) => continue,
                Err(TxError::Store(e)) => return Err(e.into()),
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
