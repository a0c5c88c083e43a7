//! What a function builds once per cold start and shares across invocations.
use crate::auth::token::TokenService;
use crate::config::Config;
use crate::cursor::CursorKey;
use crate::store::Store;

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenService,
    pub cursors: CursorKey,
    pub links: crate::auth::link::LinkKey,
    /// Serialises ticket-number allocation within this process (see
    /// [`crate::app::ticket_create::open_ticket`]).
    pub(crate) numbering: tokio::sync::Mutex<()>,
    s3: std::sync::OnceLock<aws_sdk_s3::Client>,
    /// Where [`Self::attachments`] builds the S3 client from on first use, when the function
    /// added it with [`Self::with_s3_on_first_use`].
    s3_on_first_use: Option<aws_config::SdkConfig>,
    ws: Option<aws_sdk_apigatewaymanagement::Client>,
    sqs: Option<aws_sdk_sqs::Client>,
    mail: Option<Mailer>,
}

/// What the mailer sends with.
pub struct Mailer {
    pub ses: aws_sdk_sesv2::Client,
    pub sender: String,
    pub frontend_url: String,
    /// Where replies go (`INBOUND_DOMAIN`; default the sender's domain).
    pub receiving_domain: String,
}

impl Mailer {
    /// `reply+TKT-000042.<tag>@<receiving domain>`: a reply names its ticket, signed.
    pub fn reply_to(&self, ticket_number: &str, links: &crate::auth::link::LinkKey) -> String {
        format!("reply+{ticket_number}.{}@{}", links.reply_tag(ticket_number), self.receiving_domain)
    }
}

impl AppState {
    pub fn new(config: Config, dynamodb: aws_sdk_dynamodb::Client) -> Self {
        let store = Store::new(crate::telemetry::counting(dynamodb), config.table_name.clone());
        let tokens = TokenService::new(config.jwt_secret.expose(), config.token_ttl_seconds);
        let cursors = CursorKey::new(config.jwt_secret.expose());
        let links = crate::auth::link::LinkKey::new(config.jwt_secret.expose());
        Self {
            config,
            store,
            tokens,
            cursors,
            links,
            numbering: tokio::sync::Mutex::new(()),
            s3: std::sync::OnceLock::new(),
            s3_on_first_use: None,
            ws: None,
            sqs: None,
            mail: None,
        }
    }

    /// Adds the S3 client attachment routes use.
    pub fn with_s3(self, s3: aws_sdk_s3::Client) -> Self {
        let _ = self.s3.set(s3);
        self
    }

    /// Adds the client of the WebSocket API's `@connections` endpoint.
    pub fn with_ws(mut self, ws: aws_sdk_apigatewaymanagement::Client) -> Self {
        self.ws = Some(ws);
        self
    }

    pub fn with_sqs(mut self, sqs: aws_sdk_sqs::Client) -> Self {
        self.sqs = Some(sqs);
        self
    }

    /// Adds SES; the sender comes from `SENDER_EMAIL`.
    pub fn with_ses(mut self, ses: aws_sdk_sesv2::Client) -> Self {
        let sender = self.config.sender_email.clone().unwrap_or_else(|| "helpdesk@example.com".into());
        let receiving_domain = self.config.receiving_domain();
        self.mail =
            Some(Mailer { ses, sender, frontend_url: self.config.frontend_url.clone(), receiving_domain });
        self
    }

    /// The SQS client and the webhook delivery queue URL.
    pub fn webhook_queue(&self) -> Result<(&aws_sdk_sqs::Client, &str), crate::BoxError> {
        match (&self.sqs, &self.config.webhook_queue_url) {
            (Some(sqs), Some(url)) => Ok((sqs, url.as_str())),
            _ => Err("WEBHOOK_QUEUE_URL or the SQS client is not configured".into()),
        }
    }

    /// The SQS client and the mail queue URL.
    pub fn mail_queue(&self) -> Result<(&aws_sdk_sqs::Client, &str), crate::BoxError> {
        match (&self.sqs, &self.config.mail_queue_url) {
            (Some(sqs), Some(url)) => Ok((sqs, url)),
            _ => Err("MAIL_QUEUE_URL or the SQS client is not configured".into()),
        }
    }

    pub fn mailer(&self) -> Result<&Mailer, crate::BoxError> {
        self.mail.as_ref().ok_or_else(|| "SENDER_EMAIL / SES is not configured".into())
    }

    pub fn ws(&self) -> Result<&aws_sdk_apigatewaymanagement::Client, crate::BoxError> {
        self.ws.as_ref().ok_or_else(|| "WS_MANAGEMENT_ENDPOINT is not configured".into())
    }

    /// The S3 client and the attachments bucket, or a 500 when this function has none.
    pub fn attachments(&self) -> Result<(&aws_sdk_s3::Client, &str), crate::ApiError> {
        let s3 = self.s3.get().or_else(|| {
            let sdk = self.s3_on_first_use.as_ref()?;
            Some(self.s3.get_or_init(|| aws_sdk_s3::Client::new(sdk)))
        });
        match (s3, &self.config.attachments_bucket) {
            (Some(s3), Some(bucket)) => Ok((s3, bucket)),
            _ => Err(crate::ApiError::internal("ATTACHMENTS_BUCKET or the S3 client is not configured")),
        }
    }

    /// Configuration and the DynamoDB client from the environment, and the SDK configuration
    /// for the other clients a function adds ([`Self::with_s3_from`] and friends), so that a
    /// function builds (and links) only the clients it uses.
    pub async fn from_env() -> Result<(Self, aws_config::SdkConfig), crate::BoxError> {
        let config = Config::from_env()?;
        let sdk = sdk_config().await;
        Ok((Self::new(config, crate::telemetry::counting_client(&sdk)), sdk))
    }

    /// Adds the S3 client, built now (the cold start): for functions where every request that
    /// gets past authentication uses it (the attachment routes, the cleaner). Work done during
    /// Lambda's init phase is work the first request does not wait for.
    pub fn with_s3_from(self, sdk: &aws_config::SdkConfig) -> Self {
        self.with_s3(aws_sdk_s3::Client::new(sdk))
    }

    /// Adds the S3 client, built by the first request that needs it: for functions where few
    /// requests do (a comment with attachments; most have none). Building it costs a cold start
    /// about 0.3 ms (its endpoint rules parse the partition table), which the requests that never
    /// touch S3 then do not pay.
    pub fn with_s3_on_first_use(mut self, sdk: &aws_config::SdkConfig) -> Self {
        self.s3_on_first_use = Some(sdk.clone());
        self
    }

    /// Adds the `@connections` client for `WS_MANAGEMENT_ENDPOINT` (if set).
    pub fn with_ws_from(self, sdk: &aws_config::SdkConfig) -> Self {
        match self.config.ws_management_endpoint.clone() {
            Some(endpoint) => {
                let conf =
                    aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(endpoint).build();
                self.with_ws(aws_sdk_apigatewaymanagement::Client::from_conf(conf))
            }
            None => self,
        }
    }

    /// Adds the SQS client (the notifier's mail queue).
    pub fn with_sqs_from(self, sdk: &aws_config::SdkConfig) -> Self {
        self.with_sqs(aws_sdk_sqs::Client::new(sdk))
    }

    /// Adds SES (the mailer).
    pub fn with_ses_from(self, sdk: &aws_config::SdkConfig) -> Self {
        self.with_ses(aws_sdk_sesv2::Client::new(sdk))
    }
}

/// The roots AWS service endpoints chain to: Amazon Trust Services' Amazon Root CA 1 to 4 and
/// the Starfield Services Root CA G2 that cross-signs them (PEM files in `shared/certs/`, from
/// the Debian `ca-certificates` bundle).
const AWS_ROOTS: [&str; 5] = [
    include_str!("../certs/Amazon_Root_CA_1.pem"),
    include_str!("../certs/Amazon_Root_CA_2.pem"),
    include_str!("../certs/Amazon_Root_CA_3.pem"),
    include_str!("../certs/Amazon_Root_CA_4.pem"),
    include_str!("../certs/Starfield_Services_Root_Certificate_Authority_-_G2.pem"),
];

/// The SDK's HTTP client: hyper with rustls on ring (the SDK's default would link aws-lc, about
/// 2 MB more in every package). One per process; it also speaks plain HTTP to the local
/// emulators. It trusts the AWS roots built in ([`AWS_ROOTS`]): the SDK only ever talks to AWS
/// endpoints, and a cold start then parses five certificates instead of reading and parsing
/// the system's whole bundle (about 140). `HELPDESK_TLS_ROOTS=system` trusts the system's
/// roots instead (an endpoint behind a TLS-inspecting proxy, say).
pub fn http_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider, TlsContext, TrustStore};
    let trust = match std::env::var("HELPDESK_TLS_ROOTS").as_deref() {
        Ok("system") => TrustStore::default(),
        _ => AWS_ROOTS.iter().fold(TrustStore::empty(), |t, pem| t.with_pem_certificate(pem.as_bytes())),
    };
    let builder = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring));
    match TlsContext::builder().with_trust_store(trust).build() {
        Ok(context) => builder.tls_context(context).build_https(),
        Err(e) => {
            tracing::error!(error = %e, "TLS roots refused; using the system's");
            builder.build_https()
        }
    }
}

/// The SDK configuration from the environment (region, credentials, endpoints), with
/// [`http_client`] and [`timeouts`].
///
/// Inside Lambda the environment already holds everything the default provider chain would
/// end up with: `AWS_REGION` and the execution role's credentials (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, fixed for the life of the execution
/// environment). A cold start then builds the configuration from those directly
/// ([`lambda_sdk_config`]) instead of walking the chain (profile files, a dozen setting
/// providers, the credential providers for IMDS, ECS, SSO, web identity...). Anywhere else,
/// when any of them is missing, or with `HELPDESK_SDK_CONFIG=default-chain`: the default chain.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if env("HELPDESK_SDK_CONFIG").as_deref() != Some("default-chain") {
        if let Some(config) = lambda_sdk_config(env) {
            return config;
        }
    }
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client())
        .timeout_config(timeouts())
        .load()
        .await
}

/// The configuration a Lambda execution environment implies (see [`sdk_config`]), read through
/// `env`; `None` outside Lambda or when a setting the default chain would find is missing.
/// Endpoint overrides are honoured as the default chain honours them: `AWS_ENDPOINT_URL` for
/// every client, `AWS_ENDPOINT_URL_<SERVICE>` (`..._DYNAMODB`, `..._S3`) for one.
pub fn lambda_sdk_config(env: impl Fn(&str) -> Option<String>) -> Option<aws_config::SdkConfig> {
    use aws_sdk_dynamodb::config::{Credentials, SharedAsyncSleep, SharedCredentialsProvider};
    env("AWS_LAMBDA_FUNCTION_NAME")?;
    // Settings only profile files or the chain's other sources can supply: leave them to it.
    for chain_only in
        ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_USE_FIPS_ENDPOINT"]
    {
        if env(chain_only).is_some() {
            return None;
        }
    }
    let region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"))?;
    let credentials = Credentials::new(
        env("AWS_ACCESS_KEY_ID")?,
        env("AWS_SECRET_ACCESS_KEY")?,
        env("AWS_SESSION_TOKEN"),
        None,
        "LambdaEnvironment",
    );
    let service_endpoints = ServiceEndpoints::from_env(&env);
    let mut builder = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .identity_cache(aws_sdk_dynamodb::config::IdentityCache::lazy().build())
        .http_client(http_client())
        .timeout_config(timeouts())
        .retry_config(aws_config::retry::RetryConfig::standard())
        .sleep_impl(SharedAsyncSleep::new(aws_smithy_async::rt::sleep::TokioSleep::new()))
        .service_config(service_endpoints);
    if let Some(url) = env("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(url);
    }
    Some(builder.build())
}

/// `AWS_ENDPOINT_URL_<SERVICE>` values from the environment, answered to each client as the
/// default chain's environment source answers them (the service id upper-cased, spaces and
/// dashes as underscores: `DynamoDB` → `AWS_ENDPOINT_URL_DYNAMODB`).
#[derive(Debug, Default)]
struct ServiceEndpoints(Vec<(String, String)>);

impl ServiceEndpoints {
    fn from_env(env: &impl Fn(&str) -> Option<String>) -> Self {
        let services = ["DYNAMODB", "DYNAMODB_STREAMS", "S3", "SQS", "SESV2", "APIGATEWAYMANAGEMENTAPI"];
        ServiceEndpoints(
            services
                .iter()
                .filter_map(|s| {
                    let name = format!("AWS_ENDPOINT_URL_{s}");
                    env(&name).map(|v| (name, v))
                })
                .collect(),
        )
    }
}

impl aws_types::service_config::LoadServiceConfig for ServiceEndpoints {
    fn load_config(&self, key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        let service = key.service_id().to_uppercase().replace([' ', '-'], "_");
        let name = format!("{}_{service}", key.env());
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }
}

/// How long one attempt of an AWS call may take before the SDK gives up on it and retries
/// (standard retry mode, 3 attempts), and how long the whole call may take: a hung connection
/// costs seconds, not the function's timeout.
pub fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(2))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(std::time::Duration::from_secs(10))
        .build()
}

/// See [`timeouts`].
pub const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

#[cfg(test)]
mod sdk_config_tests {
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| vars.get(k).cloned()
    }

    const LAMBDA: [(&str, &str); 5] = [
        ("AWS_LAMBDA_FUNCTION_NAME", "tickets-show"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "session"),
    ];

    #[tokio::test]
    async fn lambda_environments_are_read_directly() {
        use aws_sdk_dynamodb::config::ProvideCredentials;
        let config = super::lambda_sdk_config(env(&LAMBDA)).expect("a Lambda environment");
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
        let creds = config.credentials_provider().unwrap().provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(creds.session_token(), Some("session"));
        assert_eq!(config.retry_config().map(|r| r.max_attempts()), Some(3));
        assert!(config.sleep_impl().is_some() && config.identity_cache().is_some());
        assert_eq!(
            config.timeout_config().and_then(|t| t.operation_attempt_timeout()),
            Some(super::ATTEMPT_TIMEOUT)
        );
        assert_eq!(config.endpoint_url(), None);
    }

    /// What a client asks the shared configuration for its endpoint (as the generated
    /// `Config::from(&SdkConfig)` does: service id, `AWS_ENDPOINT_URL`, `endpoint_url`).
    fn endpoint_for(config: &aws_config::SdkConfig, service_id: &str) -> Option<String> {
        let key = aws_types::service_config::ServiceConfigKey::builder()
            .service_id(service_id)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .unwrap();
        config.service_config().and_then(|c| c.load_config(key))
    }

    #[test]
    fn endpoint_overrides_reach_the_clients_they_name() {
        let mut vars = LAMBDA.to_vec();
        vars.push(("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"));
        vars.push(("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", "http://127.0.0.1:3001"));
        let config = super::lambda_sdk_config(env(&vars)).unwrap();
        assert_eq!(endpoint_for(&config, "DynamoDB").as_deref(), Some("http://127.0.0.1:8000"));
        assert_eq!(
            endpoint_for(&config, "ApiGatewayManagementApi").as_deref(),
            Some("http://127.0.0.1:3001")
        );
        assert_eq!(endpoint_for(&config, "S3"), None);
        assert_eq!(config.endpoint_url(), None);
        vars.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"));
        let config = super::lambda_sdk_config(env(&vars)).unwrap();
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9000"), "every other client's endpoint");
        assert_eq!(endpoint_for(&config, "DynamoDB").as_deref(), Some("http://127.0.0.1:8000"));
    }

    #[test]
    fn outside_lambda_or_without_credentials_the_default_chain_decides() {
        let without = |name: &str| LAMBDA.iter().copied().filter(|(k, _)| *k != name).collect::<Vec<_>>();
        assert!(super::lambda_sdk_config(env(&without("AWS_LAMBDA_FUNCTION_NAME"))).is_none());
        assert!(super::lambda_sdk_config(env(&without("AWS_REGION"))).is_none());
        assert!(super::lambda_sdk_config(env(&without("AWS_SECRET_ACCESS_KEY"))).is_none());
        let mut profiled = LAMBDA.to_vec();
        profiled.push(("AWS_PROFILE", "other"));
        assert!(super::lambda_sdk_config(env(&profiled)).is_none());
    }

    #[tokio::test]
    async fn an_s3_client_on_first_use_is_built_once_when_asked_for() {
        let sdk = super::lambda_sdk_config(env(&LAMBDA)).expect("a Lambda environment");
        let mut config = crate::config::Config::new("t", vec![7u8; 64]).unwrap();
        config.attachments_bucket = Some("bucket".into());
        let plain = super::AppState::new(config.clone(), aws_sdk_dynamodb::Client::new(&sdk));
        assert!(plain.attachments().is_err(), "no S3 client was added");
        let state = plain.with_s3_on_first_use(&sdk);
        assert!(state.s3.get().is_none(), "nothing is built before it is needed");
        let (first, bucket) = state.attachments().expect("built on first use");
        assert_eq!(bucket, "bucket");
        assert_eq!(first.config().region().map(|r| r.as_ref()), Some("eu-west-1"));
        let (second, _) = state.attachments().unwrap();
        assert!(std::ptr::eq(first, second), "one client for the life of the process");
    }
}

#[cfg(test)]
mod roots_tests {
    use base64::Engine;

    #[test]
    fn the_built_in_aws_roots_are_one_certificate_each() {
        for pem in super::AWS_ROOTS {
            assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 1);
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
            // A DER SEQUENCE with a two-byte length that covers the whole certificate.
            assert_eq!((der[0], der[1]), (0x30, 0x82));
            assert_eq!(usize::from(der[2]) << 8 | usize::from(der[3]), der.len() - 4);
        }
        let _client = super::http_client();
    }
}
