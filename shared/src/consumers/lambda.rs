//! Lambda entries of the consumers: build the state once with the clients the consumer uses,
//! then hand each event to its handler.
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use aws_lambda_events::streams::DynamoDbEventResponse;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A stream consumer's handler, boxed (its future is deep; boxing keeps stacks small).
pub type StreamHandler = for<'a> fn(&'a AppState, &'a Event) -> BoxFuture<'a, DynamoDbEventResponse>;

/// What a consumer adds to the state: the SDK clients it uses.
pub type Clients = fn(AppState, &aws_types::SdkConfig) -> AppState;

async fn state_with(clients: Clients) -> Result<AppState, BoxError> {
    crate::telemetry::init();
    let (state, sdk) = AppState::from_env().await?;
    Ok(clients(state, &sdk))
}

/// Runs a consumer of the table's stream (partial batch failures reported).
pub async fn run_stream(handler: StreamHandler, clients: Clients) -> Result<(), BoxError> {
    let state = state_with(clients).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Event>| async move {
            Ok::<_, BoxError>(handler(state, &event.payload).await)
        },
    ))
    .await
}

/// Runs the webhook delivery on the webhook queue (partial batch failures by message id).
pub async fn run_webhook_delivery() -> Result<(), BoxError> {
    let state = state_with(|s, sdk| s.with_sqs_from(sdk)).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<SqsEvent>| async move {
            let response: SqsBatchResponse = Box::pin(super::webhooks::handle(state, &event.payload)).await;
            Ok::<_, BoxError>(response)
        },
    ))
    .await
}

/// Runs the inbound mail consumer on the bucket's `inbound/` events (SES receiving). A failure
/// fails the invocation: Lambda retries it, then sends the event to the dead-letter queue.
pub async fn run_mail_inbound() -> Result<(), BoxError> {
    let state = state_with(|s, sdk| s.with_objects_from(sdk)).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::s3::S3Event>| async move {
            let received = Box::pin(super::mail_inbound::handle(state, &event.payload)).await?;
            Ok::<_, BoxError>(serde_json::json!({"received": received.len()}))
        },
    ))
    .await
}

/// Runs the mailer on the mail queue (partial batch failures reported by message id).
pub async fn run_mailer() -> Result<(), BoxError> {
    let state = state_with(|s, sdk| s.with_ses_from(sdk)).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<SqsEvent>| async move {
            let response: SqsBatchResponse = Box::pin(super::mailer::handle(state, &event.payload)).await;
            Ok::<_, BoxError>(response)
        },
    ))
    .await
}

/// Runs the automations on their schedule (EventBridge, hourly).
pub async fn run_automations() -> Result<(), BoxError> {
    let state = state_with(|s, _| s).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            let report = crate::app::automations::run(state, crate::clock::now())
                .await
                .map_err(|e| format!("automations failed: {e:?}"))?;
            Ok::<_, BoxError>(
                serde_json::json!({"automations": report.automations, "changed": report.changed}),
            )
        },
    ))
    .await
}

/// Runs the SLA breach timer on its schedule (EventBridge, every minute).
pub async fn run_sla_timer() -> Result<(), BoxError> {
    let state = state_with(|s, _| s).await?;
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            let report = crate::app::sla::sweep(state, crate::clock::now())
                .await
                .map_err(|e| format!("SLA breach timer failed: {e:?}"))?;
            Ok::<_, BoxError>(serde_json::json!({"due": report.due, "changed": report.changed}))
        },
    ))
    .await
}
