//! The AWS SDK's HTTP client: hyper's pooled client over HTTP/1.1, rustls on ring, trusting the
//! AWS roots built in. It plugs into the SDK through its documented extension point
//! ([`HttpClient`]: one connector per timeout setting, each a [`HttpConnector`]).
//!
//! Why not the SDK's own `aws-smithy-http-client`: that crate always compiles hyper's HTTP/2
//! (the `h2` crate: about 0.4 MB of code and 42 KB of tables every start relocates) into every
//! package that has it, although DynamoDB, S3, SQS, SES and `@connections` all speak HTTP/1.1
//! to the SDK, and it only takes its roots as PEM, decoded by a constant-time base64 decoder at
//! every cold start. Here the roots are trust anchors extracted from the PEM files ahead of time
//! ([`anchors`], checked against the files by a test): a cold start decodes and parses no
//! certificate. Everything this module does beyond the wiring is hyper's, hyper-rustls' and
//! rustls': the connection pool, TLS, the connect timeout.
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod anchors;

/// The roots AWS service endpoints chain to: Amazon Trust Services' Amazon Root CA 1 to 4 and
/// the Starfield Services Root CA G2 that cross-signs them (PEM files in `shared/certs/`, from
/// the Debian `ca-certificates` bundle). What a function trusts is their trust anchors,
/// [`anchors::AWS_ANCHORS`], generated from these files.
#[cfg(test)]
const AWS_ROOTS: [&str; 5] = [
    include_str!("../certs/Amazon_Root_CA_1.pem"),
    include_str!("../certs/Amazon_Root_CA_2.pem"),
    include_str!("../certs/Amazon_Root_CA_3.pem"),
    include_str!("../certs/Amazon_Root_CA_4.pem"),
    include_str!("../certs/Starfield_Services_Root_Certificate_Authority_-_G2.pem"),
];

/// The SDK's HTTP client, one per process (every SDK client of a function shares it and its
/// connection pool). It also speaks plain HTTP, to the local emulators. It trusts the AWS roots
/// built in ([`AWS_ROOTS`]): the SDK only ever talks to AWS endpoints, and a cold start then
/// reads five certificates instead of the system's whole bundle (about 140).
/// `HELPDESK_TLS_ROOTS=system` trusts the system's roots instead (an endpoint behind a
/// TLS-inspecting proxy, say). The TLS configuration is built here, during init.
pub fn client() -> SharedHttpClient {
    SharedHttpClient::new(AwsHttpClient { tls: tls(), connectors: Default::default() })
}

/// The TLS configuration of every AWS connection of this process (the SDK's and [`Direct`]'s),
/// built once, by the first client.
fn tls() -> Arc<rustls::ClientConfig> {
    static TLS: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    TLS.get_or_init(|| {
        let roots = match std::env::var("HELPDESK_TLS_ROOTS").as_deref() {
            Ok("system") => system_roots(),
            _ => aws_roots(),
        };
        Arc::new(tls_config(roots))
    })
    .clone()
}

/// Plain HTTP requests to AWS outside the SDK (S3 objects read and written by presigned URL:
/// [`crate::store::objects`]), over the same TLS configuration and connector as the SDK's
/// client, with its connect timeout and its time limit to a response's head
/// ([`crate::state::timeouts`]).
#[derive(Debug, Clone)]
pub struct Direct {
    connector: Connector,
}

/// Why a [`Direct`] request failed before a response: `transient` for what a retry may cure
/// (a connection that could not be made or broke off, a timeout).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DirectError {
    pub message: String,
    pub transient: bool,
}

impl Direct {
    pub fn new() -> Self {
        let timeouts = crate::state::timeouts();
        Direct {
            connector: Connector::new(
                tls(),
                (timeouts.connect_timeout(), Some(crate::state::ATTEMPT_TIMEOUT)),
            ),
        }
    }

    /// Sends `request` and reads the whole response, the head within the attempt timeout and
    /// the body within `body_limit`.
    pub async fn send(
        &self,
        request: http::Request<SdkBody>,
        body_limit: Duration,
    ) -> Result<http::Response<hyper::body::Bytes>, DirectError> {
        use http_body_util::BodyExt;
        let limit = self.connector.read_timeout.unwrap_or(crate::state::ATTEMPT_TIMEOUT);
        let response = tokio::time::timeout(limit, self.connector.client.request(request))
            .await
            .map_err(|_| DirectError { message: format!("no response within {limit:?}"), transient: true })?
            .map_err(|e| {
                let transient = matches!(classify_kind(&e), Kind::Timeout | Kind::Broken);
                DirectError { message: crate::error::error_chain(&e), transient }
            })?;
        let (head, body) = response.into_parts();
        let body = tokio::time::timeout(body_limit, body.collect())
            .await
            .map_err(|_| DirectError {
                message: format!("response body not read within {body_limit:?}"),
                transient: true,
            })?
            .map_err(|e| DirectError { message: crate::error::error_chain(&e), transient: true })?
            .to_bytes();
        Ok(http::Response::from_parts(head, body))
    }
}

impl Default for Direct {
    fn default() -> Self {
        Self::new()
    }
}

fn tls_config(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// The AWS roots' trust anchors: static data, nothing decoded or parsed at a cold start.
fn aws_roots() -> rustls::RootCertStore {
    rustls::RootCertStore { roots: anchors::AWS_ANCHORS.to_vec() }
}

fn system_roots() -> rustls::RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::error!(error = %e, "reading the system's roots");
    }
    let mut store = rustls::RootCertStore::empty();
    let (added, refused) = store.add_parsable_certificates(found.certs);
    tracing::info!(added, refused, "trusting the system's roots");
    store
}

type Pooled = Client<hyper_rustls::HttpsConnector<TcpConnector>, SdkBody>;

#[derive(Debug)]
struct AwsHttpClient {
    tls: Arc<rustls::ClientConfig>,
    /// One connector per (connect timeout, read timeout) the SDK asks for: in practice one.
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

type Timeouts = (Option<Duration>, Option<Duration>);

impl HttpClient for AwsHttpClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = connectors.iter().find(|(k, _)| *k == key) {
            return c.clone();
        }
        let connector = SharedHttpConnector::new(Connector::new(self.tls.clone(), key));
        connectors.push((key, connector.clone()));
        connector
    }
}

#[derive(Debug, Clone)]
struct Connector {
    client: Pooled,
    read_timeout: Option<Duration>,
}

impl Connector {
    fn new(tls: Arc<rustls::ClientConfig>, (connect_timeout, read_timeout): Timeouts) -> Self {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            // The pool's idle timer (hyper's default 90 s idle timeout needs a timer to run).
            .pool_timer(TokioTimer::new())
            .build(https);
        Connector { client, read_timeout }
    }
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let (client, read_timeout) = (self.client.clone(), self.read_timeout);
        HttpConnectorFuture::new(async move {
            let sent = client.request(request);
            let response = match read_timeout {
                // The time to the response's head, as the SDK defines its read timeout.
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .map_err(|_| ConnectorError::timeout(format!("no response within {limit:?}").into()))?,
                None => sent.await,
            }
            .map_err(classify)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// What the SDK's retry strategy needs to know about a failure: a connection that could not be
/// made or broke off is an I/O error (transient: retried), a timeout is a timeout (retried),
/// anything else is not retried.
fn classify(e: hyper_util::client::legacy::Error) -> ConnectorError {
    match classify_kind(&e) {
        Kind::Timeout => ConnectorError::timeout(e.into()),
        Kind::Broken => ConnectorError::io(e.into()),
        Kind::Other => ConnectorError::other(e.into(), None),
    }
}

enum Kind {
    Timeout,
    Broken,
    Other,
}

fn classify_kind(e: &hyper_util::client::legacy::Error) -> Kind {
    let timed_out = source_of::<std::io::Error>(e)
        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        || source_of::<hyper::Error>(e).is_some_and(hyper::Error::is_timeout);
    let broken = e.is_connect()
        || source_of::<std::io::Error>(e).is_some()
        || source_of::<hyper::Error>(e)
            .is_some_and(|h| h.is_incomplete_message() || h.is_closed() || h.is_canceled());
    if timed_out {
        Kind::Timeout
    } else if broken {
        Kind::Broken
    } else {
        Kind::Other
    }
}

fn source_of<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    /// [`super::AWS_ROOTS`] decoded and parsed by rustls, as a function did at every cold start
    /// before the anchors were generated.
    fn roots_from_the_pem_files() -> rustls::RootCertStore {
        use base64::Engine;
        let mut store = rustls::RootCertStore::empty();
        for pem in super::AWS_ROOTS {
            assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 1);
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
            store.add(der.into()).expect("a certificate rustls accepts as a trust anchor");
        }
        store
    }

    /// `anchors.rs` as the PEM files make it.
    fn render(store: &rustls::RootCertStore) -> String {
        let bytes = |der: &[u8]| -> String {
            let hex: Vec<String> = der.iter().map(|b| format!("\\x{b:02x}")).collect();
            format!("Der::from_slice(b\"{}\")", hex.concat())
        };
        let mut out = String::from(
            "//! The trust anchors (subject, public key, name constraints) of the AWS roots in\n\
             //! `shared/certs/`, in `super::AWS_ROOTS`' order. Generated, do not edit: after changing a\n\
             //! certificate, run `UPDATE_AWS_ANCHORS=1 cargo test -p helpdesk aws_http` and commit the\n\
             //! result (the test fails while this file and the PEM files disagree).\n\
             use rustls::pki_types::{Der, TrustAnchor};\n\n\
             #[rustfmt::skip]\n\
             pub(super) const AWS_ANCHORS: [TrustAnchor<'static>; 5] = [\n",
        );
        for a in &store.roots {
            let constraints = match &a.name_constraints {
                Some(c) => format!("Some({})", bytes(c.as_ref())),
                None => "None".into(),
            };
            out += &format!(
                "    TrustAnchor {{\n        subject: {},\n        subject_public_key_info: {},\n        name_constraints: {constraints},\n    }},\n",
                bytes(a.subject.as_ref()),
                bytes(a.subject_public_key_info.as_ref()),
            );
        }
        out + "];\n"
    }

    #[test]
    fn the_built_in_anchors_are_those_of_the_aws_root_certificates() {
        let from_pem = roots_from_the_pem_files();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws_http/anchors.rs");
        let expected = render(&from_pem);
        if std::env::var_os("UPDATE_AWS_ANCHORS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            expected,
            "anchors.rs is not what shared/certs/ makes: run UPDATE_AWS_ANCHORS=1 cargo test -p helpdesk aws_http"
        );
        assert_eq!(super::aws_roots().roots, from_pem.roots, "the store a function builds");
        let store = super::aws_roots();
        assert_eq!(store.len(), 5, "every built-in root decodes and parses as a trust anchor");
        let subjects: Vec<String> =
            store.roots.iter().map(|r| String::from_utf8_lossy(r.subject.as_ref()).into_owned()).collect();
        for name in ["Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4"] {
            assert!(subjects.iter().any(|s| s.contains(name)), "{name} in {subjects:?}");
        }
        assert!(subjects.iter().any(|s| s.contains("Starfield Services Root Certificate Authority - G2")));
    }

    /// A refused connection is an I/O error (the SDK retries it); a read timeout is a timeout.
    #[tokio::test]
    async fn failures_are_classified_for_the_retry_strategy() {
        use aws_smithy_runtime_api::client::http::HttpConnector;
        use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
        use aws_smithy_types::body::SdkBody;
        let tls = std::sync::Arc::new(super::tls_config(super::aws_roots()));
        // A port nothing listens on: bound, then closed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let connector = super::Connector::new(tls.clone(), (Some(std::time::Duration::from_secs(2)), None));
        let request = HttpRequest::get(format!("http://{closed}/")).unwrap();
        let err = connector.call(request).await.unwrap_err();
        assert!(err.is_io(), "{err:?}");

        // A server that accepts and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let (socket, _) = silent.accept().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            drop(socket);
        });
        let connector = super::Connector::new(tls, (None, Some(std::time::Duration::from_millis(200))));
        let mut request = HttpRequest::new(SdkBody::from("{}"));
        request.set_uri(format!("http://{addr}/")).unwrap();
        let err = connector.call(request).await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        held.abort();
    }

    /// HTTPS end to end: the connector verifies the server's certificate against the roots it
    /// was given (TLS 1.3 on ring, HTTP/1.1), and refuses it against the AWS roots.
    #[tokio::test]
    async fn https_with_the_roots_given_and_only_those() {
        use aws_smithy_runtime_api::client::http::HttpConnector;
        use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
        use std::sync::Arc;
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = made.cert.der().clone();
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
        let server =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert.clone()], key.into())
                .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(socket).await else { return };
                    let tls13 = tls.get_ref().1.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
                    let service =
                        hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                            let body = format!(
                                "{} {} {:?} tls1.3={tls13}",
                                req.method(),
                                req.uri().path(),
                                req.version()
                            );
                            async move {
                                Ok::<_, std::convert::Infallible>(http::Response::new(
                                    http_body_util::Full::new(hyper::body::Bytes::from(body)),
                                ))
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        let url = format!("https://localhost:{port}/tables");
        let timeouts = (Some(std::time::Duration::from_secs(5)), Some(std::time::Duration::from_secs(5)));

        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let trusting = super::Connector::new(Arc::new(super::tls_config(roots)), timeouts);
        let response =
            trusting.call(HttpRequest::get(url.as_str()).unwrap()).await.expect("verified and answered");
        assert_eq!(response.status().as_u16(), 200);
        let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        assert_eq!(&body[..], b"GET /tables HTTP/1.1 tls1.3=true");

        let aws_only = super::Connector::new(Arc::new(super::tls_config(super::aws_roots())), timeouts);
        let refused = aws_only.call(HttpRequest::get(url.as_str()).unwrap()).await.unwrap_err();
        assert!(format!("{refused:?}").contains("UnknownIssuer"), "{refused:?}");
        served.abort();
    }
}
