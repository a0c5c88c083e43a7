//! Structured JSON logs for every function (level from `RUST_LOG`, default `info`).
use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time()
        .with_target(false)
        .try_init();
}

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// What one request did, for its log line: who asked and how many DynamoDB calls it made.
#[derive(Debug, Default)]
pub struct RequestMetrics {
    dynamodb_calls: AtomicU32,
    user_id: Mutex<Option<uuid::Uuid>>,
}

impl RequestMetrics {
    pub fn dynamodb_calls(&self) -> u32 {
        self.dynamodb_calls.load(Ordering::Relaxed)
    }

    pub fn user_id(&self) -> Option<uuid::Uuid> {
        *self.user_id.lock().unwrap_or_else(|p| p.into_inner())
    }
}

tokio::task_local! {
    static REQUEST: Arc<RequestMetrics>;
}

/// Runs a request's future with its metrics collected (see [`RequestMetrics`]). Inside an
/// outer `measured`, the outer one keeps counting.
pub async fn measured<F: std::future::Future>(fut: F) -> (F::Output, Arc<RequestMetrics>) {
    if let Ok(outer) = REQUEST.try_with(Arc::clone) {
        return (fut.await, outer);
    }
    let metrics = Arc::new(RequestMetrics::default());
    let out = REQUEST.scope(metrics.clone(), fut).await;
    (out, metrics)
}

/// Records the authenticated caller of the current request (the guard calls this).
pub fn set_user(id: uuid::Uuid) {
    let _ = REQUEST.try_with(|m| *m.user_id.lock().unwrap_or_else(|p| p.into_inner()) = Some(id));
}

/// Counts DynamoDB operations (not retries) made inside [`measured`].
#[derive(Debug)]
pub struct CountDynamoDbCalls;

impl aws_sdk_dynamodb::config::Intercept for CountDynamoDbCalls {
    fn name(&self) -> &'static str {
        "CountDynamoDbCalls"
    }

    fn read_before_execution(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let _ = REQUEST.try_with(|m| m.dynamodb_calls.fetch_add(1, Ordering::Relaxed));
        Ok(())
    }
}

/// The same client, counting its calls into the current request's metrics.
pub fn counting(client: aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::Intercept;
    if client.config().interceptors().any(|i| i.name() == CountDynamoDbCalls.name()) {
        return client;
    }
    aws_sdk_dynamodb::Client::from_conf(client.config().to_builder().interceptor(CountDynamoDbCalls).build())
}

/// A DynamoDB client for `sdk` that counts its calls, built once (a cold start then pays for
/// one client, not for a plain one and then its counting copy: about 0.13 ms).
pub fn counting_client(sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(sdk).interceptor(CountDynamoDbCalls).build(),
    )
}
