//! Lambda entry points: what every HTTP function's `main` does, written once.
use crate::routes::Handler;
use crate::{AppState, BoxError};

/// Builds configuration and SDK clients once (the cold start), then serves every invocation
/// of `handler` with them.
pub async fn run_http(handler: Handler) -> Result<(), BoxError> {
    crate::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    lambda_http::run(lambda_http::service_fn(move |req: lambda_http::Request| async move {
        Ok::<_, BoxError>(handler.handle(state, req).await)
    }))
    .await
}
