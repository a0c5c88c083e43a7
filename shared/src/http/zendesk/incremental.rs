//! Incremental ticket exports (admins): `/api/v2/incremental/tickets/cursor` (`start_time`,
//! then `cursor`; `after_url` until `end_of_stream`) and the time-based
//! `/api/v2/incremental/tickets?start_time=` (`next_page` with the last `end_time`). Oldest
//! update first, from the status partitions' time order (no Scan): six Queries a page.
use super::shapes::{self, Refs};
use super::{base_url, ZdCaller, ZdError, ZdResult};
use crate::clock::{self, Timestamp};
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::keys;
use crate::AppState;
use axum::extract::State;
use http::HeaderMap;
use serde_json::json;
use time::OffsetDateTime;

/// Most tickets a page holds (Zendesk's limit; its default).
pub const MAX_PER_PAGE: usize = 1_000;

const SCOPE: &str = "zd-incremental-tickets";

fn per_page(params: &Params) -> Result<usize, ZdError> {
    match params.present("per_page") {
        None => Ok(MAX_PER_PAGE),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or_else(|| ZdError::bad_request(format!("per_page must be between 1 and {MAX_PER_PAGE}"))),
    }
}

/// The position just before every ticket updated at or after `start_time` (unix seconds);
/// a start before 1970 or in the future is a 400, as Zendesk's.
fn start_position(params: &Params) -> Result<String, ZdError> {
    let raw = params.one("start_time").ok_or_else(|| ZdError::bad_request("start_time is required"))?;
    let start = raw
        .parse::<i64>()
        .ok()
        .filter(|s| *s >= 0)
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| ZdError::bad_request("start_time must be a unix time in seconds"))?;
    if start > clock::now() {
        return Err(ZdError::bad_request("start_time is in the future"));
    }
    // `<updated_at>#<id>`; "#" sorts before any id, so `<start>` itself is included.
    Ok(format!("{}", Timestamp(start - time::Duration::milliseconds(1))) + "#~")
}

async fn page(
    state: &AppState,
    position: &str,
    limit: usize,
    base: &str,
) -> Result<(Vec<serde_json::Value>, Option<String>, bool), ZdError> {
    let (tickets, more) = state.store.tickets_updated_after(position, limit).await?;
    let refs = Refs::of(state, &tickets, []).await?;
    let last = tickets.last().map(|t| keys::ticket_sort(t.updated_at, t.id));
    Ok((tickets.iter().map(|t| shapes::ticket(t, &refs, base, true)).collect(), last, more))
}

/// `GET /api/v2/incremental/tickets/cursor`.
pub async fn cursor(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    caller.require_admin()?;
    let limit = per_page(&params)?;
    let position = match params.one("cursor") {
        Some(c) => state.cursors.decode(SCOPE, &c).map_err(|_| ZdError::bad_request("cursor is invalid"))?,
        None => start_position(&params)?,
    };
    let base = base_url(&headers);
    let (tickets, last, more) = page(&state, &position, limit, &base).await?;
    // The cursor always moves to where this page ended (or stays), so a finished export can
    // be resumed later from `after_cursor`.
    let after_cursor = state.cursors.encode(SCOPE, &last.unwrap_or(position));
    let after_url = format!(
        "{base}/api/v2/incremental/tickets/cursor.json?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("cursor", &after_cursor)
            .append_pair("per_page", &limit.to_string())
            .finish()
    );
    let count = tickets.len();
    Ok(super::ok(&json!({
        "tickets": tickets,
        "after_url": after_url,
        "after_cursor": after_cursor,
        "before_url": null,
        "before_cursor": null,
        "end_of_stream": !more,
        "count": count,
    })))
}

/// `GET /api/v2/incremental/tickets?start_time=`.
pub async fn time_based(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    caller.require_admin()?;
    let limit = per_page(&params)?;
    let position = start_position(&params)?;
    let base = base_url(&headers);
    let (tickets, last, more) = page(&state, &position, limit, &base).await?;
    let end_time = match &last {
        Some(sort) => {
            sort.split('#').next().and_then(clock::parse).map(|t| t.unix_timestamp()).unwrap_or_default()
        }
        None => params.one("start_time").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default(),
    };
    let next_page = format!("{base}/api/v2/incremental/tickets.json?start_time={end_time}&per_page={limit}");
    let count = tickets.len();
    Ok(super::ok(&json!({
        "tickets": tickets,
        "next_page": next_page,
        "end_time": end_time,
        "end_of_stream": !more,
        "count": count,
    })))
}
