//! The Zendesk Support API v2 at `/api/v2` (issue 18; docs/zendesk.md): the same data and the
//! same use cases as the native API, in Zendesk's shapes. A v2 route is served by the Lambda of
//! the same native operation where one exists ([`routes`]); each answers in the shape of the path
//! it was called on. This module holds what every v2 handler shares: the caller (Zendesk's
//! three ways to authenticate), errors in Zendesk's shape, the rate-limit headers, numeric ids,
//! absolute URLs and the two kinds of pagination.
pub mod business;
pub mod history;
pub mod incremental;
pub mod jobs;
pub mod openapi;
pub mod orgs;
pub mod record_ids;
pub mod requests;
pub mod routes;
pub mod search;
pub mod shapes;
pub mod tags;
pub mod tickets;
pub mod users;

use super::extract::{JsonObject, Params};
use super::Shared;
use crate::auth::Caller;
use crate::http::throttle::{self, Scope};
use crate::{clock, ApiError, AppState};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

/// What a v2 handler returns.
pub type ZdResult = Result<Response, ZdError>;

/// An error, answered in Zendesk's shape (`{"error", "description", "details"}`).
#[derive(Debug)]
pub struct ZdError(pub ApiError);

impl<E: Into<ApiError>> From<E> for ZdError {
    fn from(e: E) -> Self {
        ZdError(e.into())
    }
}

impl ZdError {
    pub fn not_found() -> Self {
        ZdError(ApiError::NotFound)
    }

    /// 422 `RecordInvalid` with one field's message.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ZdError(ApiError::invalid(field, message))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ZdError(ApiError::BadRequest(message.into()))
    }
}

impl IntoResponse for ZdError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = match &self.0 {
            ApiError::Unauthenticated => json!({"error": "Couldn't authenticate you"}),
            ApiError::Forbidden => {
                json!({"error": "Forbidden", "description": "You do not have access to this page. Please contact the account owner of this help desk for further help."})
            }
            ApiError::NotFound => json!({"error": "RecordNotFound", "description": "Not found"}),
            ApiError::Conflict(m) => json!({"error": "UpdateConflict", "description": m}),
            ApiError::BadRequest(m) => json!({"error": "InvalidParameter", "description": m}),
            ApiError::PayloadTooLarge(m) => json!({"error": "RequestTooLarge", "description": m}),
            ApiError::TooManyAttempts { .. } => {
                json!({"error": "TooManyRequests", "description": "Number of allowed API requests per minute exceeded"})
            }
            ApiError::Validation(errors) => {
                let details: Map<String, Value> = errors
                    .fields()
                    .iter()
                    .map(|(field, messages)| {
                        let list = messages
                            .iter()
                            .map(|m| json!({"description": m, "error": "InvalidValue"}))
                            .collect();
                        (field.clone(), Value::Array(list))
                    })
                    .collect();
                json!({"error": "RecordInvalid", "description": "Record validation errors", "details": details})
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = %crate::error::error_chain(cause.as_ref()), "request failed");
                json!({"error": "InternalError", "description": "Something went wrong"})
            }
        };
        let mut res = super::json_response(status, &body);
        if let ApiError::TooManyAttempts { retry_after } = self.0 {
            res.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        res
    }
}

/// The body as a JSON object ([`JsonObject`]'s rules: empty is `{}`, 256 KiB at most), refused
/// in Zendesk's error shape (`{"error": "InvalidParameter", ...}`, `RequestTooLarge`), which
/// Zendesk's clients read, rather than the native API's `{"message": ...}`.
#[derive(Debug, Clone, Default)]
pub struct ZdObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for ZdObject {
    type Rejection = ZdError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonObject(body) = JsonObject::from_request(req, state).await.map_err(ZdError)?;
        Ok(ZdObject(body))
    }
}

/// The caller of a v2 request: `Basic <email>:<password>`, `Basic <email>/token:<api token>`
/// or `Bearer <token>` (a session token acts as an OAuth token). 401 in Zendesk's shape.
pub struct ZdCaller(pub Caller);

impl FromRequestParts<Shared> for ZdCaller {
    type Rejection = ZdError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        // Behind [`rate_limit`] the caller is already known: it authenticated to be counted.
        if let Some(Authenticated(caller)) = parts.extensions.remove::<Authenticated>() {
            return Ok(ZdCaller(caller));
        }
        Ok(ZdCaller(authenticate(state, &parts.headers).await?))
    }
}

/// The caller [`rate_limit`] authenticated, handed to the handler's [`ZdCaller`].
#[derive(Clone)]
struct Authenticated(Caller);

/// Zendesk's three ways to authenticate (see [`ZdCaller`]).
async fn authenticate(state: &AppState, headers: &http::HeaderMap) -> Result<Caller, ApiError> {
    let header = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some((email, password)) = header.and_then(crate::auth::api_token::basic_password) {
        return password_caller(state, &email, &password).await;
    }
    crate::auth::authenticate(state, headers).await
}

/// A caller who is an agent or an admin.
pub struct ZdStaff(pub Caller);

impl FromRequestParts<Shared> for ZdStaff {
    type Rejection = ZdError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let ZdCaller(caller) = ZdCaller::from_request_parts(parts, state).await?;
        caller.require_staff()?;
        Ok(ZdStaff(caller))
    }
}

/// Basic `email:password`: the password checked with the slow hash, failures throttled per
/// account exactly as `POST /auth/login` (so Basic auth is no way around its limit).
async fn password_caller(state: &AppState, email: &str, password: &str) -> Result<Caller, ApiError> {
    let account = email.trim().to_lowercase();
    throttle::check(state, Scope::FailedLogin, &account).await?;
    let user = match crate::domain::user::Email::parse(email) {
        Ok(email) => state.store.user_by_email(&email.normalized()).await?,
        Err(_) => None,
    };
    if !crate::auth::password::verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await {
        throttle::failed(state, Scope::FailedLogin, &account).await?;
        return Err(ApiError::Unauthenticated);
    }
    let record = user.ok_or(ApiError::Unauthenticated)?;
    crate::telemetry::set_user(record.user.id);
    Ok(Caller { user: record.user, session_id: uuid::Uuid::nil(), expires_at: i64::MAX })
}

/// Zendesk's rate-limit headers on every v2 answer: `X-Rate-Limit` (the limit per minute) and
/// `X-Rate-Limit-Remaining`, in a one-minute window shared by every Lambda. A request is counted
/// against its user, whichever credential it carries (two sessions, a password and an API token
/// of one user share one budget); a request without credentials, or whose credentials fail, is
/// counted against its source address, so changing the `Authorization` header buys no fresh
/// budget. Over the limit: 429 with `Retry-After`. A success never carries `Retry-After`
/// (node-zendesk takes any answer with it for a 429).
pub async fn rate_limit(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match parts.headers.contains_key(http::header::AUTHORIZATION) {
        true => Some(authenticate(&state, &parts.headers).await),
        false => None,
    };
    match caller {
        Some(Ok(caller)) => {
            let subject = format!("user:{}", caller.user.id);
            parts.extensions.insert(Authenticated(caller));
            limited(&state, subject, || next.run(Request::from_parts(parts, body))).await
        }
        refused => {
            let source = throttle::Source::from_request_parts(&mut parts, &()).await.map(|s| s.0);
            let subject = format!("source:{}", source.unwrap_or_default());
            match refused {
                Some(Err(e)) => limited(&state, subject, || async { ZdError(e).into_response() }).await,
                _ => limited(&state, subject, || next.run(Request::from_parts(parts, body))).await,
            }
        }
    }
}

/// Counts one request against `subject`'s window and answers it with `run` unless over the limit.
async fn limited<F: std::future::Future<Output = Response>>(
    state: &AppState,
    subject: String,
    run: impl FnOnce() -> F,
) -> Response {
    let limit = state.config.limits.api_requests;
    let now = clock::now().unix_timestamp();
    let start = now - now.rem_euclid(limit.window_seconds);
    let used = match state.store.throttle_hit("api", &subject, start, start + limit.window_seconds).await {
        Ok(n) => n,
        Err(e) => return ZdError(e.into()).into_response(),
    };
    let remaining = limit.max.saturating_sub(used);
    let mut res = if used > limit.max {
        ZdError(ApiError::TooManyAttempts { retry_after: start + limit.window_seconds - now }).into_response()
    } else {
        let mut res = run().await;
        if res.status() != StatusCode::TOO_MANY_REQUESTS {
            res.headers_mut().remove(http::header::RETRY_AFTER);
        }
        res
    };
    let headers = res.headers_mut();
    headers.insert("x-rate-limit", HeaderValue::from(limit.max));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    res
}

/// A path id of the v2 API: a positive integer, `.json` allowed after it (API Gateway's `{id}`
/// takes the suffix with it). Anything else names nothing: 404.
pub fn numeric_id(raw: &str) -> Result<u64, ZdError> {
    raw.strip_suffix(".json")
        .unwrap_or(raw)
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(ZdError::not_found)
}

/// The path with `.json` after it, for a route whose last segment is not a parameter (the
/// suffix of a parameter segment arrives inside the parameter).
pub fn json_twin(path: &str) -> Option<String> {
    let last = path.rsplit('/').next().unwrap_or_default();
    (!last.starts_with('{')).then(|| format!("{path}.json"))
}

/// The absolute base of the request's URLs (`http://127.0.0.1:8000`): the `Host` header, and
/// `X-Forwarded-Proto` (API Gateway) or `http`.
pub fn base_url(headers: &http::HeaderMap) -> String {
    let host = headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

/// How a v2 list is paged: cursor (`page[size]`, `page[after]`) or offset (`page`, `per_page`).
#[derive(Debug, Clone, PartialEq)]
pub enum Paging {
    Cursor { size: usize, after: Option<String> },
    Offset { page: usize, per_page: usize },
}

/// Offset paging reaches at most this many records (Zendesk: 400 beyond).
pub const MAX_OFFSET_RECORDS: usize = 10_000;

impl Paging {
    /// From the query (brackets literal or percent-encoded: the query is decoded first).
    pub fn from(params: &Params) -> Result<Paging, ZdError> {
        let size = params.present("page[size]");
        let after = params.one("page[after]");
        let number = |name: &str, raw: Option<String>, default: usize| -> Result<usize, ZdError> {
            match raw {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| ZdError::bad_request(format!("{name} must be a positive integer"))),
            }
        };
        if size.is_some() || after.is_some() {
            let size = number("page[size]", size, 100)?;
            if size > 100 {
                return Err(ZdError::bad_request("page[size] must be at most 100"));
            }
            return Ok(Paging::Cursor { size, after });
        }
        let page = number("page", params.present("page"), 1)?;
        let per_page = number("per_page", params.present("per_page"), 100)?.min(100);
        if page.saturating_mul(per_page) > MAX_OFFSET_RECORDS {
            return Err(ZdError::bad_request(format!(
                "Offset pagination is limited to the first {MAX_OFFSET_RECORDS} records; use cursor pagination (page[size])"
            )));
        }
        Ok(Paging::Offset { page, per_page })
    }
}

impl Paging {
    /// The position a cursor page starts after (`page[after]`, checked against `scope`).
    pub fn cursor_position(&self, state: &AppState, scope: &str) -> Result<Option<String>, ZdError> {
        match self {
            Paging::Cursor { after: Some(c), .. } => state
                .cursors
                .decode(scope, c)
                .map(Some)
                .map_err(|_| ZdError::bad_request("page[after] is not a cursor of this list")),
            _ => Ok(None),
        }
    }
}

/// One page of a list the store serves in sort-key order (`fetch(after, limit)` returns rows
/// with their sort keys and whether more follow), by cursor or by offset: earlier offset pages
/// are skipped 100 rows a read (at most 10,000 records, so at most 100 reads). Returns the rows,
/// the cursor after them (cursor paging, when more follow) and whether more follow.
pub async fn sorted_page<T, F, Fut>(
    state: &AppState,
    paging: &Paging,
    scope: &str,
    mut fetch: F,
) -> Result<(Vec<T>, Option<String>, bool), ZdError>
where
    F: FnMut(Option<String>, usize) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<(String, T)>, bool), crate::store::StoreError>>,
{
    let mut position = paging.cursor_position(state, scope)?;
    let size = match paging {
        Paging::Cursor { size, .. } => *size,
        Paging::Offset { page, per_page } => {
            let mut skip = (page - 1) * per_page;
            while skip > 0 {
                let (rows, more) = fetch(position.clone(), skip.min(100)).await?;
                skip -= rows.len().min(skip);
                if let Some((sort, _)) = rows.last() {
                    position = Some(sort.clone());
                }
                if !more && skip > 0 {
                    return Ok((Vec::new(), None, false));
                }
            }
            *per_page
        }
    };
    let (rows, more) = fetch(position, size).await?;
    let after = match paging {
        Paging::Cursor { .. } if more => rows.last().map(|(sort, _)| state.cursors.encode(scope, sort)),
        _ => None,
    };
    Ok((rows.into_iter().map(|(_, row)| row).collect(), after, more))
}

/// The numeric ids of `?ids=1,2,3` (repeated or comma-separated), each once, in order; at
/// most `max` (400 otherwise, as for anything that is not an id).
pub fn ids_param(params: &Params, max: usize) -> Result<Vec<u64>, ZdError> {
    let mut ids: Vec<u64> = Vec::new();
    for raw in params.list("ids") {
        let n = raw.parse::<u64>().map_err(|_| ZdError::bad_request("ids must be numeric ids"))?;
        if !ids.contains(&n) {
            ids.push(n);
        }
    }
    if ids.len() > max {
        return Err(ZdError::bad_request(format!("At most {max} ids")));
    }
    Ok(ids)
}

/// The URL of `path` with the query `params` minus the paging keys, plus `extra`.
pub fn page_url(base: &str, path: &str, params: &Params, extra: &[(&str, String)]) -> String {
    let skip = ["page", "per_page", "page[size]", "page[after]", "page[before]"];
    let mut pairs: Vec<(String, String)> =
        params.pairs().iter().filter(|(k, _)| !skip.contains(&k.as_str())).cloned().collect();
    pairs.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{base}{path}?{query}")
}

/// A page of `items` under `key`, with the paging fields of its kind: cursor `meta` + `links`,
/// or offset `next_page`, `previous_page` and `count`.
pub struct ListPage {
    pub key: &'static str,
    pub items: Vec<Value>,
    /// Cursor paging: the cursor after the last item, when there is more.
    pub after: Option<String>,
    /// Offset paging: whether another page follows, and the total.
    pub more: bool,
    pub count: Option<u64>,
}

/// An offset page's `count` when the list's size is known without counting it: on its last
/// page, the records before it and on it (`None` on other pages, and past the end).
pub fn count_if_last(paging: &Paging, more: bool, on_page: usize) -> Option<u64> {
    match paging {
        Paging::Offset { page, per_page } if !more && (on_page > 0 || *page == 1) => {
            Some(((page - 1) * per_page + on_page) as u64)
        }
        _ => None,
    }
}

impl ListPage {
    pub fn render(self, paging: &Paging, base: &str, path: &str, params: &Params) -> Value {
        let mut body = Map::new();
        body.insert(self.key.to_owned(), Value::Array(self.items));
        match paging {
            Paging::Cursor { size, .. } => {
                let next = self.after.as_ref().map(|a| {
                    page_url(
                        base,
                        path,
                        params,
                        &[("page[after]", a.clone()), ("page[size]", size.to_string())],
                    )
                });
                body.insert(
                    "meta".into(),
                    json!({"has_more": self.after.is_some(), "after_cursor": self.after, "before_cursor": null}),
                );
                body.insert("links".into(), json!({"next": next, "prev": null}));
            }
            Paging::Offset { page, per_page } => {
                let at = |p: usize| {
                    page_url(
                        base,
                        path,
                        params,
                        &[("page", p.to_string()), ("per_page", per_page.to_string())],
                    )
                };
                let next = (self.more && (page + 1) * per_page <= MAX_OFFSET_RECORDS).then(|| at(page + 1));
                body.insert("next_page".into(), json!(next));
                body.insert("previous_page".into(), json!((*page > 1).then(|| at(page - 1))));
                body.insert("count".into(), json!(self.count));
            }
        }
        Value::Object(body)
    }
}

/// The body's `{"<key>": {...}}` object (400 without it, Zendesk's answer to a bare body).
pub fn envelope(body: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, ZdError> {
    match body.get(key) {
        Some(Value::Object(inner)) => Ok(inner.clone()),
        _ => Err(ZdError::bad_request(format!(
            "The request body must be a JSON object with a \"{key}\" object"
        ))),
    }
}

/// The JSON type a field of a v2 body must have when it is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Str,
    Object,
    Array,
}

/// 422 `RecordInvalid` for the first field of `fields` present in `zd` with another JSON type
/// (`null` counts as absent, which is how the handlers read it). The
/// handlers read their fields with `as_str`, `as_bool`...: without this a wrong type would
/// be taken for an absent field and silently ignored.
pub fn check_kinds(zd: &Map<String, Value>, fields: &[(&str, Kind)]) -> Result<(), ZdError> {
    for (field, kind) in fields {
        let Some(value) = zd.get(*field).filter(|v| !v.is_null()) else { continue };
        let (fits, name) = match kind {
            Kind::Bool => (value.is_boolean(), "true or false"),
            Kind::Str => (value.is_string(), "a string"),
            Kind::Object => (value.is_object(), "an object"),
            Kind::Array => (value.is_array(), "a list"),
        };
        if !fits {
            return Err(ZdError::invalid(field, format!("The {field} field must be {name}.")));
        }
    }
    Ok(())
}

/// 200 with a JSON body.
pub fn ok(value: &Value) -> Response {
    super::json_response(StatusCode::OK, value)
}

/// 201 with a JSON body.
pub fn created(value: &Value) -> Response {
    super::json_response(StatusCode::CREATED, value)
}
