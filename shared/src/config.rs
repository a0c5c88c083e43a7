//! Runtime configuration, read once per cold start from the environment.
use std::env;

/// The shortest HMAC secret the service agrees to sign tokens with (256 bits).
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} is invalid: {1}")]
    Invalid(&'static str, String),
    #[error("JWT_SECRET must be at least {MIN_SECRET_LEN} bytes long")]
    SecretTooShort,
}

#[derive(Clone)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// HMAC key for access tokens (and, later, cursors).
    pub jwt_secret: Vec<u8>,
    /// Lifetime of an access token and its session, in seconds.
    pub token_ttl_seconds: i64,
    /// The attachments bucket (`ATTACHMENTS_BUCKET`); only attachment routes need it.
    pub attachments_bucket: Option<String>,
    /// Largest accepted upload, bytes (`MAX_ATTACHMENT_BYTES`, default 25 MiB).
    pub max_attachment_bytes: u64,
    /// The WebSocket API's `@connections` endpoint (`WS_MANAGEMENT_ENDPOINT`,
    /// `https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
    pub ws_management_endpoint: Option<String>,
    /// The mail job queue (`MAIL_QUEUE_URL`; notifier).
    pub mail_queue_url: Option<String>,
    /// The sender address (`SENDER_EMAIL`; mailer).
    pub sender_email: Option<String>,
    /// Links in mail point here (`FRONTEND_URL`).
    pub frontend_url: String,
    /// First retry delay of a failed mail job, doubled per attempt (`MAIL_RETRY_BASE_SECONDS`).
    pub mail_retry_base_seconds: u32,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("jwt_secret", &"<redacted>")
            .field("token_ttl_seconds", &self.token_ttl_seconds)
            .field("attachments_bucket", &self.attachments_bucket)
            .finish()
    }
}

pub const DEFAULT_TOKEN_TTL_SECONDS: i64 = 24 * 60 * 60;

impl Config {
    pub fn new(table_name: impl Into<String>, jwt_secret: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let jwt_secret = jwt_secret.into();
        if jwt_secret.len() < MIN_SECRET_LEN {
            return Err(ConfigError::SecretTooShort);
        }
        Ok(Self {
            table_name: table_name.into(),
            jwt_secret,
            token_ttl_seconds: DEFAULT_TOKEN_TTL_SECONDS,
            attachments_bucket: None,
            max_attachment_bytes: crate::domain::attachment::DEFAULT_MAX_BYTES,
            ws_management_endpoint: None,
            mail_queue_url: None,
            sender_email: None,
            frontend_url: "http://localhost:5173".into(),
            mail_retry_base_seconds: 10,
        })
    }

    /// `TABLE_NAME`, `JWT_SECRET` (required); `TOKEN_TTL_SECONDS` (optional, default one day).
    pub fn from_env() -> Result<Self, ConfigError> {
        let table = env::var("TABLE_NAME").map_err(|_| ConfigError::Missing("TABLE_NAME"))?;
        let secret = env::var("JWT_SECRET").map_err(|_| ConfigError::Missing("JWT_SECRET"))?;
        let mut config = Self::new(table, secret.into_bytes())?;
        if let Ok(ttl) = env::var("TOKEN_TTL_SECONDS") {
            config.token_ttl_seconds = ttl
                .parse::<i64>()
                .ok()
                .filter(|t| *t > 0)
                .ok_or_else(|| ConfigError::Invalid("TOKEN_TTL_SECONDS", ttl.clone()))?;
        }
        config.mail_queue_url = env::var("MAIL_QUEUE_URL").ok().filter(|e| !e.is_empty());
        config.sender_email = env::var("SENDER_EMAIL").ok().filter(|e| !e.is_empty());
        if let Ok(base) = env::var("MAIL_RETRY_BASE_SECONDS") {
            config.mail_retry_base_seconds =
                base.parse().map_err(|_| ConfigError::Invalid("MAIL_RETRY_BASE_SECONDS", base.clone()))?;
        }
        if let Ok(url) = env::var("FRONTEND_URL") {
            config.frontend_url = url;
        }
        config.ws_management_endpoint = env::var("WS_MANAGEMENT_ENDPOINT").ok().filter(|e| !e.is_empty());
        config.attachments_bucket = env::var("ATTACHMENTS_BUCKET").ok().filter(|b| !b.is_empty());
        if let Ok(max) = env::var("MAX_ATTACHMENT_BYTES") {
            config.max_attachment_bytes = max
                .parse::<u64>()
                .ok()
                .filter(|m| *m > 0)
                .ok_or_else(|| ConfigError::Invalid("MAX_ATTACHMENT_BYTES", max.clone()))?;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_secret() {
        assert!(matches!(Config::new("t", b"short".to_vec()), Err(ConfigError::SecretTooShort)));
        assert!(Config::new("t", vec![7u8; 32]).is_ok());
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let c = Config::new("t", b"a-very-secret-value-that-is-long-enough".to_vec()).unwrap();
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
