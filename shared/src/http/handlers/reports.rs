//! `GET /reports/summary` (API.md part 2): a manager's figures for a date range, from the
//! daily aggregates the stream reporter keeps (`store::reports`; never a Scan): one Query of at
//! most 366 day items, plus the status counters for the backlog.
use crate::domain::report::{spread, DayDelta, Scope, Spread};
use crate::domain::sla::Metric;
use crate::domain::ticket::Status;
use crate::http::extract::{Params, Staff};
use crate::http::{ok, HandlerResult, Shared};
use crate::store::keys;
use crate::ApiError;
use axum::extract::State;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, Duration};
use uuid::Uuid;

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct SlaOutcome {
    pub achieved: i64,
    pub breached: i64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct SatisfactionFigures {
    pub good: i64,
    pub bad: i64,
    /// Percent good of all ratings (`null` without ratings).
    pub score: Option<i64>,
}

/// One day's figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Day {
    #[schema(value_type = String, format = Date)]
    pub date: String,
    pub created: i64,
    pub solved: i64,
    pub reopened: i64,
    pub first_reply_minutes: Spread,
    pub resolution_minutes: Spread,
    pub sla: BTreeMap<String, SlaOutcome>,
    pub satisfaction: SatisfactionFigures,
}

/// The report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    #[schema(value_type = String, format = Date)]
    pub from: String,
    #[schema(value_type = String, format = Date)]
    pub to: String,
    pub group_id: Option<Uuid>,
    pub created: i64,
    pub solved: i64,
    pub reopened: i64,
    /// Unsolved tickets by status now (the desk's, or the group's).
    pub backlog: BTreeMap<String, u64>,
    pub first_reply_minutes: Spread,
    pub resolution_minutes: Spread,
    pub sla: BTreeMap<String, SlaOutcome>,
    pub satisfaction: SatisfactionFigures,
    pub by_day: Vec<Day>,
}

fn date(raw: &str, field: &str) -> Result<Date, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), format)
        .map_err(|_| ApiError::invalid(field, format!("The {field} must be a date (YYYY-MM-DD).")))
}

fn satisfaction(good: i64, bad: i64) -> SatisfactionFigures {
    let score = (good + bad > 0).then(|| (good * 100 + (good + bad) / 2) / (good + bad));
    SatisfactionFigures { good, bad, score }
}

fn sla_of(d: &DayDelta) -> BTreeMap<String, SlaOutcome> {
    let mut out: BTreeMap<String, SlaOutcome> =
        Metric::ALL.iter().map(|m| (m.as_str().to_owned(), SlaOutcome::default())).collect();
    for ((metric, outcome), n) in &d.sla {
        let entry = out.entry(metric.clone()).or_default();
        match *outcome {
            "achieved" => entry.achieved += n,
            _ => entry.breached += n,
        }
    }
    out
}

fn merge(into: &mut DayDelta, d: &DayDelta) {
    into.created += d.created;
    into.solved += d.solved;
    into.reopened += d.reopened;
    into.good += d.good;
    into.bad += d.bad;
    into.first_reply_minutes.extend(&d.first_reply_minutes);
    into.resolution_minutes.extend(&d.resolution_minutes);
    for (k, n) in &d.sla {
        *into.sla.entry(k.clone()).or_default() += n;
    }
}

/// `GET /reports/summary` (staff).
#[utoipa::path(
    get,
    path = "/reports/summary",
    operation_id = "get_reports_summary",
    tag = "reports",
    summary = "Summary report by day (staff)",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First day (UTC), default 29 days before `to`"),
        ("to" = Option<String>, Query, format = Date, description = "Last day (UTC), inclusive, default today; at most 366 days after `from`"),
        ("group_id" = Option<String>, Query, format = Uuid, description = "Only tickets in this group (at the time of each event)")
    ),
    responses((status = 200, description = "The figures.", body = Summary, example = json!(crate::http::openapi::examples::summary())), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn summary(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let today = crate::clock::now().date();
    let to = match query.present("to") {
        Some(raw) => date(&raw, "to")?,
        None => today,
    };
    let from = match query.present("from") {
        Some(raw) => date(&raw, "from")?,
        None => to - Duration::days(29),
    };
    if from > to {
        return Err(ApiError::invalid("from", "The from date must not be after the to date."));
    }
    if (to - from).whole_days() >= MAX_DAYS {
        return Err(ApiError::invalid("to", format!("A report covers at most {MAX_DAYS} days.")));
    }
    let group = match query.present("group_id") {
        Some(raw) => {
            let id = Uuid::parse_str(raw.trim())
                .map_err(|_| ApiError::invalid("group_id", "The selected group id is invalid."))?;
            if state.store.get_group(id).await?.is_none() {
                return Err(ApiError::invalid("group_id", "The selected group id is invalid."));
            }
            Some(id)
        }
        None => None,
    };
    let scope = group.map(Scope::Group).unwrap_or(Scope::Desk);
    let rows = state.store.report_days(&scope, from, to).await?;
    let by_date: BTreeMap<String, DayDelta> = rows.into_iter().map(|r| (r.date, r.delta)).collect();
    let mut total = DayDelta::default();
    let mut by_day = Vec::new();
    let mut day = from;
    loop {
        let key = day.to_string();
        let d = by_date.get(&key).cloned().unwrap_or_default();
        merge(&mut total, &d);
        by_day.push(Day {
            date: key,
            created: d.created,
            solved: d.solved,
            reopened: d.reopened,
            first_reply_minutes: spread(&d.first_reply_minutes),
            resolution_minutes: spread(&d.resolution_minutes),
            sla: sla_of(&d),
            satisfaction: satisfaction(d.good, d.bad),
        });
        if day >= to {
            break;
        }
        day = day.next_day().ok_or_else(|| ApiError::invalid("to", "The to date is out of range."))?;
    }
    let partition = match group {
        Some(g) => keys::ticket_group_partition(Some(g)),
        None => keys::ALL_TICKETS.to_owned(),
    };
    let mut backlog = BTreeMap::new();
    for s in [Status::New, Status::Open, Status::Pending, Status::OnHold] {
        backlog.insert(s.as_str().to_owned(), state.store.ticket_count(&partition, &[s]).await?);
    }
    Ok(ok(&Summary {
        from: from.to_string(),
        to: to.to_string(),
        group_id: group,
        created: total.created,
        solved: total.solved,
        reopened: total.reopened,
        backlog,
        first_reply_minutes: spread(&total.first_reply_minutes),
        resolution_minutes: spread(&total.resolution_minutes),
        sla: sla_of(&total),
        satisfaction: satisfaction(total.good, total.bad),
        by_day,
    }))
}
