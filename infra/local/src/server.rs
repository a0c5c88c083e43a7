//! The HTTP side of the local stack: a small hyper server in front of [`crate::router`].
use helpdesk::AppState;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::Body;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

/// API Gateway's own payload limit; the handlers apply the API's tighter JSON limit.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

async fn serve_one(
    state: Arc<AppState>,
    mail: Option<Arc<str>>,
    req: http::Request<Incoming>,
) -> http::Response<Full<Bytes>> {
    if let (Some(endpoint), "/_local/mail", &http::Method::GET) = (&mail, req.uri().path(), req.method()) {
        let accept = req.headers().get(http::header::ACCEPT).and_then(|a| a.to_str().ok());
        return to_hyper(crate::router::mail_sink(endpoint, accept).await);
    }
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, MAX_PAYLOAD).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let res =
                helpdesk::ApiError::PayloadTooLarge("The request body is too large.".into()).into_response();
            return to_hyper(res);
        }
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    let res = crate::router::dispatch(&state, http::Request::from_parts(parts, body)).await;
    to_hyper(res)
}

fn to_hyper(res: http::Response<Body>) -> http::Response<Full<Bytes>> {
    let (parts, body) = res.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    http::Response::from_parts(parts, Full::new(bytes))
}

/// Accepts connections until the task is dropped. With `mail_sink` (moto's endpoint) it also
/// serves `GET /_local/mail`.
pub async fn serve(listener: TcpListener, state: Arc<AppState>, mail_sink: Option<String>) {
    let mail: Option<Arc<str>> = mail_sink.map(Into::into);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let (state, mail) = (state.clone(), mail.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (state, mail) = (state.clone(), mail.clone());
                async move { Ok::<_, Infallible>(serve_one(state, mail, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
