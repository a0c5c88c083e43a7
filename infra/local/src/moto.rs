//! SQS and SES v2 on loopback: moto's server (from PyPI, installed by infra/bootstrap.sh), the
//! mail queue with its dead-letter queue, the sender identity, a Lambda-like poller of the queue,
//! and reading back sent mail for the local mail sink.
use crate::paths;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use helpdesk::mail::mime;
use helpdesk::BoxError;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde_json::{json, Value};
use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

pub fn moto_server() -> PathBuf {
    paths::local_dir().join("venv/bin/moto_server")
}

fn install_if_missing() -> Result<PathBuf, BoxError> {
    let bin = moto_server();
    if !bin.exists() {
        let script = paths::project_root().join("infra/bootstrap.sh");
        let status = std::process::Command::new("bash").arg(&script).status()?;
        if !status.success() || !bin.exists() {
            return Err(format!("{} did not install moto", script.display()).into());
        }
    }
    Ok(bin)
}

fn command(bin: &PathBuf, port: u16) -> std::process::Command {
    let mut cmd = std::process::Command::new(bin);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdin(Stdio::null());
    cmd
}

pub fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

async fn get(url: &str) -> Result<(u16, Bytes), BoxError> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let res = client.get(url.parse()?).await?;
    let status = res.status().as_u16();
    Ok((status, res.into_body().collect().await?.to_bytes()))
}

async fn wait_ready(port: u16) -> Result<(), BoxError> {
    for _ in 0..150 {
        if let Ok((200, _)) = get(&format!("{}/moto-api/", endpoint(port))).await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("moto did not answer on port {port} within 30 s").into())
}

/// A moto server this program started; killed when dropped.
pub struct Moto {
    _child: tokio::process::Child,
    pub endpoint: String,
}

pub async fn start(port: u16) -> Result<Moto, BoxError> {
    let bin = install_if_missing()?;
    if crate::dynamodb_local::is_listening(port).await {
        return Err(format!("port {port} is already in use; set HELPDESK_MOTO_PORT").into());
    }
    let mut cmd = tokio::process::Command::from(command(&bin, port));
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| format!("could not start moto_server ({e})"))?;
    wait_ready(port).await?;
    Ok(Moto { _child: child, endpoint: endpoint(port) })
}

/// Like `dynamodb_local::ensure_shared`: one moto for every test process, started once.
pub async fn ensure_shared(port: u16) -> Result<String, BoxError> {
    if crate::dynamodb_local::is_listening(port).await {
        wait_ready(port).await?;
        return Ok(endpoint(port));
    }
    let bin = install_if_missing()?;
    let lock = std::fs::File::create(paths::local_dir().join(format!("moto-{port}.lock")))?;
    lock.lock()?;
    if !crate::dynamodb_local::is_listening(port).await {
        let log = std::fs::File::create(paths::local_dir().join(format!("moto-{port}.log")))?;
        let mut cmd = command(&bin, port);
        cmd.stdout(log.try_clone()?).stderr(log);
        let child = cmd.spawn().map_err(|e| format!("could not start moto_server ({e})"))?;
        std::fs::write(paths::local_dir().join(format!("moto-{port}.pid")), child.id().to_string())?;
    }
    let ready = wait_ready(port).await;
    lock.unlock()?;
    ready.map(|_| endpoint(port))
}

pub fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&crate::sdk::config(endpoint))
}

pub fn ses_client(endpoint: &str) -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(&crate::sdk::config(endpoint))
}

/// Creates (or finds) the mail queue and its DLQ with a redrive policy, and verifies the
/// sender's domain. Returns (queue URL, DLQ URL).
pub async fn setup_mail(
    sqs: &aws_sdk_sqs::Client,
    ses: &aws_sdk_sesv2::Client,
    queue: &str,
    max_receive_count: u32,
    visibility_timeout_seconds: u32,
    sender: &str,
) -> Result<(String, String), BoxError> {
    let (url, dlq) = setup_queue(sqs, queue, max_receive_count, visibility_timeout_seconds).await?;
    let domain = sender.rsplit_once('@').map_or(sender, |(_, d)| d);
    ses.create_email_identity().email_identity(domain).send().await.ok();
    Ok((url, dlq))
}

/// Creates (or finds) a queue and its DLQ with a redrive policy. Returns (queue URL, DLQ URL).
pub async fn setup_queue(
    sqs: &aws_sdk_sqs::Client,
    queue: &str,
    max_receive_count: u32,
    visibility_timeout_seconds: u32,
) -> Result<(String, String), BoxError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let dlq =
        sqs.create_queue().queue_name(format!("{queue}-dlq")).send().await?.queue_url.ok_or("no DLQ url")?;
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(A::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|mut a| a.remove(&A::QueueArn))
        .ok_or("no DLQ arn")?;
    let redrive =
        json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count.to_string()}).to_string();
    let url = sqs
        .create_queue()
        .queue_name(queue)
        .attributes(A::RedrivePolicy, redrive)
        .attributes(A::VisibilityTimeout, visibility_timeout_seconds.to_string())
        .send()
        .await?
        .queue_url
        .ok_or("no queue url")?;
    Ok((url, dlq))
}

/// Receives what the queue has now and hands it to `handler` as Lambda would (an SQS event);
/// messages the handler does not report as failed are deleted, the others come back after
/// the visibility timeout (and go to the DLQ after the receive count). Returns messages handled.
pub async fn poll_queue<F, Fut>(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    wait_seconds: i32,
    handler: F,
) -> Result<usize, BoxError>
where
    F: FnOnce(SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    let out = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(wait_seconds)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await?;
    let messages = out.messages.unwrap_or_default();
    if messages.is_empty() {
        return Ok(0);
    }
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": m.attributes.as_ref().map(|a| a.iter().map(|(k, v)| (k.as_str().to_owned(), v.clone())).collect::<std::collections::HashMap<_, _>>()).unwrap_or_default(),
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:local",
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    let event: SqsEvent = serde_json::from_value(json!({ "Records": records }))?;
    let response = handler(event).await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    let mut handled = 0;
    for m in &messages {
        if failed.contains(&m.message_id.as_deref().unwrap_or_default()) {
            continue;
        }
        if let Some(handle) = &m.receipt_handle {
            sqs.delete_message().queue_url(queue_url).receipt_handle(handle).send().await?;
        }
        handled += 1;
    }
    Ok(handled)
}

/// Mail moto's SES has accepted, newest first, as the local mail sink shows it:
/// `[{"to", "from", "subject", "text", "html", "sent_at", "reply_to"}]`.
pub async fn sent_mail(endpoint: &str) -> Result<Vec<Value>, BoxError> {
    let (status, body) = get(&format!("{endpoint}/moto-api/data.json")).await?;
    if status != 200 {
        return Err(format!("moto answered {status}").into());
    }
    let data: Value = serde_json::from_slice(&body)?;
    let mut out = Vec::new();
    for m in data["ses"]["RawMessage"].as_array().into_iter().flatten().rev() {
        let parsed = mime::read(m["raw_data"].as_str().unwrap_or_default());
        let sent_at =
            time::OffsetDateTime::parse(&parsed.date, &time::format_description::well_known::Rfc2822)
                .map(helpdesk::clock::format)
                .unwrap_or_default();
        out.push(json!({
            "to": parsed.to,
            "from": parsed.from,
            "reply_to": parsed.reply_to,
            "subject": parsed.subject,
            "text": parsed.text,
            "html": parsed.html,
            "sent_at": sent_at,
        }));
    }
    Ok(out)
}
