//! HTTP plumbing shared by the handlers: JSON bodies in and out, the bearer token, path parameters.
use crate::error::ApiError;
use http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// The largest JSON body any route accepts.
pub const MAX_JSON_BODY: usize = 256 * 1024;

pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| br#"{"message":"Server Error"}"#.to_vec());
    Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::Binary(body))
        .expect("a status and a static header always build")
}

pub fn ok(value: &impl Serialize) -> Response<Body> {
    json_response(StatusCode::OK, value)
}

pub fn created(value: &impl Serialize) -> Response<Body> {
    json_response(StatusCode::CREATED, value)
}

fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(s) => s.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

/// The body as a JSON object. An empty body is an empty object (every required field then
/// reports itself); anything else that is not a JSON object is a 400, oversize a 413.
pub fn json_object(req: &Request) -> Result<Map<String, Value>, ApiError> {
    let bytes = body_bytes(req);
    if bytes.len() > MAX_JSON_BODY {
        return Err(ApiError::PayloadTooLarge(format!(
            "The request body may not be greater than {} kilobytes.",
            MAX_JSON_BODY / 1024
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest("The request body must be a JSON object.".into())),
        Err(_) => Err(ApiError::BadRequest("The request body is not valid JSON.".into())),
    }
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = req.headers().get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// A path parameter declared by the route (`/tickets/{id}` → `id`).
pub fn path_param(req: &Request, name: &str) -> Option<String> {
    req.path_parameters().first(name).map(str::to_owned)
}

/// The value of a request header, when it is valid text.
pub fn header<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(body: &str, auth: Option<&str>) -> Request {
        let mut b = http::Request::builder().method("POST").uri("/x");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Body::Text(body.into())).unwrap()
    }

    #[test]
    fn body_shapes() {
        assert!(json_object(&req("", None)).unwrap().is_empty());
        assert!(matches!(json_object(&req("{nope", None)), Err(ApiError::BadRequest(_))));
        assert!(matches!(json_object(&req("[1,2]", None)), Err(ApiError::BadRequest(_))));
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_JSON_BODY));
        assert!(matches!(json_object(&req(&big, None)), Err(ApiError::PayloadTooLarge(_))));
        assert_eq!(json_object(&req(r#"{"a":1}"#, None)).unwrap()["a"], 1);
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(&req("", Some("Bearer abc"))), Some("abc"));
        assert_eq!(bearer_token(&req("", Some("bearer  abc "))), Some("abc"));
        assert_eq!(bearer_token(&req("", Some("Basic abc"))), None);
        assert_eq!(bearer_token(&req("", Some("Bearer "))), None);
        assert_eq!(bearer_token(&req("", None)), None);
    }
}
