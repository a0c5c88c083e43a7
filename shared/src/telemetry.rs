//! Structured JSON logs for every function (level from `RUST_LOG`, default `info`).
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// `RUST_LOG` as `tracing_subscriber`'s [`Targets`]: a level (`warn`), per-target levels
/// (`helpdesk=debug,aws_smithy_runtime=warn`) or both (`info,helpdesk::store=trace`). Unlike
/// `EnvFilter` it has no span or field filters, and it builds no regular expressions on a
/// cold start. A value it cannot parse falls back to `info`.
pub fn filter(rust_log: Option<&str>) -> Targets {
    let info = || Targets::new().with_default(LevelFilter::INFO);
    match rust_log.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v.parse().unwrap_or_else(|_| info()),
        None => info(),
    }
}

pub fn init() {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    let logs =
        tracing_subscriber::fmt::layer().json().with_current_span(false).without_time().with_target(false);
    let _ = tracing_subscriber::registry().with(logs).with(filter).try_init();
}

#[cfg(test)]
mod filter_tests {
    use super::filter;
    use tracing::Level;

    #[test]
    fn rust_log_sets_the_default_and_per_target_levels() {
        let f = filter(Some("warn,helpdesk::store=trace"));
        assert!(f.would_enable("helpdesk::store::query", &Level::TRACE));
        assert!(f.would_enable("hyper", &Level::WARN));
        assert!(!f.would_enable("hyper", &Level::INFO));
        assert!(!f.would_enable("helpdesk::http", &Level::INFO));
    }

    #[test]
    fn unset_empty_or_unparsable_means_info() {
        for v in [None, Some(""), Some("  "), Some("helpdesk=loud")] {
            let f = filter(v);
            assert!(f.would_enable("helpdesk", &Level::INFO), "{v:?}");
            assert!(!f.would_enable("helpdesk", &Level::DEBUG), "{v:?}");
        }
    }
}

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// What one request did, for its log line: who asked and how many DynamoDB calls it made;
/// and which IAM permissions its DynamoDB, SQS and SES calls needed ([`Access`]).
#[derive(Debug, Default)]
pub struct RequestMetrics {
    dynamodb_calls: AtomicU32,
    user_id: Mutex<Option<uuid::Uuid>>,
    access: Mutex<Vec<Access>>,
}

/// One IAM permission a call needed: a DynamoDB action (`dynamodb:GetItem`...) on the table,
/// or on one of its indexes (a Query or Scan of the index `resource` names), an SQS, SES or
/// `@connections` action (`sqs:SendMessage`, `ses:SendEmail`,
/// `execute-api:ManageConnections`...), or an S3 action on the object `resource` names
/// (`s3:PutObject`...: a presigned URL is used with the function's role, so the function
/// needs what the URL does). A transaction needs the action of each of its items
/// (`dynamodb:PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`; `GetItem` for a read
/// transaction), as IAM authorises it; a batch of messages needs `sqs:SendMessage`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    pub action: String,
    /// DynamoDB: the index (`None`: the table); S3: the object key; otherwise `None`.
    pub resource: Option<String>,
}

/// Records `access` into the current request's metrics (nothing outside a measured request).
pub fn record(access: Access) {
    let _ = REQUEST.try_with(|m| m.access.lock().unwrap_or_else(|p| p.into_inner()).push(access));
}

impl RequestMetrics {
    /// The distinct permissions the request's DynamoDB calls needed, in order.
    pub fn access(&self) -> Vec<Access> {
        let mut all = self.access.lock().unwrap_or_else(|p| p.into_inner()).clone();
        all.sort();
        all.dedup();
        all
    }

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
        context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let _ = REQUEST.try_with(|m| {
            m.dynamodb_calls.fetch_add(1, Ordering::Relaxed);
            let access = needed_access(context.input());
            m.access.lock().unwrap_or_else(|p| p.into_inner()).extend(access);
        });
        Ok(())
    }
}

/// The permissions a DynamoDB call needs (see [`Access`]), from its input (an
/// operation this does not know needs `dynamodb:<unknown>`, which no policy allows).
fn needed_access(input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> Vec<Access> {
    use aws_sdk_dynamodb::operation as op;
    let on_table = |action: &str| Access { action: format!("dynamodb:{action}"), resource: None };
    let on = |action: &str, index: Option<&str>| Access {
        action: format!("dynamodb:{action}"),
        resource: index.map(str::to_owned),
    };
    if let Some(t) = input.downcast_ref::<op::transact_write_items::TransactWriteItemsInput>() {
        return t
            .transact_items()
            .iter()
            .map(|item| {
                on_table(if item.put().is_some() {
                    "PutItem"
                } else if item.update().is_some() {
                    "UpdateItem"
                } else if item.delete().is_some() {
                    "DeleteItem"
                } else {
                    "ConditionCheckItem"
                })
            })
            .collect();
    }
    let one = if let Some(q) = input.downcast_ref::<op::query::QueryInput>() {
        on("Query", q.index_name())
    } else if let Some(s) = input.downcast_ref::<op::scan::ScanInput>() {
        on("Scan", s.index_name())
    } else if input.downcast_ref::<op::get_item::GetItemInput>().is_some()
        || input.downcast_ref::<op::transact_get_items::TransactGetItemsInput>().is_some()
    {
        on_table("GetItem")
    } else if input.downcast_ref::<op::put_item::PutItemInput>().is_some() {
        on_table("PutItem")
    } else if input.downcast_ref::<op::update_item::UpdateItemInput>().is_some() {
        on_table("UpdateItem")
    } else if input.downcast_ref::<op::delete_item::DeleteItemInput>().is_some() {
        on_table("DeleteItem")
    } else if input.downcast_ref::<op::batch_get_item::BatchGetItemInput>().is_some() {
        on_table("BatchGetItem")
    } else if input.downcast_ref::<op::batch_write_item::BatchWriteItemInput>().is_some() {
        on_table("BatchWriteItem")
    } else if input.downcast_ref::<op::describe_table::DescribeTableInput>().is_some() {
        on_table("DescribeTable")
    } else {
        on_table("<unknown>")
    };
    vec![one]
}

/// Records the IAM action of each call of an SQS or SES client made inside [`measured`] (see
/// [`Access`]).
#[derive(Debug)]
pub struct RecordAccess;

impl aws_sdk_sqs::config::Intercept for RecordAccess {
    fn name(&self) -> &'static str {
        "RecordAccess"
    }

    fn read_before_execution(
        &self,
        context: &aws_sdk_sqs::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_sqs::config::ConfigBag,
    ) -> Result<(), aws_sdk_sqs::error::BoxError> {
        let _ = REQUEST.try_with(|m| {
            m.access.lock().unwrap_or_else(|p| p.into_inner()).push(service_access(context.input()));
        });
        Ok(())
    }
}

/// The IAM permission an SQS, SES, S3 or `@connections` call needs, from its input (action
/// `<unknown>` for one this does not know, which no policy allows).
fn service_access(input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> Access {
    use aws_sdk_apigatewaymanagement::operation as ws;
    use aws_sdk_s3::operation as s3;
    use aws_sdk_sesv2::operation::send_email::SendEmailInput;
    use aws_sdk_sqs::operation as sqs;
    let plain = |action: &str| Access { action: action.to_owned(), resource: None };
    let object = |action: &str, key: Option<&str>| Access {
        action: action.to_owned(),
        resource: Some(key.unwrap_or_default().to_owned()),
    };
    if input.downcast_ref::<sqs::send_message::SendMessageInput>().is_some()
        || input.downcast_ref::<sqs::send_message_batch::SendMessageBatchInput>().is_some()
    {
        plain("sqs:SendMessage")
    } else if input.downcast_ref::<sqs::change_message_visibility::ChangeMessageVisibilityInput>().is_some() {
        plain("sqs:ChangeMessageVisibility")
    } else if input.downcast_ref::<sqs::receive_message::ReceiveMessageInput>().is_some() {
        plain("sqs:ReceiveMessage")
    } else if input.downcast_ref::<sqs::delete_message::DeleteMessageInput>().is_some() {
        plain("sqs:DeleteMessage")
    } else if input.downcast_ref::<SendEmailInput>().is_some() {
        plain("ses:SendEmail")
    } else if let Some(i) = input.downcast_ref::<s3::head_object::HeadObjectInput>() {
        object("s3:GetObject", i.key())
    } else if let Some(i) = input.downcast_ref::<s3::get_object::GetObjectInput>() {
        object("s3:GetObject", i.key())
    } else if let Some(i) = input.downcast_ref::<s3::put_object::PutObjectInput>() {
        object("s3:PutObject", i.key())
    } else if let Some(i) = input.downcast_ref::<s3::delete_object::DeleteObjectInput>() {
        object("s3:DeleteObject", i.key())
    } else if input.downcast_ref::<ws::post_to_connection::PostToConnectionInput>().is_some()
        || input.downcast_ref::<ws::delete_connection::DeleteConnectionInput>().is_some()
        || input.downcast_ref::<ws::get_connection::GetConnectionInput>().is_some()
    {
        plain("execute-api:ManageConnections")
    } else {
        plain("<unknown>")
    }
}

/// An SQS client for `sdk` whose calls are recorded ([`RecordAccess`]).
pub fn sqs_client(sdk: &aws_types::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(sdk).interceptor(RecordAccess).build())
}

/// An S3 client for `sdk` whose calls are recorded ([`RecordAccess`]).
pub fn s3_client(sdk: &aws_types::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).interceptor(RecordAccess).build())
}

/// An SES client for `sdk` whose calls are recorded ([`RecordAccess`]).
pub fn ses_client(sdk: &aws_types::SdkConfig) -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(sdk).interceptor(RecordAccess).build(),
    )
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
pub fn counting_client(sdk: &aws_types::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(sdk).interceptor(CountDynamoDbCalls).build(),
    )
}
