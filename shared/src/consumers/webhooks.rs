//! The webhook-delivery consumer: queue jobs → signed HTTPS posts. Each delivery is claimed
//! once (the mailer's exactly-once claim, `MAIL#webhook:<id>`); a failed post (no answer within
//! 10 s, a non-2xx status, a redirect, an address the rules refuse) releases the claim and is
//! reported as a batch item failure, so SQS delivers it again with backoff and, after the
//! queue's receive count, moves it to the dead-letter queue (alarmed).
//!
//! Where a post may go: the endpoint's name is resolved by the connector itself and every
//! address checked ([`crate::domain::webhooks::allowed`]) before it connects, so what was
//! checked is what is reached (no second lookup a rebinding name could change); IP literals
//! are checked before; redirects are never followed.
use crate::domain::webhooks::{allowed, signature, Endpoint};
use crate::store::mail::Claim;
use crate::{clock, AppState, BoxError};
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use uuid::Uuid;

/// How long one post may take.
pub const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// One queue message: a delivery to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookJob {
    pub delivery_id: Uuid,
    pub ticket_id: Uuid,
}

/// Resolves a name and refuses it if any address is not allowed.
#[derive(Clone)]
struct CheckedResolver {
    allow_loopback: bool,
}

impl tower::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if addrs.is_empty() || addrs.iter().any(|a| !allowed(a.ip(), allow_loopback)) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{} resolves to an address webhooks may not reach", name.as_str()),
                ));
            }
            Ok(addrs.into_iter())
        })
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector<CheckedResolver>>, Full<Bytes>>;

fn build_client(allow_loopback: bool) -> Result<HttpsClient, BoxError> {
    let mut http = HttpConnector::new_with_resolver(CheckedResolver { allow_loopback });
    http.enforce_http(false);
    http.set_connect_timeout(Some(Duration::from_secs(5)));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// The client deliveries use: built once per process (per loopback rule).
fn client(allow_loopback: bool) -> Result<&'static HttpsClient, BoxError> {
    static STRICT: std::sync::OnceLock<HttpsClient> = std::sync::OnceLock::new();
    static LOOPBACK: std::sync::OnceLock<HttpsClient> = std::sync::OnceLock::new();
    let cell = if allow_loopback { &LOOPBACK } else { &STRICT };
    if let Some(c) = cell.get() {
        return Ok(c);
    }
    let built = build_client(allow_loopback)?;
    Ok(cell.get_or_init(|| built))
}

/// Resolves a name now (when a webhook is saved): 422 material if it reaches a refused address.
pub async fn check_host(endpoint: &Endpoint, allow_loopback: bool) -> Result<(), String> {
    if endpoint.host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(()); // checked by `Endpoint::parse`
    }
    let lookup = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(Duration::from_secs(3), lookup)
        .await
        .map_err(|_| "The endpoint's host does not resolve in time.".to_owned())?
        .map_err(|_| "The endpoint's host does not resolve.".to_owned())?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| !allowed(a.ip(), allow_loopback)) {
        return Err("The endpoint's host resolves to a private, loopback or link-local address.".into());
    }
    Ok(())
}

/// The body a delivery posts: the action's template filled in, or the ticket and the rule.
async fn body_of(
    state: &AppState,
    d: &crate::store::webhooks::Delivery,
    ticket: &crate::domain::ticket::Ticket,
) -> Result<String, BoxError> {
    match &d.body {
        Some(template) => {
            use crate::domain::actions::{expand, Context};
            let names = state.store.names_for([ticket], d.actor_id).await?;
            let cx = Context {
                ticket,
                requester: names.users.get(&ticket.requester_id),
                assignee: ticket.assignee_id.and_then(|a| names.users.get(&a)),
                group_name: ticket.group_id.and_then(|g| names.groups.get(&g)).map(|g| g.name.as_str()),
                current_user: d.actor_id.and_then(|a| names.users.get(&a)),
                url: None,
                latest_public_comment: None,
                satisfaction_url: None,
            };
            Ok(expand(template, &cx))
        }
        None => {
            Ok(serde_json::json!({"ticket": ticket, "trigger": {"id": d.rule_id, "title": d.rule_title}})
                .to_string())
        }
    }
}

/// Makes one delivery. `Ok(false)` when there is nothing to post (the webhook was deleted or
/// deactivated, the ticket is gone).
async fn deliver(state: &AppState, job: &WebhookJob) -> Result<bool, BoxError> {
    let Some(d) = state.store.delivery(job.ticket_id, job.delivery_id).await? else { return Ok(false) };
    let Some(hook) = state.store.get_webhook(d.webhook_id).await? else { return Ok(false) };
    if hook.status != crate::store::webhooks::WebhookStatus::Active {
        return Ok(false);
    }
    let Some(ticket) = state.store.get_ticket(d.ticket_id).await? else { return Ok(false) };
    let endpoint = Endpoint::parse(&hook.endpoint, state.config.allow_loopback_webhooks)?;
    let body = body_of(state, &d, &ticket).await?;
    let t = clock::now().unix_timestamp();
    let request = http::Request::post(endpoint.uri.clone())
        .header(
            "content-type",
            if d.body.is_some() { "text/plain; charset=utf-8" } else { "application/json" },
        )
        .header("user-agent", "helpdesk-webhooks/1")
        .header("x-helpdesk-signature", signature(&hook.signing_secret, t, body.as_bytes()))
        .header("x-helpdesk-delivery", d.id.to_string())
        .body(Full::new(Bytes::from(body)))?;
    let client = client(state.config.allow_loopback_webhooks)?;
    let response = tokio::time::timeout(POST_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "the endpoint did not answer within 10 s")?
        .map_err(|e| format!("post failed: {}", crate::error::error_chain(&e)))?;
    let status = response.status();
    // Drain a little of the answer (a well-behaved connection), never more than 64 KiB.
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        http_body_util::Limited::new(response.into_body(), 64 * 1024).collect(),
    )
    .await;
    if !status.is_success() {
        return Err(format!("the endpoint answered {status} (redirects are not followed)").into());
    }
    tracing::info!(delivery = %d.id, webhook = %hook.id, status = status.as_u16(), "webhook delivered");
    Ok(true)
}

async fn process(state: &AppState, message: &SqsMessage) -> Result<(), BoxError> {
    let job: WebhookJob = serde_json::from_str(message.body.as_deref().unwrap_or(""))
        .map_err(|e| format!("not a webhook job: {e}"))?;
    let claim_id = format!("webhook:{}", job.delivery_id);
    match state.store.claim_mail(&claim_id, clock::now().unix_timestamp()).await? {
        Claim::Done => return Ok(()),
        Claim::Busy => return Err("another worker is posting this delivery".into()),
        Claim::Ours => {}
    }
    match deliver(state, &job).await {
        Ok(sent) => Ok(state.store.finish_mail(&claim_id, if sent { "sent" } else { "skipped" }).await?),
        Err(e) => {
            if let Err(release) = state.store.release_mail(&claim_id).await {
                tracing::warn!(error = %release, "could not release a delivery claim; it expires with its lease");
            }
            Err(e)
        }
    }
}

/// The Lambda handler's body: each message on its own; failures are reported per message.
pub async fn handle(state: &AppState, event: &SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        if let Err(e) = process(state, message).await {
            tracing::warn!(error = %e, message = ?message.message_id, "webhook delivery failed; it will be retried");
            super::mailer::back_off(state, state.webhook_queue(), message).await;
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}
