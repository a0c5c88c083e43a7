//! SLA policies (API.md part 2): which tickets a policy covers (a filter in the ticket
//! conditions dialect, first matching policy by position) and the targets it sets per priority.
//! The per-ticket metric state is not computed yet (issue 16 continues).
use crate::domain::ticket::Priority;
use serde::{Deserialize, Serialize};

crate::domain::ticket::string_enum!(Metric {
    FirstReplyTime => "first_reply_time",
    NextReplyTime => "next_reply_time",
    RequesterWaitTime => "requester_wait_time",
    ResolutionTime => "resolution_time",
});

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
