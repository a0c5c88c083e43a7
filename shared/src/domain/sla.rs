//! SLA policies (API.md part 2): which tickets a policy covers (a filter in the ticket
//! conditions dialect, first matching policy by position), the targets it sets per priority,
//! and each ticket's metric clocks ([`TicketSla`], advanced by [`advance`] on every change).
//!
//! The clocks, per metric (Zendesk's meanings; docs/sla.md):
//! - first reply: from creation until the first public staff reply;
//! - next reply: from the oldest unanswered public requester message until a public staff
//!   reply, only once the first reply is fulfilled (a new instance per such message);
//! - requester wait: from creation until solved, paused while pending;
//! - resolution: from creation until solved.
//!
//! Solving (or closing) ends every clock; reopening resumes requester wait and resolution with
//! the time they had consumed. A running clock past its `breach_at` is breached exactly once per
//! (metric, instance): [`advance`] reports it and the stage stays `breached`.
use crate::clock::Timestamp;
use crate::domain::schedules::Hours;
use crate::domain::ticket::{Priority, Status, Ticket};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

crate::domain::ticket::string_enum!(Metric {
    FirstReplyTime => "first_reply_time",
    NextReplyTime => "next_reply_time",
    RequesterWaitTime => "requester_wait_time",
    ResolutionTime => "resolution_time",
});

/// Policies a desk may have: every ticket change reads them all (one Query page).
pub const MAX_POLICIES: usize = 100;

/// Longest target: a year, in minutes.
pub const MAX_TARGET_MINUTES: u32 = 525_600;

/// One target of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyMetric {
    pub priority: Priority,
    pub metric: Metric,
    /// Minutes, 1 to 525600.
    #[schema(minimum = 1, maximum = 525600)]
    pub target: u32,
    /// Counted in the policy's schedule (which it then needs) or in calendar minutes.
    pub business_hours: bool,
}

/// Parses `policy_metrics`: a list of targets, at most one per (priority, metric).
pub fn parse_metrics(raw: &serde_json::Value) -> Result<Vec<PolicyMetric>, String> {
    let items = raw.as_array().ok_or("The policy metrics field must be an array.")?;
    if items.len() > Priority::ALL.len() * Metric::ALL.len() {
        return Err("A policy has at most one target per priority and metric.".into());
    }
    let mut out: Vec<PolicyMetric> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let bad = || {
            format!(
                "policy_metrics.{n} needs priority ({}), metric ({}), target (minutes, 1 to {MAX_TARGET_MINUTES}) and business_hours (true or false).",
                Priority::choices(),
                Metric::choices()
            )
        };
        let priority =
            item.get("priority").and_then(|v| v.as_str()).and_then(Priority::parse).ok_or_else(bad)?;
        let metric = item.get("metric").and_then(|v| v.as_str()).and_then(Metric::parse).ok_or_else(bad)?;
        let target = item
            .get("target")
            .and_then(|v| v.as_u64())
            .filter(|t| (1..=u64::from(MAX_TARGET_MINUTES)).contains(t))
            .ok_or_else(bad)? as u32;
        let business_hours = item.get("business_hours").and_then(|v| v.as_bool()).ok_or_else(bad)?;
        if out.iter().any(|m| m.priority == priority && m.metric == metric) {
            return Err(format!("policy_metrics.{n} repeats {} for {}.", metric.as_str(), priority.as_str()));
        }
        out.push(PolicyMetric { priority, metric, target, business_hours });
    }
    Ok(out)
}

crate::domain::ticket::string_enum!(Stage {
    Active => "active",
    Paused => "paused",
    Achieved => "achieved",
    Breached => "breached",
});

/// The policy a ticket's clocks follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyRef {
    pub id: Uuid,
    pub title: String,
}

/// One metric's clock on one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetricState {
    pub metric: Metric,
    /// 1 for the first clock of this metric on the ticket; next reply counts up per message.
    pub instance: u32,
    pub stage: Stage,
    /// Minutes, as the policy sets them for the ticket's priority.
    pub target: u32,
    pub business_hours: bool,
    /// When the target is (or was) missed while the clock runs; none while paused or once
    /// fulfilled in time.
    pub breach_at: Option<Timestamp>,
    pub fulfilled_at: Option<Timestamp>,
    /// Milliseconds counted before the current running span (in the metric's clock).
    pub consumed_ms: i64,
    /// Where the current running span began; none while paused or ended.
    pub running_since: Option<Timestamp>,
    /// Where this instance began.
    pub started_at: Timestamp,
}

/// A ticket's SLA: the policy that applies and its clocks (API.md: `slas`, staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketSla {
    pub policy: PolicyRef,
    pub policy_metrics: Vec<MetricState>,
}

impl TicketSla {
    /// The earliest `breach_at` of a running clock, breached ones included (then in the past:
    /// "hours until next breach" goes negative, as in Zendesk).
    pub fn next_breach_at(&self) -> Option<Timestamp> {
        self.policy_metrics.iter().filter(|m| m.running_since.is_some()).filter_map(|m| m.breach_at).min()
    }

    /// The earliest breach still to be recorded: what the breach timer waits for.
    pub fn pending_breach_at(&self) -> Option<Timestamp> {
        self.policy_metrics
            .iter()
            .filter(|m| m.running_since.is_some() && m.stage != Stage::Breached)
            .filter_map(|m| m.breach_at)
            .min()
    }
}

/// The targets that apply to a ticket now: the first matching policy's, for its priority.
#[derive(Debug, Clone)]
pub struct Applicable<'a> {
    pub policy: PolicyRef,
    pub targets: Vec<PolicyMetric>,
    /// The policy's schedule (business-hours targets count in calendar time without one).
    pub hours: Option<&'a Hours>,
}

impl<'a> Applicable<'a> {
    pub fn new(
        policy: PolicyRef,
        all: &[PolicyMetric],
        priority: Priority,
        hours: Option<&'a Hours>,
    ) -> Self {
        Applicable {
            policy,
            targets: all.iter().filter(|m| m.priority == priority).copied().collect(),
            hours,
        }
    }

    fn target(&self, metric: Metric) -> Option<PolicyMetric> {
        self.targets.iter().find(|m| m.metric == metric).copied()
    }

    fn elapsed_ms(&self, business: bool, from: OffsetDateTime, to: OffsetDateTime) -> i64 {
        match (business, self.hours) {
            (true, Some(h)) => h.millis_between(from, to),
            _ => ((to - from).whole_milliseconds() as i64).max(0),
        }
    }

    fn deadline(&self, business: bool, from: OffsetDateTime, left_ms: i64) -> Option<OffsetDateTime> {
        match (business, self.hours) {
            (true, Some(h)) => h.add_millis(from, left_ms),
            _ => Some(from + time::Duration::milliseconds(left_ms.max(0))),
        }
    }
}

/// A target missed: recorded once, as a change record of the breach moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub metric: Metric,
    pub instance: u32,
    pub at: Timestamp,
}

/// What the ticket's state says each clock should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Run,
    Pause,
    End,
}

fn want(metric: Metric, t: &Ticket) -> Want {
    let done = matches!(t.status, Status::Solved | Status::Closed);
    match metric {
        _ if done => Want::End,
        Metric::FirstReplyTime if t.times.replied_at.is_some() => Want::End,
        Metric::FirstReplyTime | Metric::ResolutionTime => Want::Run,
        Metric::NextReplyTime if t.times.awaiting_reply_since.is_none() => Want::End,
        Metric::NextReplyTime => Want::Run,
        Metric::RequesterWaitTime if t.status == Status::Pending => Want::Pause,
        Metric::RequesterWaitTime => Want::Run,
    }
}

/// Where a metric's clock starts when it has none yet (a new ticket, or a policy or priority
/// that brings the metric now), or `None` when it has nothing to measure.
fn start_of(metric: Metric, t: &Ticket) -> Option<Timestamp> {
    if matches!(t.status, Status::Solved | Status::Closed) {
        return None;
    }
    match metric {
        Metric::FirstReplyTime => t.times.replied_at.is_none().then_some(t.created_at),
        // Never before the first reply is fulfilled (Zammad #5177).
        Metric::NextReplyTime => t.times.replied_at.and(t.times.awaiting_reply_since),
        Metric::RequesterWaitTime | Metric::ResolutionTime => Some(t.created_at),
    }
}

impl MetricState {
    fn restage(&mut self) {
        self.stage = if self.stage == Stage::Breached {
            Stage::Breached
        } else if self.fulfilled_at.is_some() {
            Stage::Achieved
        } else if self.running_since.is_some() {
            Stage::Active
        } else {
            Stage::Paused
        };
    }

    fn rearm(&mut self, a: &Applicable) {
        if self.stage == Stage::Breached {
            return;
        }
        self.breach_at = match self.running_since {
            Some(since) => {
                let left = i64::from(self.target) * 60_000 - self.consumed_ms;
                a.deadline(self.business_hours, since.0, left).map(Timestamp)
            }
            None => None,
        };
    }

    /// Breached by `now` (the clock ran past its deadline): recorded once.
    fn check_breach(&mut self, now: OffsetDateTime) -> Option<Breach> {
        match (self.stage, self.running_since, self.breach_at) {
            (Stage::Active, Some(_), Some(at)) if at.0 <= now => {
                self.stage = Stage::Breached;
                Some(Breach { metric: self.metric, instance: self.instance, at })
            }
            _ => None,
        }
    }

    fn stop(&mut self, a: &Applicable, now: OffsetDateTime) {
        if let Some(since) = self.running_since.take() {
            self.consumed_ms += a.elapsed_ms(self.business_hours, since.0, now);
        }
        if self.stage != Stage::Breached {
            self.breach_at = None;
        }
    }
}

/// Moves a ticket's clocks to what `t` (the ticket as it will be written) says at `now`: the
/// policy and targets that now apply (`None`: no policy matches, the clocks go), clocks
/// started, paused, resumed or fulfilled, and the breaches that happened by `now` (each once).
pub fn advance(
    prev: Option<&TicketSla>,
    applicable: Option<&Applicable>,
    t: &Ticket,
    now: OffsetDateTime,
) -> (Option<TicketSla>, Vec<Breach>) {
    let Some(a) = applicable else { return (None, Vec::new()) };
    let stamp = Timestamp(now);
    let mut breaches = Vec::new();
    let mut metrics = Vec::new();
    for metric in Metric::ALL.iter().copied() {
        let Some(target) = a.target(metric) else { continue };
        let old = prev.and_then(|p| p.policy_metrics.iter().find(|m| m.metric == metric)).cloned();
        let mut m = match old {
            Some(mut m) => {
                // A clock that ran past its deadline before this change breached then.
                breaches.extend(m.check_breach(now));
                // Another instance: a next reply answered, then a new unanswered message.
                let next_message = t.times.awaiting_reply_since.filter(|w| *w > m.started_at);
                if metric == Metric::NextReplyTime && m.fulfilled_at.is_some() && next_message.is_some() {
                    let since = next_message.unwrap_or(stamp);
                    MetricState {
                        instance: m.instance + 1,
                        stage: Stage::Active,
                        breach_at: None,
                        fulfilled_at: None,
                        consumed_ms: 0,
                        running_since: Some(since),
                        started_at: since,
                        ..m
                    }
                } else {
                    m.target = target.target;
                    m.business_hours = target.business_hours;
                    m
                }
            }
            None => {
                let Some(since) = start_of(metric, t) else { continue };
                MetricState {
                    metric,
                    instance: 1,
                    stage: Stage::Active,
                    target: target.target,
                    business_hours: target.business_hours,
                    breach_at: None,
                    fulfilled_at: None,
                    consumed_ms: 0,
                    running_since: Some(since),
                    started_at: since,
                }
            }
        };
        match want(metric, t) {
            Want::Run => {
                if m.running_since.is_none() {
                    // Resumed (out of pending) or reopened: the consumed time stays.
                    m.fulfilled_at = None;
                    m.running_since = Some(stamp);
                }
            }
            Want::Pause => m.stop(a, now),
            Want::End => {
                if m.fulfilled_at.is_none() {
                    m.rearm(a);
                    breaches.extend(m.check_breach(now));
                    m.stop(a, now);
                    m.fulfilled_at = Some(stamp);
                } else {
                    m.stop(a, now);
                }
            }
        }
        m.rearm(a);
        m.restage();
        // A clock started in the past (a policy arriving late) may be overdue already.
        breaches.extend(m.check_breach(now));
        metrics.push(m);
    }
    (Some(TicketSla { policy: a.policy.clone(), policy_metrics: metrics }), breaches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_parse_once_per_priority_and_metric() {
        let m = parse_metrics(&json!([
            {"priority": "urgent", "metric": "first_reply_time", "target": 30, "business_hours": false},
            {"priority": "urgent", "metric": "resolution_time", "target": 480, "business_hours": true}
        ]))
        .unwrap();
        assert_eq!(
            m[1],
            PolicyMetric {
                priority: Priority::Urgent,
                metric: Metric::ResolutionTime,
                target: 480,
                business_hours: true
            }
        );
        assert!(parse_metrics(&json!([{"priority": "urgent", "metric": "first_reply_time", "target": 0, "business_hours": false}])).is_err());
        assert!(parse_metrics(
            &json!([{"priority": "soon", "metric": "first_reply_time", "target": 5, "business_hours": false}])
        )
        .is_err());
        let twice = json!([
            {"priority": "low", "metric": "next_reply_time", "target": 5, "business_hours": false},
            {"priority": "low", "metric": "next_reply_time", "target": 9, "business_hours": true}
        ]);
        assert_eq!(parse_metrics(&twice).unwrap_err(), "policy_metrics.1 repeats next_reply_time for low.");
        assert!(parse_metrics(&json!("fast")).is_err());
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;
    use crate::domain::schedules::Interval;

    use time::macros::datetime;
    use time::Duration;

    /// Monday 2026-11-23, 09:00 UTC.
    const T0: OffsetDateTime = datetime!(2026-11-23 09:00 UTC);

    fn ticket() -> Ticket {
        let mut t = Ticket {
            id: Uuid::nil(),
            subject: "s".into(),
            description: "d".into(),
            priority: Priority::High,
            ..Ticket::blank(1, Uuid::nil(), Timestamp(T0))
        };
        t.times.awaiting_reply_since = Some(Timestamp(T0));
        t
    }

    fn targets(list: &[(Metric, u32, bool)]) -> Vec<PolicyMetric> {
        list.iter()
            .map(|&(metric, target, business_hours)| PolicyMetric {
                priority: Priority::High,
                metric,
                target,
                business_hours,
            })
            .collect()
    }

    fn policy<'h>(list: &[(Metric, u32, bool)], hours: Option<&'h Hours>) -> Applicable<'h> {
        Applicable::new(
            PolicyRef { id: Uuid::nil(), title: "P".into() },
            &targets(list),
            Priority::High,
            hours,
        )
    }

    fn at(minutes: i64) -> OffsetDateTime {
        T0 + Duration::minutes(minutes)
    }

    /// Advances `t`'s clocks at `minutes` after T0, keeping them on the ticket.
    fn step(t: &mut Ticket, a: &Applicable, minutes: i64) -> Vec<Breach> {
        let (sla, breaches) = advance(t.sla.as_ref(), Some(a), t, at(minutes));
        t.sla = sla;
        breaches
    }

    fn metric(t: &Ticket, m: Metric) -> Option<&MetricState> {
        t.sla.as_ref()?.policy_metrics.iter().find(|s| s.metric == m)
    }

    #[test]
    fn first_reply_starts_at_creation_and_a_public_staff_reply_fulfils_it() {
        let a = policy(&[(Metric::FirstReplyTime, 60, false)], None);
        let mut t = ticket();
        assert!(step(&mut t, &a, 0).is_empty());
        let m = metric(&t, Metric::FirstReplyTime).unwrap();
        assert_eq!((m.stage, m.breach_at), (Stage::Active, Some(Timestamp(at(60)))));
        assert_eq!(t.next_breach_at(), Some(Timestamp(at(60))));
        // An internal note changes nothing on the ticket's reply times, so nothing here.
        assert!(step(&mut t, &a, 20).is_empty());
        assert_eq!(metric(&t, Metric::FirstReplyTime).unwrap().stage, Stage::Active);
        t.mark_public_comment(true, Timestamp(at(30)));
        assert!(step(&mut t, &a, 30).is_empty());
        let m = metric(&t, Metric::FirstReplyTime).unwrap();
        assert_eq!((m.stage, m.fulfilled_at, m.breach_at), (Stage::Achieved, Some(Timestamp(at(30))), None));
        assert_eq!(t.sla.as_ref().unwrap().pending_breach_at(), None);
    }

    #[test]
    fn a_breach_is_reported_once_at_its_moment_and_the_late_reply_keeps_it_breached() {
        let a = policy(&[(Metric::FirstReplyTime, 60, false)], None);
        let mut t = ticket();
        step(&mut t, &a, 0);
        assert!(step(&mut t, &a, 59).is_empty(), "not yet");
        let b = step(&mut t, &a, 90);
        assert_eq!(b, vec![Breach { metric: Metric::FirstReplyTime, instance: 1, at: Timestamp(at(60)) }]);
        assert!(step(&mut t, &a, 120).is_empty(), "never twice");
        // Still running: "hours until next breach" is negative, no breach is pending.
        assert_eq!(t.next_breach_at(), Some(Timestamp(at(60))));
        assert_eq!(t.sla.as_ref().unwrap().pending_breach_at(), None);
        t.mark_public_comment(true, Timestamp(at(150)));
        assert!(step(&mut t, &a, 150).is_empty());
        let m = metric(&t, Metric::FirstReplyTime).unwrap();
        assert_eq!((m.stage, m.fulfilled_at), (Stage::Breached, Some(Timestamp(at(150)))));
        assert_eq!(t.next_breach_at(), None);
    }

    #[test]
    fn a_late_fulfilment_with_no_timer_run_in_between_still_records_the_breach() {
        let a = policy(&[(Metric::FirstReplyTime, 60, false)], None);
        let mut t = ticket();
        step(&mut t, &a, 0);
        t.mark_public_comment(true, Timestamp(at(61)));
        let b = step(&mut t, &a, 61);
        assert_eq!(b.len(), 1);
        assert_eq!(metric(&t, Metric::FirstReplyTime).unwrap().stage, Stage::Breached);
    }

    #[test]
    fn next_reply_waits_for_the_first_reply_and_only_public_staff_replies_fulfil_it() {
        let a = policy(&[(Metric::FirstReplyTime, 600, false), (Metric::NextReplyTime, 30, false)], None);
        let mut t = ticket();
        step(&mut t, &a, 0);
        // The requester writes again before anyone answered: still the first reply's clock
        // (Zammad #5177: a shorter next-reply target must not overrule it).
        t.mark_public_comment(false, Timestamp(at(5)));
        step(&mut t, &a, 5);
        assert!(metric(&t, Metric::NextReplyTime).is_none());
        t.mark_public_comment(true, Timestamp(at(10)));
        step(&mut t, &a, 10);
        assert!(metric(&t, Metric::NextReplyTime).is_none(), "answered: nothing to wait for");
        // An agent's second reply with nothing unanswered starts nothing (Zammad #3140).
        t.mark_public_comment(true, Timestamp(at(12)));
        step(&mut t, &a, 12);
        assert!(metric(&t, Metric::NextReplyTime).is_none());
        t.mark_public_comment(false, Timestamp(at(20)));
        step(&mut t, &a, 20);
        // A second message before the answer does not restart the clock.
        t.mark_public_comment(false, Timestamp(at(25)));
        step(&mut t, &a, 25);
        let m = metric(&t, Metric::NextReplyTime).unwrap();
        assert_eq!((m.instance, m.stage, m.breach_at), (1, Stage::Active, Some(Timestamp(at(50)))));
        // An internal note is no reply: the ticket's reply times do not move, the clock runs.
        step(&mut t, &a, 40);
        assert_eq!(metric(&t, Metric::NextReplyTime).unwrap().stage, Stage::Active);
        t.mark_public_comment(true, Timestamp(at(45)));
        step(&mut t, &a, 45);
        assert_eq!(metric(&t, Metric::NextReplyTime).unwrap().stage, Stage::Achieved);
        t.mark_public_comment(false, Timestamp(at(100)));
        step(&mut t, &a, 100);
        let m = metric(&t, Metric::NextReplyTime).unwrap();
        assert_eq!((m.instance, m.stage, m.started_at), (2, Stage::Active, Timestamp(at(100))));
        let b = step(&mut t, &a, 200);
        assert_eq!(b, vec![Breach { metric: Metric::NextReplyTime, instance: 2, at: Timestamp(at(130)) }]);
    }

    #[test]
    fn requester_wait_pauses_in_pending_and_resolution_ends_at_solved_and_resumes_on_reopen() {
        let a =
            policy(&[(Metric::RequesterWaitTime, 120, false), (Metric::ResolutionTime, 240, false)], None);
        let mut t = ticket();
        step(&mut t, &a, 0);
        t.status = Status::Pending;
        step(&mut t, &a, 30);
        let w = metric(&t, Metric::RequesterWaitTime).unwrap();
        assert_eq!((w.stage, w.consumed_ms, w.breach_at), (Stage::Paused, 30 * 60_000, None));
        assert_eq!(metric(&t, Metric::ResolutionTime).unwrap().stage, Stage::Active);
        assert!(step(&mut t, &a, 500).len() == 1, "only resolution breaches while pending");
        t.status = Status::Open;
        step(&mut t, &a, 600);
        let w = metric(&t, Metric::RequesterWaitTime).unwrap();
        assert_eq!((w.stage, w.breach_at), (Stage::Active, Some(Timestamp(at(690)))));
        t.status = Status::Solved;
        step(&mut t, &a, 620);
        let w = metric(&t, Metric::RequesterWaitTime).unwrap();
        assert_eq!((w.stage, w.consumed_ms), (Stage::Achieved, 50 * 60_000));
        assert_eq!(metric(&t, Metric::ResolutionTime).unwrap().stage, Stage::Breached);
        // Reopened: requester wait runs on from 50 minutes.
        t.status = Status::Open;
        step(&mut t, &a, 700);
        let w = metric(&t, Metric::RequesterWaitTime).unwrap();
        assert_eq!((w.stage, w.breach_at), (Stage::Active, Some(Timestamp(at(770)))));
    }

    #[test]
    fn business_hour_targets_count_only_open_hours() {
        // Monday to Friday, 09:00 to 17:00 UTC.
        let intervals: Vec<Interval> = (1..=5)
            .map(|d| Interval { start_time: d * 1440 + 9 * 60, end_time: d * 1440 + 17 * 60 })
            .collect();
        let hours = Hours::new("UTC", &intervals, &[]).unwrap();
        let a = policy(&[(Metric::FirstReplyTime, 600, true)], Some(&hours));
        let mut t = ticket();
        step(&mut t, &a, 0);
        // 8 hours on Monday, 2 on Tuesday.
        assert_eq!(metric(&t, Metric::FirstReplyTime).unwrap().breach_at, Some(Timestamp(at(24 * 60 + 120))));
    }

    #[test]
    fn a_new_policy_retargets_running_clocks_and_drops_what_it_lacks() {
        let a = policy(&[(Metric::FirstReplyTime, 60, false), (Metric::ResolutionTime, 600, false)], None);
        let mut t = ticket();
        step(&mut t, &a, 0);
        let b = policy(&[(Metric::FirstReplyTime, 120, false)], None);
        step(&mut t, &b, 30);
        let sla = t.sla.as_ref().unwrap();
        assert_eq!(sla.policy_metrics.len(), 1);
        assert_eq!(sla.policy_metrics[0].breach_at, Some(Timestamp(at(120))));
        let (none, breaches) = advance(t.sla.as_ref(), None, &t, at(40));
        assert!(none.is_none() && breaches.is_empty());
    }
}
