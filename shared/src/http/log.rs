//! One JSON log line per request (tower middleware): request id, method, route, function, user
//! id, status, latency and the DynamoDB calls the request made. Never the token, the body or a
//! password.
use super::routes::ROUTES;
use super::Shared;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// `router` with its state and the request log around every route.
pub fn layer(router: axum::Router<Shared>, state: Shared) -> axum::Router {
    router.layer(axum::middleware::from_fn(log_request)).with_state(state)
}

async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let bare = route.strip_suffix(".json").unwrap_or(&route);
    let function = ROUTES
        .iter()
        .chain(super::zendesk::routes::V2_ROUTES)
        .find(|r| r.method == method && (r.path == route || r.path == bare))
        .map(|r| r.function)
        .unwrap_or_default();
    let request_id = request_id(&req);
    let (mut response, metrics) = crate::telemetry::measured(next.run(req)).await;
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        function = function,
        user_id = metrics.user_id().map(|u| u.to_string()).unwrap_or_default(),
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        dynamodb_calls = metrics.dynamodb_calls(),
        "request"
    );
    response.extensions_mut().insert(Served { function, access: metrics.access() });
    response
}

/// Which function served a response and the DynamoDB permissions its calls needed (a
/// response extension: the tests check every request against the function's IAM policy in
/// template.yaml).
#[derive(Debug, Clone)]
pub struct Served {
    pub function: &'static str,
    pub access: Vec<crate::telemetry::Access>,
}

/// The Lambda request id, else API Gateway's, else a fresh one (local stack).
fn request_id(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    if let Some(ctx) = req.lambda_context_ref() {
        return ctx.request_id.clone();
    }
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.request_id.clone().unwrap_or_default(),
        _ => uuid::Uuid::new_v4().to_string(),
    }
}
