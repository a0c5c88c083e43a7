//! One SDK configuration for the local emulators (DynamoDB Local, its streams, moto, the local
//! S3, the local `@connections` API): a fixed region, fixed local-only credentials and the
//! emulator's endpoint, no environment or profile lookups.
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
        .http_client(helpdesk::state::http_client())
        .timeout_config(helpdesk::state::timeouts())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            access_key,
            secret_key,
            None,
            None,
            "helpdesk-local",
        )))
        .build()
}
