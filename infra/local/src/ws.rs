//! The local WebSocket API: what API Gateway does for a WebSocket API, on loopback. It accepts
//! WebSocket clients (calling the same `$connect`, `$default` and `$disconnect` handlers the
//! Lambdas run, with `aws_lambda_events` payloads) and answers the `@connections` management API
//! (POST to send a frame, DELETE to close, 410 for unknown connections) that the handlers and
//! the broadcaster call through aws-sdk-apigatewaymanagement.
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use futures::{SinkExt, StreamExt};
use helpdesk::ws::gateway;
use helpdesk::{AppState, BoxError};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub const STAGE: &str = "local";
/// API Gateway's limit on one WebSocket frame.
pub const MAX_FRAME_BYTES: usize = 128 * 1024;

type Registry = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Message>>>>;

/// The access key id of the `@connections` API's only client.
pub const ACCESS_KEY: &str = "helpdesk-local-ws";

/// The secret key a gateway accepts `@connections` requests signed with (SigV4, as API Gateway
/// requires IAM-signed requests): random per run, never written anywhere.
#[derive(Clone)]
pub struct GatewayKey(String);

impl GatewayKey {
    pub fn random() -> Self {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).expect("OS random source");
        GatewayKey(raw.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl std::fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GatewayKey(..)")
    }
}

/// A client for this gateway's `@connections` API, signing with `key`.
/// Its calls are recorded as a deployed function's are (`telemetry::RecordAccess`), for the
/// tests' check of the IAM policies.
pub fn management_client(endpoint: &str, key: &GatewayKey) -> aws_sdk_apigatewaymanagement::Client {
    let sdk = crate::sdk::config_with(endpoint, ACCESS_KEY, &key.0);
    aws_sdk_apigatewaymanagement::Client::from_conf(
        aws_sdk_apigatewaymanagement::config::Builder::from(&sdk)
            .interceptor(helpdesk::telemetry::RecordAccess)
            .build(),
    )
}

/// Whether a request to `@connections` carries a valid SigV4 signature by [`ACCESS_KEY`] and
/// `key`, made within five minutes of now: the signature is computed again from the request as
/// received (method, path, query, the headers it names as signed, the body) and compared.
pub fn signed_by(parts: &http::request::Parts, body: &[u8], key: &GatewayKey) -> bool {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let Some(auth) = parts.headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(fields) = auth.strip_prefix("AWS4-HMAC-SHA256 ") else { return false };
    let field = |name: &str| {
        fields.split(',').map(str::trim).find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
    };
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (field("Credential"), field("SignedHeaders"), field("Signature"))
    else {
        return false;
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, _date, region, service, "aws4_request"] = scope[..] else { return false };
    if access_key != ACCESS_KEY {
        return false;
    }
    let Some(at) = parts
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
            time::PrimitiveDateTime::parse(v, &format).ok()
        })
        .map(|t| t.assume_utc())
    else {
        return false;
    };
    if (helpdesk::clock::now() - at).abs() > time::Duration::minutes(5) {
        return false;
    }
    let mut headers = Vec::new();
    for name in signed_headers.split(';').filter(|n| *n != "x-amz-date") {
        match parts.headers.get(name).and_then(|v| v.to_str().ok()) {
            Some(value) => headers.push((name, value)),
            None if name == "host" => {}
            None => return false,
        }
    }
    let uri = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let uri = format!(
        "http://{}{uri}",
        parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost")
    );
    let Ok(request) =
        SignableRequest::new(parts.method.as_str(), uri, headers.into_iter(), SignableBody::Bytes(body))
    else {
        return false;
    };
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, key.0.clone(), None, None, "local").into();
    let Ok(params) = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(std::time::SystemTime::from(at))
        .settings(SigningSettings::default())
        .build()
    else {
        return false;
    };
    let Ok(out) = sign(request, &params.into()) else { return false };
    let expected = out.signature().as_bytes();
    expected.len() == signature.len()
        && expected.iter().zip(signature.as_bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn event(
    route: &str,
    connection_id: &str,
    domain: &str,
    query: QueryMap,
    body: Option<String>,
) -> ApiGatewayWebsocketProxyRequest {
    let mut e = ApiGatewayWebsocketProxyRequest::default();
    e.query_string_parameters = query;
    e.body = body;
    e.request_context.route_key = Some(route.to_owned());
    e.request_context.event_type = Some(
        match route {
            "$connect" => "CONNECT",
            "$disconnect" => "DISCONNECT",
            _ => "MESSAGE",
        }
        .to_owned(),
    );
    e.request_context.connection_id = Some(connection_id.to_owned());
    e.request_context.domain_name = Some(domain.to_owned());
    e.request_context.stage = Some(STAGE.to_owned());
    e.request_context.request_time_epoch = helpdesk::clock::now().unix_timestamp() * 1000;
    e
}

fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> http::Response<Full<Bytes>> {
    let mut res = http::Response::builder().status(status);
    for (k, v) in headers {
        res = res.header(*k, *v);
    }
    res.body(Full::new(body.into())).expect("static parts build")
}

fn from_lambda(res: ApiGatewayProxyResponse) -> http::Response<Full<Bytes>> {
    let body = match res.body {
        Some(aws_lambda_events::encodings::Body::Text(t)) => Bytes::from(t),
        _ => Bytes::new(),
    };
    reply(res.status_code as u16, &[("content-type", "application/json")], body)
}

/// `POST|DELETE|GET /@connections/{id}`, for SigV4-signed requests only (403 otherwise, as
/// API Gateway answers an unsigned or badly signed call).
async fn manage(
    registry: &Registry,
    key: &GatewayKey,
    req: http::Request<Incoming>,
) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    if !signed_by(&parts, &body, key) {
        return reply(
            403,
            &[("x-amzn-errortype", "ForbiddenException"), ("content-type", "application/json")],
            r#"{"message":"Forbidden"}"#,
        );
    }
    let method = &parts.method;
    let id = parts.uri.path().strip_prefix("/@connections/").unwrap_or_default();
    let sender = registry.lock().expect("registry lock").get(id).cloned();
    let Some(sender) = sender else {
        return reply(
            410,
            &[("x-amzn-errortype", "GoneException"), ("content-type", "application/json")],
            r#"{"message":"Gone"}"#,
        );
    };
    match *method {
        http::Method::POST => {
            let bytes = body;
            // As API Gateway: a frame over 128 KB is refused.
            if bytes.len() > MAX_FRAME_BYTES {
                return reply(
                    413,
                    &[("x-amzn-errortype", "PayloadTooLargeException"), ("content-type", "application/json")],
                    r#"{"message":"Message too long"}"#,
                );
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match sender.send(Message::text(text)) {
                Ok(()) => reply(200, &[], Bytes::new()),
                Err(_) => reply(410, &[("x-amzn-errortype", "GoneException")], r#"{"message":"Gone"}"#),
            }
        }
        http::Method::DELETE => {
            let _ = sender.send(Message::Close(None));
            reply(204, &[], Bytes::new())
        }
        _ => reply(200, &[("content-type", "application/json")], format!(r#"{{"connectionId":"{id}"}}"#)),
    }
}

async fn handle(
    state: Arc<AppState>,
    registry: Registry,
    key: GatewayKey,
    domain: String,
    mut req: http::Request<Incoming>,
) -> http::Response<Full<Bytes>> {
    if req.uri().path().starts_with("/@connections/") {
        return manage(&registry, &key, req).await;
    }
    let is_upgrade = req
        .headers()
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) =
        req.headers().get("sec-websocket-key").map(|k| k.as_bytes().to_vec()).filter(|_| is_upgrade)
    else {
        return reply(426, &[("content-type", "application/json")], r#"{"message":"Upgrade Required"}"#);
    };
    let query: QueryMap = req.uri().query().unwrap_or("").parse().unwrap_or_default();
    let connection_id = uuid::Uuid::new_v4().simple().to_string();
    let connected =
        match gateway::connect(&state, &event("$connect", &connection_id, &domain, query, None)).await {
            Ok(res) if res.status_code == 200 => res,
            Ok(refused) => return from_lambda(refused),
            Err(e) => {
                tracing::error!(error = %e, "$connect failed");
                return reply(500, &[], r#"{"message":"Internal server error"}"#);
            }
        };
    drop(connected);
    // Register before the 101 goes out, so frames posted right after the handshake are kept.
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    registry.lock().expect("registry lock").insert(connection_id.clone(), tx);
    let upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else {
            registry.lock().expect("registry lock").remove(&connection_id);
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        let (mut sink, mut stream) = ws.split();
        loop {
            tokio::select! {
                outgoing = rx.recv() => match outgoing {
                    Some(Message::Close(frame)) => { let _ = sink.send(Message::Close(frame)).await; break; }
                    Some(m) => if sink.send(m).await.is_err() { break },
                    None => break,
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let e = event("$default", &connection_id, &domain, QueryMap::default(), Some(text.to_string()));
                        if let Err(err) = gateway::default(&state, &e).await {
                            tracing::error!(error = %err, "$default failed");
                        }
                    }
                    Some(Ok(Message::Ping(p))) => { let _ = sink.send(Message::Pong(p)).await; }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
        registry.lock().expect("registry lock").remove(&connection_id);
        let e = event("$disconnect", &connection_id, &domain, QueryMap::default(), None);
        if let Err(err) = gateway::disconnect(&state, &e).await {
            tracing::error!(error = %err, "$disconnect failed");
        }
    });
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(&key);
    reply(
        101,
        &[("upgrade", "websocket"), ("connection", "Upgrade"), ("sec-websocket-accept", &accept)],
        Bytes::new(),
    )
}

/// Serves the WebSocket API and its `@connections` API on `listener` until dropped. `state`
/// must post through [`management_client`] of this listener's address and `key`.
pub async fn serve(listener: TcpListener, state: Arc<AppState>, key: GatewayKey) -> Result<(), BoxError> {
    let domain = listener.local_addr()?.to_string();
    let registry: Registry = Arc::default();
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (state, registry, domain, key) = (state.clone(), registry.clone(), domain.clone(), key.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let (state, registry, domain, key) =
                    (state.clone(), registry.clone(), domain.clone(), key.clone());
                async move { Ok::<_, Infallible>(handle(state, registry, key, domain, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}
