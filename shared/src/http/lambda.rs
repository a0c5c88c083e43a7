//! The Lambda entry of an HTTP function: build the state once (the cold start), then serve
//! the function's one route with `lambda_http` running an axum router.
use super::routes::Route;
use super::Shared;
use crate::{AppState, BoxError};
use axum::handler::Handler;
use axum::routing::{on, MethodRouter};
use std::sync::Arc;

/// What a function adds to the state: the SDK clients its route uses.
pub type Clients = fn(AppState, &aws_types::SdkConfig) -> AppState;

/// Serves `route` with `handler`, on a state with the DynamoDB client only.
pub async fn serve<H, T>(route: Route, handler: H) -> Result<(), BoxError>
where
    H: Handler<T, Shared>,
    T: 'static,
{
    run(route, on(route.filter(), handler), |state, _| state).await
}

/// The same, with the SDK clients this route needs added by `clients` (so a function that
/// never touches S3 neither builds nor links an S3 client).
pub async fn serve_with<H, T>(route: Route, handler: H, clients: Clients) -> Result<(), BoxError>
where
    H: Handler<T, Shared>,
    T: 'static,
{
    run(route, on(route.filter(), handler), clients).await
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
    let (state, _) = AppState::from_env().await?;
    let state = Arc::new(state);
    lambda_http::run(without_stage(super::with_twin(native, v2, state))).await
}

/// The rest of a function's life, not generic: compiled once in the library rather than once
/// per function binary (the generic part above is only the handler's own `MethodRouter`).
pub async fn run(
    route: Route,
    method_router: MethodRouter<Shared>,
    clients: Clients,
) -> Result<(), BoxError> {
    crate::telemetry::init();
    let (state, sdk) = AppState::from_env().await?;
    let state = Arc::new(clients(state, &sdk));
    lambda_http::run(without_stage(super::single(route, method_router, state))).await
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
