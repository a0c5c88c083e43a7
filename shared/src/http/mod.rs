//! The HTTP side: axum handlers per route (`handlers/`), the extractors that turn a request
//! into a caller, a typed command and query parameters (`extract`), the response views
//! (`views`), the route table (`routes`), the request log (`log`) and the Lambda entry
//! (`lambda`). Each Lambda function serves one route of the table; the local stack and the
//! tests serve [`router`] with every route.
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod lambda;
pub mod log;
pub mod openapi;
pub mod routes;
pub mod throttle;
pub mod views;
pub mod zendesk;

use crate::{ApiError, AppState};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// The state every handler gets: built once per cold start.
pub type Shared = Arc<AppState>;

/// What a handler returns: a response, or one of the API's error shapes.
pub type HandlerResult = Result<Response, ApiError>;

/// The router of every route in the table and of the Zendesk API (the local stack and the
/// tests).
pub fn router(state: Shared) -> axum::Router {
    let mut router = axum::Router::new();
    for (route, method_router) in routes::all() {
        router = router.route(route.path, method_router);
    }
    for (route, method_router) in zendesk::routes::all() {
        router = with_v2(router, route, method_router, &state);
    }
    log::layer(router.fallback(|| async { ApiError::NotFound }), state)
}

/// The router of one route: what a function's Lambda serves.
pub fn single(
    route: routes::Route,
    method_router: axum::routing::MethodRouter<Shared>,
    state: Shared,
) -> axum::Router {
    let router = axum::Router::new().route(route.path, method_router);
    log::layer(router.fallback(|| async { ApiError::NotFound }), state)
}

/// The router of a function serving a native route and its Zendesk API twin (or a v2-only
/// route, `native` none).
pub fn with_twin(
    native: Option<(routes::Route, axum::routing::MethodRouter<Shared>)>,
    v2: (routes::Route, axum::routing::MethodRouter<Shared>),
    state: Shared,
) -> axum::Router {
    let mut router = axum::Router::new();
    if let Some((route, method_router)) = native {
        router = router.route(route.path, method_router);
    }
    router = with_v2(router, v2.0, v2.1, &state);
    log::layer(router.fallback(|| async { ApiError::NotFound }), state)
}

/// Adds a v2 route (and its `.json` twin) behind the rate-limit headers.
fn with_v2(
    router: axum::Router<Shared>,
    route: routes::Route,
    method_router: axum::routing::MethodRouter<Shared>,
    state: &Shared,
) -> axum::Router<Shared> {
    let limited =
        method_router.layer(axum::middleware::from_fn_with_state(state.clone(), zendesk::rate_limit));
    let mut router = router.route(route.path, limited.clone());
    if let Some(json) = zendesk::json_twin(route.path) {
        router = router.route(&json, limited);
    }
    router
}

pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| br#"{"message":"Server Error"}"#.to_vec());
    (status, [(http::header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response()
}

pub fn ok(value: &impl Serialize) -> Response {
    json_response(StatusCode::OK, value)
}

pub fn created(value: &impl Serialize) -> Response {
    json_response(StatusCode::CREATED, value)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = %crate::error::error_chain(cause.as_ref()), "request failed");
                json_response(status, &json!({"message": "Server Error"}))
            }
            Self::Validation(errors) => {
                json_response(status, &json!({"message": errors.message(), "errors": errors.fields()}))
            }
            Self::TooManyAttempts { retry_after } => {
                let mut res = json_response(status, &json!({"message": "Too Many Attempts."}));
                res.headers_mut()
                    .insert(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after.max(1)));
                res
            }
            other => json_response(status, &json!({"message": other.to_string()})),
        }
    }
}
