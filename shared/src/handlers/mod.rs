//! HTTP handlers: each takes the shared state and a request, and turns every expected outcome
//! into a response (`Err` is only for the API's error shapes).
pub mod attachments;
pub mod auth;
pub mod comments;
pub mod idempotency;
pub mod orgs;
pub mod tickets;
pub mod users;
pub mod views;

use crate::ApiError;
use lambda_http::{Body, Request, RequestExt, Response};
use uuid::Uuid;

pub type HandlerResult = Result<Response<Body>, ApiError>;

/// Every value of a query parameter, accepting `name`, `name[]` and comma lists.
pub fn query_list(req: &Request, name: &str) -> Vec<String> {
    let q = req.query_string_parameters();
    let mut out = Vec::new();
    for key in [name.to_owned(), format!("{name}[]")] {
        for v in q.all(&key).unwrap_or_default() {
            out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned));
        }
    }
    out
}

pub fn query_one(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters().first(name).map(str::to_owned).filter(|s| !s.is_empty())
}

/// The query string without `cursor`, for `next_page_url`.
pub fn query_without_cursor(req: &Request) -> String {
    let q = req.query_string_parameters();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in q.iter() {
        if k != "cursor" {
            pairs.push((k.to_owned(), v.to_owned()));
        }
    }
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A UUID from a request field, or a 422 naming the field.
pub fn parse_uuid(field: &str, raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        ApiError::invalid(
            field,
            format!("The {} field must be a valid UUID.", crate::validation::label(field)),
        )
    })
}
