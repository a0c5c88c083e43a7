//! The Lambda entry of an HTTP function: build the state once (the cold start), then serve
//! the function's one route with `lambda_http` running an axum router.
use super::routes::Route;
use super::Shared;
use crate::{AppState, BoxError};
use axum::handler::Handler;
use axum::routing::{on, MethodRouter};
use std::sync::Arc;

/// Serves `route` with `handler`.
pub async fn serve<H, T>(route: Route, handler: H) -> Result<(), BoxError>
where
    H: Handler<T, Shared>,
    T: 'static,
{
    run(route, on(route.filter(), handler)).await
}

/// Serves `route` with `handler` and its Zendesk API twin `v2` with `v2_handler` (one
/// function, both paths: API Gateway routes each to it).
pub async fn serve_twin<H, T, H2, T2>(
    route: Route,
    handler: H,
    v2: Route,
    v2_handler: H2,
) -> Result<(), BoxError>
where
    H: Handler<T, Shared>,
    T: 'static,
    H2: Handler<T2, Shared>,
    T2: 'static,
{
    run_twin(Some((route, on(route.filter(), handler))), (v2, on(v2.filter(), v2_handler))).await
}

/// Serves a Zendesk API route that has no native twin.
pub async fn serve_v2<H, T>(v2: Route, handler: H) -> Result<(), BoxError>
where
    H: Handler<T, Shared>,
    T: 'static,
{
    run_twin(None, (v2, on(v2.filter(), handler))).await
}

async fn run_twin(
    native: Option<(Route, MethodRouter<Shared>)>,
    v2: (Route, MethodRouter<Shared>),
) -> Result<(), BoxError> {
    crate::telemetry::init();
    let (state, sdk) = AppState::from_env().await?;
    let state = Arc::new(with_s3_access(state, &sdk));
    lambda_http::run(without_stage(super::with_twin(native, v2, state))).await
}

/// The rest of a function's life, not generic: compiled once in the library rather than once
/// per function binary (the generic part above is only the handler's own `MethodRouter`).
pub async fn run(route: Route, method_router: MethodRouter<Shared>) -> Result<(), BoxError> {
    crate::telemetry::init();
    let (state, sdk) = AppState::from_env().await?;
    let state = Arc::new(with_s3_access(state, &sdk));
    lambda_http::run(without_stage(super::single(route, method_router, state))).await
}

/// What every HTTP function's state has beyond DynamoDB, none of it an S3 client built during
/// init: the presigner for the attachments bucket (`ATTACHMENTS_BUCKET`; a region, an endpoint
/// and the credentials, nothing parsed) and the S3 client, built by the first request that
/// needs one (a comment with attachments checks its uploads). So no route can be deployed
/// without what its handler asks for (`tickets-original-mail` once was, and answered 500 in
/// Lambda only), and the local stack and the tests serve every route with the same access.
fn with_s3_access(state: AppState, sdk: &aws_types::SdkConfig) -> AppState {
    state.with_presigner_from(sdk).with_s3_on_first_use(sdk)
}

/// The router behind API Gateway: an HTTP API stage other than `$default` prefixes `rawPath`
/// (`/prod/tickets`), and the routes are stage-free, so the prefix goes before routing.
pub fn without_stage(
    router: axum::Router,
) -> impl tower::Service<
    lambda_http::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    tower::ServiceExt::map_request(router, strip_stage)
}

fn strip_stage(mut req: lambda_http::Request) -> lambda_http::Request {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    let stage = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.stage.clone(),
        _ => None,
    };
    let Some(stage) = stage.filter(|s| s != "$default") else { return req };
    let prefix = format!("/{stage}");
    let path = req.uri().path();
    let rest = match path.strip_prefix(&prefix) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => return req,
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

#[cfg(test)]
mod tests {
    /// What a route's handler may ask the state for (presigned URLs, the S3 client), every HTTP
    /// function has: `tickets-original-mail` was once deployed without it.
    #[tokio::test]
    async fn every_http_function_can_presign_and_reach_s3() {
        let vars = [
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ];
        let env = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        let sdk = crate::state::lambda_sdk_config(env).expect("a Lambda environment");
        let mut config = crate::config::Config::new("t", vec![7u8; 64]).unwrap();
        config.attachments_bucket = Some("helpdesk-attachments".into());
        let plain = crate::AppState::new(config.clone(), aws_sdk_dynamodb::Client::new(&sdk));
        assert!(plain.object_urls().is_err() && plain.attachments().is_err(), "nothing added yet");

        let state =
            super::with_s3_access(crate::AppState::new(config, aws_sdk_dynamodb::Client::new(&sdk)), &sdk);
        let url = state
            .object_urls()
            .expect("a presigner")
            .presign(
                "inbound/m1",
                crate::store::presign::Request::Read,
                std::time::SystemTime::now(),
                std::time::Duration::from_secs(60),
            )
            .await
            .unwrap()
            .url;
        assert!(
            url.starts_with("https://helpdesk-attachments.s3.eu-west-1.amazonaws.com/inbound/m1?"),
            "{url}"
        );
        let (_, bucket) = state.attachments().expect("the S3 client, built on first use");
        assert_eq!(bucket, "helpdesk-attachments");
    }
}
