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

/// What each consumer's Lambda builds beside its DynamoDB client: the one place that decides.
/// Each function's main names its entry here (and so links only the clients it uses), and the
/// tests that run a consumer as deployed build its state from the same entry
/// ([`state`]), so a consumer cannot be deployed without a client its handler asks for.
pub mod clients {
    use crate::AppState;
    use aws_types::SdkConfig;

    /// Queues a job for every record it is given: SQS at init.
    pub fn notifier(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_sqs_from(sdk)
    }

    /// Sends every message with SES (at init); SQS only delays the retry of a message that
    /// failed, so it is built by the first failure.
    pub fn mailer(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_ses_from(sdk).with_sqs_on_first_use(sdk)
    }

    /// Posts to webhook endpoints; SQS only delays the retry of a delivery that failed.
    pub fn webhook_delivery(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_sqs_on_first_use(sdk)
    }

    /// Deletes objects by presigned URL (no S3 client).
    pub fn attachment_cleaner(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_objects_from(sdk)
    }

    /// Reads stored mail and writes its files by presigned URL (no S3 client).
    pub fn mail_inbound(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_objects_from(sdk)
    }

    /// Posts frames to `@connections`.
    pub fn broadcaster(state: AppState, sdk: &SdkConfig) -> AppState {
        state.with_ws_from(sdk)
    }

    /// DynamoDB only: the search indexer, the reporter, the automations and the SLA timer.
    pub fn dynamodb_only(state: AppState, _: &SdkConfig) -> AppState {
        state
    }
}

/// A consumer's state as its Lambda builds it, from `config` and the SDK configuration.
pub fn state(config: crate::config::Config, sdk: &aws_types::SdkConfig, clients: Clients) -> AppState {
    clients(AppState::new(config, crate::telemetry::counting_client(sdk)), sdk)
}

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
    let state = state_with(clients::webhook_delivery).await?;
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
    let state = state_with(clients::mail_inbound).await?;
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
    let state = state_with(clients::mailer).await?;
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
    let state = state_with(clients::dynamodb_only).await?;
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
    let state = state_with(clients::dynamodb_only).await?;
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
