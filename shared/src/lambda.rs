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

/// The same for a consumer of the table's stream (partial batch failures reported).
pub async fn run_stream(consumer: crate::jobs::StreamConsumer) -> Result<(), BoxError> {
    crate::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::dynamodb::Event>| async move {
            // Boxed: the consumers' futures are deep enough to overflow layout computation.
            Ok::<_, BoxError>(Box::pin(consumer.handle(state, &event.payload)).await)
        },
    ))
    .await
}

/// The same for a route of the WebSocket API.
pub async fn run_ws(route: crate::realtime::gateway::WsRoute) -> Result<(), BoxError> {
    use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
    crate::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ApiGatewayWebsocketProxyRequest>| async move {
            Box::pin(route.handle(state, &event.payload)).await
        },
    ))
    .await
}

/// The mailer: a consumer of the mail queue (partial batch failures reported by message id).
pub async fn run_mailer() -> Result<(), BoxError> {
    crate::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::sqs::SqsEvent>| async move {
            Ok::<_, BoxError>(Box::pin(crate::mail::mailer::handle(state, &event.payload)).await)
        },
    ))
    .await
}
