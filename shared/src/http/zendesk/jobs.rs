//! Bulk ticket operations and their job statuses: `POST /api/v2/tickets/create_many`
//! (`{"tickets": [...]}`) and `PUT /api/v2/tickets/update_many` (`?ids=` with one `{"ticket"}`
//! for all, or `{"tickets": [{id, ...}]}`), at most 100 tickets each. Each ticket goes through
//! the same use case as its single route, one after another, inside the request (100 tickets
//! take well under API Gateway's 30 s); the answer is the job status, already `completed`, with
//! a result per ticket (a failed one names its error and does not stop the others). Clients
//! that poll `GET /api/v2/job_statuses/{id}` read the same status (kept a day).
use super::tickets::{change, open, visible};
use super::{base_url, ZdCaller, ZdError, ZdObject, ZdResult, ZdStaff};
use crate::auth::Caller;
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::jobs::JobStatusRecord;
use crate::{clock, ApiError, AppState};
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::{json, Map, Value};

/// Most tickets one bulk request takes (Zendesk's limit).
pub const MAX_BULK: usize = 100;

fn error_of(e: &ZdError) -> Value {
    let (error, details) = match &e.0 {
        ApiError::NotFound => ("RecordNotFound", Value::Null),
        ApiError::Forbidden => ("Forbidden", Value::Null),
        ApiError::Conflict(_) => ("UpdateConflict", Value::Null),
        ApiError::Validation(v) => ("RecordInvalid", json!(v.fields())),
        ApiError::TooManyAttempts { .. } => ("TooManyRequests", Value::Null),
        ApiError::BadRequest(m) => ("InvalidParameter", json!(m)),
        _ => ("InternalError", Value::Null),
    };
    json!({"error": error, "details": details})
}

async fn finish(
    state: &AppState,
    caller: &Caller,
    base: &str,
    results: Vec<Value>,
    message: &str,
) -> ZdResult {
    // 32 hex digits, 122 of their bits random: not guessable.
    let id = uuid::Uuid::new_v4().simple().to_string();
    let total = results.len();
    let status = json!({
        "id": id,
        "url": format!("{base}/api/v2/job_statuses/{id}.json"),
        "total": total,
        "progress": total,
        "status": "completed",
        "message": message,
        "results": results,
    });
    let record = JobStatusRecord { id: id.clone(), owner: caller.id(), status: status.to_string() };
    state.store.put_job_status(&record, clock::now()).await?;
    Ok(super::ok(&json!({"job_status": status})))
}

fn items<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, ZdError> {
    let list = body
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ZdError::bad_request(format!("The request body must hold a \"{key}\" array")))?;
    if list.is_empty() || list.len() > MAX_BULK {
        return Err(ZdError::bad_request(format!("Between 1 and {MAX_BULK} tickets at once")));
    }
    if !list.iter().all(Value::is_object) {
        return Err(ZdError::bad_request(format!("Each item of \"{key}\" must be an object")));
    }
    Ok(list)
}

/// `POST /api/v2/tickets/create_many`.
pub async fn create_many(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    ZdObject(body): ZdObject,
) -> ZdResult {
    let list = items(&body, "tickets")?;
    let mut results = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        let outcome = match item.as_object() {
            Some(zd) => open(&state, &caller, zd).await,
            None => Err(ZdError::bad_request("each ticket must be an object")),
        };
        results.push(match outcome {
            Ok(t) => json!({"index": index, "id": super::shapes::ticket_id(&t), "action": "create", "success": true, "status": "Created"}),
            Err(e) => {
                let mut r = json!({"index": index, "action": "create", "success": false, "status": "Failed"});
                if let (Some(o), Value::Object(err)) = (r.as_object_mut(), error_of(&e)) {
                    o.extend(err);
                }
                r
            }
        });
    }
    finish(&state, &caller, &base_url(&headers), results, "Completed").await
}

/// `PUT /api/v2/tickets/update_many` (staff).
pub async fn update_many(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    params: Params,
    ZdObject(body): ZdObject,
) -> ZdResult {
    // (ticket id as the client wrote it, the change for it)
    let mut work: Vec<(String, Map<String, Value>)> = Vec::new();
    let ids = params.list("ids");
    if !ids.is_empty() {
        let one = super::envelope(&body, "ticket")?;
        if ids.len() > MAX_BULK {
            return Err(ZdError::bad_request(format!("At most {MAX_BULK} ids")));
        }
        work.extend(ids.into_iter().map(|id| (id, one.clone())));
    } else {
        for item in items(&body, "tickets")? {
            let zd = item.as_object().cloned().unwrap_or_default();
            let id = match zd.get("id") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            work.push((id, zd));
        }
    }
    let mut results = Vec::with_capacity(work.len());
    for (index, (raw, zd)) in work.into_iter().enumerate() {
        let outcome = match visible(&state, &caller, &raw).await {
            Ok(ticket) => change(&state, &caller, ticket, &zd).await.map(|_| ()),
            Err(e) => Err(e),
        };
        let id = raw.parse::<u64>().ok();
        results.push(match outcome {
            Ok(()) => json!({"index": index, "id": id, "action": "update", "success": true, "status": "Updated"}),
            Err(e) => {
                let mut r = json!({"index": index, "id": id, "action": "update", "success": false, "status": "Failed"});
                if let (Some(o), Value::Object(err)) = (r.as_object_mut(), error_of(&e)) {
                    o.extend(err);
                }
                r
            }
        });
    }
    finish(&state, &caller, &base_url(&headers), results, "Completed").await
}

/// Whether `id` can name a job status (32 hex digits).
fn job_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the caller may read `job`: their own (admins: any).
fn readable(caller: &Caller, job: &JobStatusRecord) -> bool {
    job.owner == caller.id() || caller.role() == crate::domain::user::Role::Admin
}

/// `GET /api/v2/job_statuses`: the job statuses of the last day, newest first, paged (cursor
/// or offset, at most 100 a page; one Query a page): the caller's own (admins: everyone's,
/// [`show`]'s rule).
pub async fn list(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: http::HeaderMap,
    params: Params,
) -> ZdResult {
    let paging = super::Paging::from(&params)?;
    let owner = (caller.role() != crate::domain::user::Role::Admin).then(|| caller.id());
    let scope = match owner {
        Some(user) => format!("zd-jobs:{user}"),
        None => "zd-jobs".to_owned(),
    };
    let now = clock::now();
    let store = &state.store;
    let (rows, after, more) = super::sorted_page(&state, &paging, &scope, |before, n| async move {
        store.job_statuses_page(owner, before.as_deref(), n, now).await
    })
    .await?;
    let items = rows
        .iter()
        .map(|job| serde_json::from_str::<Value>(&job.status).map_err(ApiError::internal))
        .collect::<Result<Vec<_>, _>>()?;
    let count = super::count_if_last(&paging, more, items.len());
    let page = super::ListPage { key: "job_statuses", items, after, more, count };
    let base = super::base_url(&headers);
    Ok(super::ok(&page.render(&paging, &base, "/api/v2/job_statuses.json", &params)))
}

/// `GET /api/v2/job_statuses/show_many?ids=a,b` (at most 100): the statuses the caller may
/// read ([`show`]'s rule), in the order asked; unknown, expired or others' ids are left out.
pub async fn show_many(State(state): State<Shared>, ZdCaller(caller): ZdCaller, params: Params) -> ZdResult {
    let mut ids: Vec<String> = Vec::new();
    for raw in params.list("ids") {
        for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !ids.iter().any(|seen| seen == id) {
                ids.push(id.to_owned());
            }
        }
    }
    if ids.len() > MAX_BULK {
        return Err(ZdError::bad_request(format!("At most {MAX_BULK} ids")));
    }
    ids.retain(|id| job_id(id));
    let found = state.store.job_statuses(&ids).await?;
    let mut shown = Vec::with_capacity(found.len());
    for id in &ids {
        if let Some(job) = found.iter().find(|j| &j.id == id).filter(|j| readable(&caller, j)) {
            shown.push(serde_json::from_str::<Value>(&job.status).map_err(ApiError::internal)?);
        }
    }
    Ok(super::ok(&json!({"job_statuses": shown})))
}

/// `GET /api/v2/job_statuses/{id}`: the caller's own jobs (admins: any); others are a 404.
pub async fn show(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    Path(raw): Path<String>,
) -> ZdResult {
    let id = raw.strip_suffix(".json").unwrap_or(&raw);
    if !job_id(id) {
        return Err(ZdError::not_found());
    }
    let job = state.store.get_job_status(id).await?.ok_or_else(ZdError::not_found)?;
    if !readable(&caller, &job) {
        return Err(ZdError::not_found());
    }
    let status: Value = serde_json::from_str(&job.status).map_err(ApiError::internal)?;
    Ok(super::ok(&json!({"job_status": status})))
}

/// `POST /api/v2/tickets/{id}/merge` (staff): `{"ids": [...], "target_comment"?,
/// "source_comment"?, "target_comment_is_public"?, "source_comment_is_public"?}` merges up to
/// five tickets into this one ([`crate::app::ticket_merge`]): each is closed with the source
/// comment, then this one gets the target comment (both private unless said public; Zendesk's
/// sentences when absent). Refused before any write (422 on `ids`, or on a comment) when a
/// ticket is unknown, closed, named twice or the target itself. The answer is the job status,
/// already `completed`, with a result per ticket.
pub async fn merge(
    State(state): State<Shared>,
    ZdStaff(caller): ZdStaff,
    headers: HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    ZdObject(body): ZdObject,
) -> ZdResult {
    use super::{check_kinds, Kind};
    use crate::app::ticket_merge::{merge, Merge, MAX_SOURCES};
    let target = visible(&state, &caller, &raw).await?;
    check_kinds(
        &body,
        &[
            ("ids", Kind::Array),
            ("target_comment", Kind::Str),
            ("source_comment", Kind::Str),
            ("target_comment_is_public", Kind::Bool),
            ("source_comment_is_public", Kind::Bool),
        ],
    )?;
    let ids = body.get("ids").and_then(Value::as_array).cloned().unwrap_or_default();
    if ids.len() > MAX_SOURCES {
        return Err(ZdError::invalid("ids", format!("At most {MAX_SOURCES} tickets can be merged at once.")));
    }
    let mut sources = Vec::with_capacity(ids.len());
    for id in &ids {
        let raw_id = match id {
            Value::Number(n) if n.is_u64() => n.to_string(),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
            other => return Err(ZdError::invalid("ids", format!("{other} is not a ticket id."))),
        };
        match visible(&state, &caller, &raw_id).await {
            Ok(t) => sources.push(t),
            Err(ZdError(ApiError::NotFound)) => {
                return Err(ZdError::invalid("ids", format!("Ticket {raw_id} was not found.")))
            }
            Err(e) => return Err(e),
        }
    }
    let comment = |field: &str| -> Result<Option<String>, ZdError> {
        match body.get(field).and_then(Value::as_str).map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) if c.chars().count() > crate::domain::comment::MAX_COMMENT_CHARS => {
                Err(ZdError::invalid(
                    field,
                    format!(
                        "The {field} must not be greater than {} characters.",
                        crate::domain::comment::MAX_COMMENT_CHARS
                    ),
                ))
            }
            other => Ok(other.map(str::to_owned)),
        }
    };
    let public = |field: &str| body.get(field).and_then(Value::as_bool).unwrap_or(false);
    let asked = Merge {
        target,
        sources,
        target_comment: comment("target_comment")?,
        target_public: public("target_comment_is_public"),
        source_comment: comment("source_comment")?,
        source_public: public("source_comment_is_public"),
    };
    let actor = crate::app::Actor::user(caller.id(), caller.role());
    let merged = merge(&state, &actor, asked).await?;
    let target_id = merged.results.last().map(|(t, _)| t.id);
    let results = merged
        .results
        .into_iter()
        .enumerate()
        .map(|(index, (ticket, outcome))| {
            let id = crate::domain::ticket::TicketNumber::parse(&ticket.ticket_number).map(|n| n.0);
            let action = if Some(ticket.id) == target_id { "update" } else { "merge" };
            match outcome {
                Ok(()) => json!({"index": index, "id": id, "action": action, "success": true, "status": "Completed"}),
                Err(e) => {
                    let mut r = json!({"index": index, "id": id, "action": action, "success": false, "status": "Failed"});
                    if let (Some(o), Value::Object(err)) = (r.as_object_mut(), error_of(&ZdError(e))) {
                        o.extend(err);
                    }
                    r
                }
            }
        })
        .collect();
    finish(&state, &caller, &base_url(&headers), results, "Completed").await
}
