//! The summary report's arithmetic (API.md part 2, `/reports/summary`): what one ticket version
//! (or one rating) adds to the daily aggregates, and the figures a range of days gives.
//!
//! Every figure is counted on the day (UTC) the thing happened: created on the creation day,
//! solved on the solve day (with the resolution time, creation to solve, in whole calendar
//! minutes), reopened when a solved or closed ticket goes back to new, open, pending or on-hold,
//! first reply on the day of the first public staff reply (creation to reply, whole minutes),
//! SLA achieved on the fulfilment day and breached on the breach day (per metric and instance),
//! and each satisfaction rating on its day.
use crate::domain::satisfaction::Rating;
use crate::domain::sla::Stage;
use crate::domain::ticket::{Satisfaction, Status, Ticket};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// What happened on one day, for one scope (the desk, or a group).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayDelta {
    pub created: i64,
    pub solved: i64,
    pub reopened: i64,
    pub first_reply_minutes: Vec<i64>,
    pub resolution_minutes: Vec<i64>,
    /// `("first_reply_time", "achieved")` → n.
    pub sla: BTreeMap<(String, &'static str), i64>,
    pub good: i64,
    pub bad: i64,
}

/// Where aggregates go: every scope an event counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Desk,
    Group(Uuid),
}

impl Scope {
    pub fn key(&self) -> String {
        match self {
            Scope::Desk => "all".to_owned(),
            Scope::Group(g) => g.to_string(),
        }
    }
}

fn scopes(group: Option<Uuid>) -> Vec<Scope> {
    std::iter::once(Scope::Desk).chain(group.map(Scope::Group)).collect()
}

fn minutes(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    ((to - from).whole_seconds() / 60).max(0)
}

fn unsolved(s: Status) -> bool {
    matches!(s, Status::New | Status::Open | Status::Pending | Status::OnHold)
}

/// The deltas one ticket version brings (`old` → `new`; `old` is `None` for a new ticket),
/// by (scope, day).
pub fn ticket_deltas(old: Option<&Ticket>, new: &Ticket) -> BTreeMap<(Scope, Date), DayDelta> {
    let mut out: BTreeMap<(Scope, Date), DayDelta> = BTreeMap::new();
    let mut add = |at: OffsetDateTime, f: &dyn Fn(&mut DayDelta)| {
        for scope in scopes(new.group_id) {
            f(out.entry((scope, at.date())).or_default());
        }
    };
    if old.is_none() {
        add(new.created_at.0, &|d| d.created += 1);
    }
    let was = old.map(|o| o.status);
    let solved_now = new.status == Status::Solved && !matches!(was, Some(Status::Solved | Status::Closed));
    if solved_now {
        let at = new.times.solved_at.unwrap_or(new.updated_at).0;
        let m = minutes(new.created_at.0, at);
        add(at, &|d| {
            d.solved += 1;
            d.resolution_minutes.push(m);
        });
    }
    if matches!(was, Some(Status::Solved | Status::Closed)) && unsolved(new.status) {
        add(new.updated_at.0, &|d| d.reopened += 1);
    }
    if let (None, Some(replied)) = (old.and_then(|o| o.times.replied_at), new.times.replied_at) {
        let m = minutes(new.created_at.0, replied.0);
        add(replied.0, &|d| d.first_reply_minutes.push(m));
    }
    for m in new.sla.iter().flat_map(|s| &s.policy_metrics) {
        let before = old
            .and_then(|o| o.sla.as_ref())
            .and_then(|s| s.policy_metrics.iter().find(|p| p.metric == m.metric && p.instance == m.instance))
            .map(|p| p.stage);
        let key = m.metric.as_str().to_owned();
        match (m.stage, before) {
            (Stage::Breached, b) if b != Some(Stage::Breached) => {
                if let Some(at) = m.breach_at {
                    add(at.0, &|d| *d.sla.entry((key.clone(), "breached")).or_default() += 1);
                }
            }
            (Stage::Achieved, b) if !matches!(b, Some(Stage::Achieved | Stage::Breached)) => {
                if let Some(at) = m.fulfilled_at {
                    add(at.0, &|d| *d.sla.entry((key.clone(), "achieved")).or_default() += 1);
                }
            }
            _ => {}
        }
    }
    out
}

/// What one rating adds.
pub fn rating_deltas(r: &Rating) -> BTreeMap<(Scope, Date), DayDelta> {
    let mut out: BTreeMap<(Scope, Date), DayDelta> = BTreeMap::new();
    for scope in scopes(r.group_id) {
        let d = out.entry((scope, r.created_at.0.date())).or_default();
        match r.score {
            Satisfaction::Good => d.good += 1,
            Satisfaction::Bad => d.bad += 1,
            _ => {}
        }
    }
    out
}

/// Median and 90th percentile by nearest rank (`null` without values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Spread {
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

/// The value at rank ⌈p·n⌉ of the sorted values (nearest-rank percentile).
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

pub fn spread(values: &[i64]) -> Spread {
    let mut v = values.to_vec();
    v.sort_unstable();
    Spread { median: percentile(&v, 0.5), p90: percentile(&v, 0.9) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(spread(&[]), Spread { median: None, p90: None });
        assert_eq!(spread(&[7]), Spread { median: Some(7), p90: Some(7) });
        assert_eq!(spread(&[4, 1, 3, 2]), Spread { median: Some(2), p90: Some(4) });
        let ten: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(spread(&ten), Spread { median: Some(5), p90: Some(9) });
    }
}
