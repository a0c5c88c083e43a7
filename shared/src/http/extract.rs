//! Extractors: what a handler asks of a request, parsed once. [`Caller`] (the authenticated
//! user, or the API's 401), [`JsonObject`] (a JSON object body: 400 / 413 otherwise),
//! [`Command`] (a body parsed into a typed command: 422 with every message otherwise) and
//! [`Params`] (the query string, repeated keys kept).
use super::Shared;
use crate::auth::Caller;
use crate::validation::ValidationErrors;
use crate::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use serde_json::{Map, Value};

/// The largest JSON body any route accepts.
pub const MAX_JSON_BODY: usize = 256 * 1024;

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        crate::auth::authenticate(state, &parts.headers).await
    }
}

/// A caller if the request says who it is: `None` without an `Authorization` header (routes
/// that also take another proof, such as a survey link's token); a header that does not
/// authenticate is still a 401.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<Shared> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(http::header::AUTHORIZATION) {
            Ok(MaybeCaller(Some(crate::auth::authenticate(state, &parts.headers).await?)))
        } else {
            Ok(MaybeCaller(None))
        }
    }
}

/// A caller who is an agent or an admin (403 otherwise, before the body is read).
pub struct Staff(pub Caller);

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_staff()?;
        Ok(Staff(caller))
    }
}

/// A caller who is an admin (403 otherwise, before the body is read).
pub struct Admin(pub Caller);

impl FromRequestParts<Shared> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Admin(caller))
    }
}

/// The body as a JSON object. An empty body is an empty object (every required field then
/// reports itself); anything else that is not a JSON object is a 400, oversize a 413.
#[derive(Debug, Clone, Default)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let too_large = || {
            ApiError::PayloadTooLarge(format!(
                "The request body may not be greater than {} kilobytes.",
                MAX_JSON_BODY / 1024
            ))
        };
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BODY).await.map_err(|_| too_large())?;
        parse_object(&bytes).map(JsonObject)
    }
}

pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest("The request body must be a JSON object.".into())),
        Err(_) => Err(ApiError::BadRequest("The request body is not valid JSON.".into())),
    }
}

/// A request body's typed form: every field checked and converted once, every problem
/// collected as a Laravel-style message.
pub trait FromJson: Sized {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors>;
}

/// A body parsed into the command `T` (and the raw object, for idempotency hashes).
#[derive(Debug)]
pub struct Command<T> {
    pub command: T,
    pub raw: Map<String, Value>,
}

impl<S: Send + Sync, T: FromJson> FromRequest<S> for Command<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonObject(raw) = JsonObject::from_request(req, state).await?;
        let command = T::from_json(&raw).map_err(ApiError::Validation)?;
        Ok(Command { command, raw })
    }
}

/// The query string as pairs, in order, repeated keys kept.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str) -> Self {
        Params(form_urlencoded::parse(query.as_bytes()).into_owned().collect())
    }

    /// Every (key, value) pair, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// Whether `name` (or `name[]`) was given with an empty value (`status[]=`).
    pub fn has_empty(&self, name: &str) -> bool {
        let bracketed = format!("{name}[]");
        self.0.iter().any(|(k, v)| (*k == name || *k == bracketed) && v.trim().is_empty())
    }

    /// The first value of `name`, empty or not (`Some("")` for `name=`).
    pub fn first(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// The first non-empty value of `name`.
    pub fn one(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone())
    }

    /// The first value of `name`, empty or not: for typed parameters (`per_page`), where an
    /// empty value is a mistake to report rather than "not sent".
    pub fn present(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// Every value of `name`, accepting `name`, `name[]` and comma lists.
    pub fn list(&self, name: &str) -> Vec<String> {
        let bracketed = format!("{name}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == name || *k == bracketed)
            .flat_map(|(_, v)| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
            .collect()
    }

    /// The query string without `cursor`, sorted, for `next_page_url`.
    pub fn without_cursor(&self) -> String {
        let mut pairs: Vec<&(String, String)> = self.0.iter().filter(|(k, _)| k != "cursor").collect();
        pairs.sort();
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

/// Most items one reorder moves (they are written in one transaction).
pub const MAX_REORDER: usize = 100;

/// The body of a reorder (`{"ids": [...]}`, triggers, automations, SLA policies): every id of
/// `known` exactly once, in the new order; each item's new position is its index. A 422 on
/// `ids` names the `noun` otherwise.
pub fn new_order(
    body: &Map<String, Value>,
    known: &[uuid::Uuid],
    noun: &str,
) -> Result<Vec<uuid::Uuid>, ApiError> {
    let invalid = || ApiError::invalid("ids", format!("The ids must list every {noun} exactly once."));
    let ids: Vec<uuid::Uuid> = match body.get("ids").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .map(|v| v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(invalid)?,
        None => return Err(invalid()),
    };
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    let mut all = known.to_vec();
    all.sort();
    if unique.len() != ids.len() || unique != all {
        return Err(invalid());
    }
    if ids.len() > MAX_REORDER {
        return Err(ApiError::invalid(
            "ids",
            format!("At most {MAX_REORDER} items can be reordered at once."),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shapes() {
        assert!(parse_object(b"").unwrap().is_empty());
        assert!(matches!(parse_object(b"{nope"), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_object(b"[1,2]"), Err(ApiError::BadRequest(_))));
        assert_eq!(parse_object(br#"{"a":1}"#).unwrap()["a"], 1);
    }

    #[tokio::test]
    async fn oversize_bodies_are_413() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_JSON_BODY));
        let req = http::Request::builder().body(axum::body::Body::from(big)).unwrap();
        assert!(matches!(JsonObject::from_request(req, &()).await, Err(ApiError::PayloadTooLarge(_))));
    }

    #[test]
    fn query_lists_and_cursorless_copies() {
        let p = Params::parse("status[]=open&status=pending,solved&cursor=abc&tag=a%20b&per_page=");
        assert_eq!(p.list("status"), ["open", "pending", "solved"]);
        assert_eq!(p.one("tag").as_deref(), Some("a b"));
        assert_eq!(p.one("per_page"), None);
        assert_eq!(p.without_cursor(), "per_page=&status=pending%2Csolved&status%5B%5D=open&tag=a+b");
    }
}
