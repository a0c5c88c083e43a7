//! A fault-injecting HTTP proxy for the tests: in front of DynamoDB Local (or moto's SES, or
//! the local S3), it answers a share of the requests it selects with a fault instead of the upstream's answer,
//! chosen by a seeded generator so a run can be repeated:
//! throttling (400 `ThrottlingException`), 500, 503, a dropped connection, a delay past the
//! SDK's attempt timeout (the request still lands, late), and "commit then 500" (the request
//! reaches the upstream, the client is told it failed).
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    Throttle,
    Internal,
    Unavailable,
    Reset,
    Delay,
    CommitThen500,
}

impl Fault {
    pub const ALL: [Fault; 6] = [
        Fault::Throttle,
        Fault::Internal,
        Fault::Unavailable,
        Fault::Reset,
        Fault::Delay,
        Fault::CommitThen500,
    ];
}

/// Which requests may get a fault, how often, and how.
#[derive(Clone)]
pub struct Plan {
    /// The share of selected requests that get a fault (0.0 to 1.0).
    pub rate: f64,
    pub seed: u64,
    /// The faults to draw from (evenly).
    pub faults: Vec<Fault>,
    /// How long a delayed request waits before it is forwarded (past the client's timeout).
    pub delay: Duration,
    /// Whether a request may get a fault: DynamoDB's `X-Amz-Target` operation or the path.
    pub select: fn(&http::request::Parts) -> bool,
}

/// What the proxy did.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    counts: Mutex<std::collections::HashMap<&'static str, u64>>,
}

impl Stats {
    fn record(&self, fault: Fault) {
        let name = match fault {
            Fault::Throttle => "throttle",
            Fault::Internal => "500",
            Fault::Unavailable => "503",
            Fault::Reset => "reset",
            Fault::Delay => "delay",
            Fault::CommitThen500 => "commit-then-500",
        };
        *self.counts.lock().expect("stats lock").entry(name).or_default() += 1;
    }

    /// Faults injected, by kind.
    pub fn counts(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.counts.lock().expect("stats lock").iter().map(|(k, v)| (*k, *v)).collect()
    }

    pub fn total(&self) -> u64 {
        self.counts().values().sum()
    }
}

/// DynamoDB's data-plane operations (not the table's management).
pub fn dynamodb_data_plane(parts: &http::request::Parts) -> bool {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("DynamoDB_20120810."))
        .is_some_and(|op| {
            matches!(
                op,
                "GetItem"
                    | "PutItem"
                    | "UpdateItem"
                    | "DeleteItem"
                    | "Query"
                    | "BatchGetItem"
                    | "BatchWriteItem"
                    | "TransactWriteItems"
            )
        })
}

/// SES v2's send (`POST /v2/email/outbound-emails`).
pub fn ses_send(parts: &http::request::Parts) -> bool {
    parts.method == http::Method::POST && parts.uri.path().ends_with("/outbound-emails")
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

type Response = http::Response<Full<Bytes>>;

fn error(status: u16, kind: &str, message: &str) -> Response {
    let body = format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"{message}"}}"#);
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-errortype", kind)
        .body(Full::new(Bytes::from(body)))
        .expect("static parts build")
}

/// Starts the proxy on a free loopback port; returns its endpoint and its statistics.
pub async fn start(upstream: &str, plan: Plan) -> std::io::Result<(String, Arc<Stats>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let stats = Arc::new(Stats::default());
    let rng = Arc::new(Mutex::new(Rng(plan.seed.max(1))));
    let client =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let upstream: Arc<str> = upstream.trim_end_matches('/').into();
    let plan = Arc::new(plan);
    let shared = stats.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (client, upstream, plan, stats, rng) =
                (client.clone(), upstream.clone(), plan.clone(), shared.clone(), rng.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                    let (client, upstream, plan, stats, rng) =
                        (client.clone(), upstream.clone(), plan.clone(), stats.clone(), rng.clone());
                    async move { handle(req, &client, &upstream, &plan, &stats, &rng).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((endpoint, stats))
}

type Client =
    hyper_util::client::legacy::Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn forward(
    client: &Client,
    upstream: &str,
    parts: http::request::Parts,
    body: Bytes,
) -> Result<Response, String> {
    let uri = format!("{upstream}{}", parts.uri.path_and_query().map_or("/", |p| p.as_str()));
    // Every header as the client sent it, Host included: a request signed with SigV4 (a
    // presigned S3 URL, which the local S3 checks) signs the Host it was sent to.
    let mut req = http::Request::builder().method(parts.method).uri(uri);
    for (k, v) in &parts.headers {
        req = req.header(k, v);
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    let res = client.request(req).await.map_err(|e| e.to_string())?;
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(http::Response::from_parts(parts, Full::new(bytes)))
}

async fn handle(
    req: http::Request<Incoming>,
    client: &Client,
    upstream: &str,
    plan: &Plan,
    stats: &Stats,
    rng: &Mutex<Rng>,
) -> Result<Response, String> {
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    let fault = if (plan.select)(&parts) && !plan.faults.is_empty() {
        let mut r = rng.lock().expect("rng lock");
        (r.unit() < plan.rate).then(|| plan.faults[(r.next() % plan.faults.len() as u64) as usize])
    } else {
        None
    };
    let Some(fault) = fault else { return forward(client, upstream, parts, body).await };
    stats.record(fault);
    match fault {
        Fault::Throttle => Ok(error(400, "ThrottlingException", "Rate exceeded")),
        Fault::Internal => Ok(error(500, "InternalServerError", "Internal server error")),
        Fault::Unavailable => Ok(error(503, "ServiceUnavailable", "Service unavailable")),
        // An error from the service drops the connection without an answer.
        Fault::Reset => Err("injected connection reset".into()),
        Fault::Delay => {
            // Forwarded late, on its own task: it lands even after the client gave up.
            let (client, upstream, delay) = (client.clone(), upstream.to_owned(), plan.delay);
            let late = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                forward(&client, &upstream, parts, body).await
            });
            late.await.map_err(|e| e.to_string())?
        }
        Fault::CommitThen500 => {
            forward(client, upstream, parts, body).await?;
            Ok(error(500, "InternalServerError", "Internal server error"))
        }
    }
}
