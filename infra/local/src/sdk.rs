//! One SDK configuration for the local emulators (DynamoDB Local, its streams, moto, the local
//! S3, the local `@connections` API): a fixed region, fixed local-only credentials and the
//! emulator's endpoint, no environment or profile lookups, and [`timeouts`] sized for
//! emulators sharing a laptop's (or CI's two) cores with the test suite.
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// The configuration for an emulator at `endpoint` with the dummy credentials `local`/`local`.
pub fn config(endpoint: &str) -> SdkConfig {
    config_with(endpoint, "local", "local")
}

/// The same with other (still local-only) credentials, for an emulator that checks them.
pub fn config_with(endpoint: &str, access_key: &str, secret_key: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .http_client(helpdesk::aws_http::client())
        .timeout_config(timeouts())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            access_key,
            secret_key,
            None,
            None,
            "helpdesk-local",
        )))
        .build()
}

/// The emulators' timeouts: 10 s per attempt, 30 s per call. DynamoDB Local is a JVM; on two
/// cores beside a parallel test suite it pauses (GC, JIT, a neighbour's thousand-item import)
/// for longer than production's 2 s attempt timeout ([`helpdesk::state::timeouts`]), and a
/// timed-out attempt there measures the machine, not the code. The fault-injection tests keep
/// the production timeouts (their delays are sized past them).
pub fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .operation_attempt_timeout(std::time::Duration::from_secs(10))
        .operation_timeout(std::time::Duration::from_secs(30))
        .build()
}

/// The configuration for a tool run against a deployed stack (`helpdesk-admin`): the SDK's
/// default provider chain (environment, profile files, SSO, IMDS...), with the functions' HTTPS
/// client and timeouts. The functions themselves never walk the chain
/// ([`helpdesk::state::lambda_sdk_config`]).
pub async fn default_chain() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(helpdesk::aws_http::client())
        .timeout_config(helpdesk::state::timeouts())
        .load()
        .await
}
