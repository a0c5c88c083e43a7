//! What a function builds once per cold start and shares across invocations.
use crate::auth::token::TokenService;
use crate::config::Config;
use crate::cursor::CursorKey;
use crate::store::Store;
use aws_types::SdkConfig;

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
    s3_on_first_use: Option<SdkConfig>,
    /// Presigned URLs for the attachments bucket, or why this function has none.
    presigner: Result<crate::store::presign::Presigner, String>,
    /// Objects of the attachments bucket read and written by presigned URL, or why none.
    objects: Result<crate::store::objects::Objects, String>,
    ws: Option<aws_sdk_apigatewaymanagement::Client>,
    sqs: std::sync::OnceLock<aws_sdk_sqs::Client>,
    /// Where [`Self::sqs`] builds the SQS client from on first use, when the function added it
    /// with [`Self::with_sqs_on_first_use`].
    sqs_on_first_use: Option<SdkConfig>,
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
            presigner: Err(
                "this function was built without the presigner (AppState::with_presigner_from)".into()
            ),
            objects: Err("this function was built without object access (AppState::with_objects_from)".into()),
            ws: None,
            sqs: std::sync::OnceLock::new(),
            sqs_on_first_use: None,
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

    pub fn with_sqs(self, sqs: aws_sdk_sqs::Client) -> Self {
        let _ = self.sqs.set(sqs);
        self
    }

    /// The SQS client: the one added, or built now from the configuration
    /// [`Self::with_sqs_on_first_use`] left.
    fn sqs(&self) -> Option<&aws_sdk_sqs::Client> {
        self.sqs.get().or_else(|| {
            let sdk = self.sqs_on_first_use.as_ref()?;
            Some(self.sqs.get_or_init(|| crate::telemetry::sqs_client(sdk)))
        })
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
        match (self.sqs(), &self.config.webhook_queue_url) {
            (Some(sqs), Some(url)) => Ok((sqs, url.as_str())),
            _ => Err("WEBHOOK_QUEUE_URL or the SQS client is not configured".into()),
        }
    }

    /// The SQS client and the mail queue URL.
    pub fn mail_queue(&self) -> Result<(&aws_sdk_sqs::Client, &str), crate::BoxError> {
        match (self.sqs(), &self.config.mail_queue_url) {
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
            Some(self.s3.get_or_init(|| crate::telemetry::s3_client(sdk)))
        });
        match (s3, &self.config.attachments_bucket) {
            (Some(s3), Some(bucket)) => Ok((s3, bucket)),
            _ => Err(crate::ApiError::internal("ATTACHMENTS_BUCKET or the S3 client is not configured")),
        }
    }

    /// The presigner for the attachments bucket (`ATTACHMENTS_BUCKET`), or a 500 when this
    /// function has none.
    pub fn object_urls(&self) -> Result<&crate::store::presign::Presigner, crate::ApiError> {
        self.presigner.as_ref().map_err(|e| crate::ApiError::internal(e.clone()))
    }

    /// Reads and writes of the attachments bucket's objects, or a 500 when this function has
    /// none.
    pub fn objects(&self) -> Result<&crate::store::objects::Objects, crate::ApiError> {
        self.objects.as_ref().map_err(|e| crate::ApiError::internal(e.clone()))
    }

    /// Configuration and the DynamoDB client from the environment, and the SDK configuration
    /// for the other clients a function adds ([`Self::with_sqs_from`] and friends), so that a
    /// function builds (and links) only the clients it uses. The SDK configuration is the one
    /// the Lambda environment implies ([`lambda_sdk_config`]); a setting it needs that is
    /// missing is an init error that names it.
    pub async fn from_env() -> Result<(Self, SdkConfig), crate::BoxError> {
        let config = Config::from_env()?;
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        check_partition_file(env)?;
        let sdk = lambda_sdk_config(env)?;
        Ok((Self::new(config, crate::telemetry::counting_client(&sdk)), sdk))
    }

    /// Adds the presigner for `ATTACHMENTS_BUCKET` (every HTTP function has it:
    /// `http::lambda`): routes that hand out presigned URLs call nothing on S3 and build no S3
    /// client, whose endpoint rules would cost a cold start about 0.27 ms. Nothing is parsed or
    /// sent to build it.
    pub fn with_presigner_from(mut self, sdk: &SdkConfig) -> Self {
        self.presigner = match &self.config.attachments_bucket {
            Some(bucket) => crate::store::presign::Presigner::new(sdk, bucket).map_err(|e| e.to_string()),
            None => Err("ATTACHMENTS_BUCKET is not set".into()),
        };
        self
    }

    /// Adds a presigner built elsewhere (the local stack's, for its S3), and object reads and
    /// writes through it.
    pub fn with_presigner(mut self, presigner: crate::store::presign::Presigner) -> Self {
        self.presigner = Ok(presigner);
        self.objects = self.objects_through_presigner();
        self
    }

    /// Adds reads and writes of `ATTACHMENTS_BUCKET`'s objects by presigned URL
    /// ([`crate::store::objects`]): for received mail, which reads and writes objects on every
    /// invocation and builds no S3 client.
    pub fn with_objects_from(self, sdk: &SdkConfig) -> Self {
        let mut state = self.with_presigner_from(sdk);
        state.objects = state.objects_through_presigner();
        state
    }

    fn objects_through_presigner(&self) -> Result<crate::store::objects::Objects, String> {
        let presigner = self.presigner.clone()?;
        Ok(crate::store::objects::Objects::new(presigner, crate::aws_http::Direct::new()))
    }

    /// Adds the S3 client, built by the first request that needs it (every HTTP function has
    /// this; only a comment with attachments uses it, to check the uploads). Building it costs
    /// about 0.3 ms (its endpoint rules parse the partition table), which the requests that never
    /// touch S3 then do not pay.
    pub fn with_s3_on_first_use(mut self, sdk: &SdkConfig) -> Self {
        self.s3_on_first_use = Some(sdk.clone());
        self
    }

    /// Adds the `@connections` client for `WS_MANAGEMENT_ENDPOINT` (if set).
    pub fn with_ws_from(self, sdk: &SdkConfig) -> Self {
        match self.config.ws_management_endpoint.clone() {
            Some(endpoint) => {
                let conf = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
                    .endpoint_url(endpoint)
                    .interceptor(crate::telemetry::RecordAccess)
                    .build();
                self.with_ws(aws_sdk_apigatewaymanagement::Client::from_conf(conf))
            }
            None => self,
        }
    }

    /// Adds the SQS client, built now (the cold start): for the notifier, which queues a job
    /// for every record it is given.
    pub fn with_sqs_from(self, sdk: &SdkConfig) -> Self {
        self.with_sqs(crate::telemetry::sqs_client(sdk))
    }

    /// Adds the SQS client, built by the first call that needs it: for the queue consumers
    /// (mailer, webhook delivery), which call SQS only to delay the retry of a message that
    /// failed. Building it costs a start about 0.25 ms (its endpoint rules parse the SDK's
    /// partition table), which a start that has nothing to retry then does not pay.
    pub fn with_sqs_on_first_use(mut self, sdk: &SdkConfig) -> Self {
        self.sqs_on_first_use = Some(sdk.clone());
        self
    }

    /// Adds SES (the mailer).
    pub fn with_ses_from(self, sdk: &SdkConfig) -> Self {
        self.with_ses(crate::telemetry::ses_client(sdk))
    }
}

/// The SDK configuration of a function: the one its Lambda execution environment implies, read
/// through `env` (the process environment), with [`http_client`] and [`timeouts`].
///
/// Lambda sets everything the SDK's default provider chain would end up with: `AWS_REGION` and
/// the execution role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, fixed for the life of the execution environment). The functions read
/// those directly and never walk the chain (profile files, a dozen setting providers, the
/// credential providers for IMDS, ECS, SSO, web identity, STS), so none of that is linked into
/// them: measured, the chain's code alone made every start about 45 page faults (0.2–0.4 ms)
/// slower though it never ran (docs/benchmarks.md). The settings of the environment the
/// chain's environment source honours are honoured here too: `AWS_ENDPOINT_URL` for every
/// client, `AWS_ENDPOINT_URL_<SERVICE>` (`..._DYNAMODB`, `..._S3`) for one,
/// `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT`. Profile files are not read (a
/// Lambda package has none). Tools that run elsewhere (`helpdesk-admin`) use the default chain.
pub fn lambda_sdk_config(env: impl Fn(&str) -> Option<String>) -> Result<SdkConfig, MissingSetting> {
    use aws_sdk_dynamodb::config::{
        BehaviorVersion, Credentials, IdentityCache, Region, SharedAsyncSleep, SharedCredentialsProvider,
    };
    let required = |name: &'static str| env(name).ok_or(MissingSetting(name));
    let region =
        env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).ok_or(MissingSetting("AWS_REGION"))?;
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        env("AWS_SESSION_TOKEN"),
        None,
        "LambdaEnvironment",
    );
    let flag = |name: &str| env(name).map(|v| v.eq_ignore_ascii_case("true"));
    let service_endpoints = ServiceEndpoints::from_env(&env);
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .identity_cache(IdentityCache::lazy().build())
        .http_client(crate::aws_http::client())
        .timeout_config(timeouts())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::standard())
        .sleep_impl(SharedAsyncSleep::new(aws_smithy_async::rt::sleep::TokioSleep::new()))
        .service_config(service_endpoints);
    builder.set_use_fips(flag("AWS_USE_FIPS_ENDPOINT"));
    builder.set_use_dual_stack(flag("AWS_USE_DUALSTACK_ENDPOINT"));
    if let Some(url) = env("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(url);
    }
    Ok(builder.build())
}

/// The SDK's partition table file (`SMITHY_CLIENT_SDK_CUSTOM_PARTITION`, which template.yaml
/// points at the deployment's partition in the package: `infra/partitions/`) is readable when
/// set: the SDK would panic building the first client otherwise; this is an init error that
/// says what is wrong instead.
pub fn check_partition_file(env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
    const NAME: &str = "SMITHY_CLIENT_SDK_CUSTOM_PARTITION";
    match env(NAME) {
        Some(path) if std::fs::File::open(&path).is_err() => Err(format!(
            "{NAME} names {path}, which cannot be read: `make build` packages infra/partitions/ beside \
             each bootstrap (one file per AWS partition)"
        )),
        _ => Ok(()),
    }
}

/// A setting [`lambda_sdk_config`] needs that the environment lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingSetting(pub &'static str);

impl std::fmt::Display for MissingSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not set: a function builds its AWS SDK configuration from the environment Lambda \
             sets (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
            self.0
        )
    }
}

impl std::error::Error for MissingSetting {}

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
pub fn timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
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

    #[test]
    fn a_partition_file_that_cannot_be_read_is_an_init_error_that_names_it() {
        let named = |path: &str| env(&[("SMITHY_CLIENT_SDK_CUSTOM_PARTITION", path)]);
        let missing = super::check_partition_file(named("/var/task/partitions/aws.json")).unwrap_err();
        assert!(
            missing.contains("/var/task/partitions/aws.json") && missing.contains("make build"),
            "{missing}"
        );
        let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/partitions/aws.json");
        assert_eq!(super::check_partition_file(named(shipped)), Ok(()));
        assert_eq!(super::check_partition_file(env(&[])), Ok(()), "unset: the SDK's own table");
    }

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
    fn endpoint_for(config: &aws_types::SdkConfig, service_id: &str) -> Option<String> {
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
    fn a_missing_setting_is_named_and_nothing_else_is_consulted() {
        let without = |name: &str| LAMBDA.iter().copied().filter(|(k, _)| *k != name).collect::<Vec<_>>();
        for name in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let err = super::lambda_sdk_config(env(&without(name))).unwrap_err();
            assert_eq!(err, super::MissingSetting(name));
            assert!(err.to_string().starts_with(&format!("{name} is not set: ")), "{err}");
        }
        // The session token is optional (long-lived keys have none); the legacy region name counts.
        assert!(super::lambda_sdk_config(env(&without("AWS_SESSION_TOKEN"))).is_ok());
        let mut legacy = without("AWS_REGION");
        legacy.push(("AWS_DEFAULT_REGION", "eu-central-1"));
        let config = super::lambda_sdk_config(env(&legacy)).unwrap();
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-central-1"));
        // Profile settings are not read: the environment's values stand.
        let mut profiled = LAMBDA.to_vec();
        profiled.push(("AWS_PROFILE", "other"));
        let config = super::lambda_sdk_config(env(&profiled)).unwrap();
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
    }

    #[test]
    fn fips_and_dual_stack_endpoints_are_honoured() {
        let config = super::lambda_sdk_config(env(&LAMBDA)).unwrap();
        assert_eq!((config.use_fips(), config.use_dual_stack()), (None, None));
        let mut vars = LAMBDA.to_vec();
        vars.push(("AWS_USE_FIPS_ENDPOINT", "true"));
        vars.push(("AWS_USE_DUALSTACK_ENDPOINT", "false"));
        let config = super::lambda_sdk_config(env(&vars)).unwrap();
        assert_eq!((config.use_fips(), config.use_dual_stack()), (Some(true), Some(false)));
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
