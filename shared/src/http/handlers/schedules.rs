//! `/schedules` (API.md part 2, "SLA policies, business hours, satisfaction"): business-hours
//! schedules for SLA targets. Staff read; admins write. The arithmetic is `domain::schedules`.
use crate::clock::Timestamp;
use crate::cursor::per_page;
use crate::domain::schedules::{Holiday, Hours, Interval};
use crate::http::extract::{Admin, Command, FromJson, Params, Staff};
use crate::http::views::{Page, ScheduleEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::schedules::Schedule;
use crate::validation::{Input, ValidationErrors};
use crate::ApiError;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

/// At most this many intervals and holidays per schedule.
pub const MAX_INTERVALS: usize = 100;
pub const MAX_HOLIDAYS: usize = 500;

/// The body of `POST /schedules` and `PATCH /schedules/{id}`: absent fields are left alone (a
/// create needs `name`, `time_zone` and `intervals`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct ScheduleFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub name: Option<String>,
    /// An IANA time zone (`Europe/Berlin`).
    #[schema(nullable = false)]
    pub time_zone: Option<String>,
    /// Opening hours, minutes from Sunday 00:00 local time; no overlaps.
    #[schema(nullable = false, max_items = 100)]
    pub intervals: Option<Vec<Interval>>,
    /// Closed days (inclusive local dates).
    #[schema(nullable = false, max_items = 500)]
    pub holidays: Option<Vec<Holiday>>,
}

fn minutes(v: &Value) -> Option<u32> {
    v.as_u64().filter(|n| *n <= u64::from(crate::domain::schedules::WEEK_MINUTES)).map(|n| n as u32)
}

fn date(v: Option<&Value>) -> Option<jiff::civil::Date> {
    v.and_then(Value::as_str).and_then(|s| s.parse().ok())
}

impl FromJson for ScheduleFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let mut fields = ScheduleFields::default();
        if input.has("name") {
            if let Some(n) = input.required_string("name") {
                // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
                let too_long = n.chars().count() > 255;
                let n = n.trim().to_owned();
                if n.is_empty() {
                    input.error("name", "The name field is required.");
                } else if too_long {
                    input.error("name", "The name field must not be greater than 255 characters.");
                } else if n.chars().any(char::is_control) || crate::domain::has_deceptive_chars(&n) {
                    input.error(
                        "name",
                        "The name field must not contain control, invisible or text-direction characters.",
                    );
                } else {
                    fields.name = Some(n);
                }
            }
        }
        if input.has("time_zone") {
            if let Some(tz) = input.required_string("time_zone") {
                match crate::domain::schedules::parse_time_zone(&tz) {
                    Ok(_) => fields.time_zone = Some(tz),
                    Err(e) => input.error("time_zone", &e.message),
                }
            }
        }
        if input.has("intervals") {
            match body.get("intervals") {
                Some(Value::Array(items)) if items.len() <= MAX_INTERVALS => {
                    let parsed: Option<Vec<Interval>> = items
                        .iter()
                        .map(|i| {
                            Some(Interval {
                                start_time: minutes(i.get("start_time")?)?,
                                end_time: minutes(i.get("end_time")?)?,
                            })
                        })
                        .collect();
                    match parsed {
                        Some(p) => fields.intervals = Some(p),
                        None => input.error(
                            "intervals",
                            "Each interval is {\"start_time\", \"end_time\"}: whole minutes from Sunday 00:00, 0 to 10080.",
                        ),
                    }
                }
                Some(Value::Array(_)) => {
                    input.error("intervals", "A schedule may have at most 100 intervals.")
                }
                _ => input.error("intervals", "The intervals field must be an array."),
            }
        }
        if input.has("holidays") {
            match body.get("holidays") {
                Some(Value::Array(items)) if items.len() <= MAX_HOLIDAYS => {
                    let parsed: Option<Vec<Holiday>> = items
                        .iter()
                        .map(|h| {
                            Some(Holiday {
                                name: h.get("name")?.as_str()?.trim().to_owned(),
                                start_date: date(h.get("start_date"))?,
                                end_date: date(h.get("end_date"))?,
                            })
                        })
                        .collect();
                    match parsed {
                        Some(p) => fields.holidays = Some(p),
                        None => input.error(
                            "holidays",
                            "Each holiday is {\"name\", \"start_date\", \"end_date\"} with dates as YYYY-MM-DD.",
                        ),
                    }
                }
                Some(Value::Array(_)) => input.error("holidays", "A schedule may have at most 500 holidays."),
                _ => input.error("holidays", "The holidays field must be an array."),
            }
        }
        input.into_result(fields)
    }
}

/// The schedule `s` would become with `fields`, checked as a whole (intervals against each
/// other, holidays' dates).
fn apply(mut s: Schedule, fields: ScheduleFields) -> Result<Schedule, ApiError> {
    let ScheduleFields { name, time_zone, intervals, holidays } = fields;
    s.name = name.unwrap_or(s.name);
    s.time_zone = time_zone.unwrap_or(s.time_zone);
    s.intervals = intervals.unwrap_or(s.intervals);
    s.holidays = holidays.unwrap_or(s.holidays);
    Hours::new(&s.time_zone, &s.intervals, &s.holidays).map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok(s)
}

fn schedule_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// `GET /schedules` (staff): by name, paginated.
#[utoipa::path(
    get,
    path = "/schedules",
    operation_id = "get_schedules",
    tag = "schedules",
    summary = "Business-hours schedules (staff)",
    params(("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list")),
    responses((status = 200, description = "A page of schedules by name.", body = crate::http::views::Page<crate::http::views::Schedule>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::schedule(), "/schedules"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode("schedules", &c)?),
        None => None,
    };
    let (rows, more) = state.store.list_schedules(after.as_deref(), per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode("schedules", s))).flatten();
    let data: Vec<Schedule> = rows.into_iter().map(|(_, s)| s).collect();
    Ok(ok(&Page::new(data, "/schedules", per_page, next, &query.without_cursor())))
}

/// `POST /schedules` (admin).
#[utoipa::path(
    post,
    path = "/schedules",
    operation_id = "post_schedules",
    tag = "schedules",
    summary = "Create a schedule (admin)",
    request_body(content = ScheduleFields, example = json!({"name": "Berlin office", "time_zone": "Europe/Berlin", "intervals": [{"start_time": 1980, "end_time": 2460}], "holidays": [{"name": "New Year", "start_date": "2027-01-01", "end_date": "2027-01-01"}]})),
    responses((status = 201, description = "Created.", body = crate::http::views::ScheduleEnvelope, example = json!({"schedule": crate::http::openapi::examples::schedule()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn create(State(state): State<Shared>, _: Admin, body: Command<ScheduleFields>) -> HandlerResult {
    let fields = body.command;
    let mut missing = ValidationErrors::default();
    if fields.name.is_none() {
        missing.add("name", "The name field is required.");
    }
    if fields.time_zone.is_none() {
        missing.add("time_zone", "The time zone field is required.");
    }
    if fields.intervals.is_none() {
        missing.add("intervals", "The intervals field is required.");
    }
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let now = Timestamp::now();
    let blank = Schedule {
        id: Uuid::now_v7(),
        name: String::new(),
        time_zone: String::new(),
        intervals: Vec::new(),
        holidays: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    let schedule = apply(blank, fields)?;
    state.store.put_schedule(&schedule).await?;
    Ok(created(&ScheduleEnvelope { schedule }))
}

/// `GET /schedules/{id}` (staff).
#[utoipa::path(
    get,
    path = "/schedules/{id}",
    operation_id = "get_schedules_id",
    tag = "schedules",
    summary = "A schedule (staff)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "The schedule.", body = crate::http::views::ScheduleEnvelope, example = json!({"schedule": crate::http::openapi::examples::schedule()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, _: Staff, Path(raw): Path<String>) -> HandlerResult {
    let schedule = state.store.get_schedule(schedule_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    Ok(ok(&ScheduleEnvelope { schedule }))
}

/// `PATCH /schedules/{id}` (admin).
#[utoipa::path(
    patch,
    path = "/schedules/{id}",
    operation_id = "patch_schedules_id",
    tag = "schedules",
    summary = "Update a schedule (admin)",
    params(("id" = String, Path, description = "A UUID")),
    request_body(content = ScheduleFields, example = json!({"holidays": []})),
    responses((status = 200, description = "Updated.", body = crate::http::views::ScheduleEnvelope, example = json!({"schedule": crate::http::openapi::examples::schedule()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    _: Admin,
    Path(raw): Path<String>,
    body: Command<ScheduleFields>,
) -> HandlerResult {
    let stored = state.store.get_schedule(schedule_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let mut schedule = apply(stored, body.command)?;
    schedule.updated_at = Timestamp::now();
    state.store.put_schedule(&schedule).await?;
    Ok(ok(&ScheduleEnvelope { schedule }))
}

/// `DELETE /schedules/{id}` (admin).
#[utoipa::path(
    delete,
    path = "/schedules/{id}",
    operation_id = "delete_schedules_id",
    tag = "schedules",
    summary = "Delete a schedule (admin)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, _: Admin, Path(raw): Path<String>) -> HandlerResult {
    let schedule = state.store.get_schedule(schedule_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    state.store.delete_schedule(schedule.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
