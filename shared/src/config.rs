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

/// Key material that never prints: `Debug` shows `<redacted>`, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_LEN {
            return Err(ConfigError::SecretTooShort);
        }
        Ok(Self(bytes))
    }

    /// The bytes, for the signing code only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Days a solved ticket waits before the auto-close schedule closes it.
pub const DEFAULT_AUTO_CLOSE_DAYS: i64 = 4;

#[derive(Clone, Debug)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// HMAC key for access tokens and cursors (`JWT_SECRET`, at least 32 bytes).
    pub jwt_secret: Secret,
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
    /// The domain that receives mail (`INBOUND_DOMAIN`; SES receiving in AWS, `helpdesk.local`
    /// in the local stack). Reply addresses are at it; default the sender's domain.
    pub inbound_domain: Option<String>,
    /// The webhook delivery queue (`WEBHOOK_QUEUE_URL`; notifier and webhook-delivery).
    pub webhook_queue_url: Option<String>,
    /// Lets webhooks post to `http://127.0.0.1:*` (`HELPDESK_ALLOW_LOOPBACK_WEBHOOKS=true`; only
    /// the local stack and the tests set it: a deployment refuses loopback like any private
    /// address).
    pub allow_loopback_webhooks: bool,
    /// The sender address (`SENDER_EMAIL`; mailer).
    pub sender_email: Option<String>,
    /// Links in mail point here (`FRONTEND_URL`).
    pub frontend_url: String,
    /// First retry delay of a failed mail job, doubled per attempt (`MAIL_RETRY_BASE_SECONDS`).
    pub mail_retry_base_seconds: u32,
    /// Days a solved ticket waits before auto-close (`AUTO_CLOSE_DAYS`, default 4).
    pub auto_close_days: i64,
    /// Throttles (`THROTTLE_<NAME>=<max>/<seconds>`, e.g. `THROTTLE_SIGNUPS_PER_SOURCE=600/600`).
    pub limits: Limits,
}

/// At most `max` events per fixed window of `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window_seconds: i64,
}

impl Limit {
    pub const fn new(max: u32, window_seconds: i64) -> Self {
        Self { max, window_seconds }
    }

    /// `"<max>/<seconds>"`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (max, window) = raw.trim().split_once('/')?;
        let limit = Limit::new(max.trim().parse().ok()?, window.trim().parse().ok()?);
        (limit.max > 0 && limit.window_seconds > 0).then_some(limit)
    }
}

/// The throttles of API.md part 2 (defaults as "Precise choices" says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed logins per account (`THROTTLE_FAILED_LOGINS`): 10 per 15 min.
    pub failed_logins: Limit,
    /// Failed logins per source address (`THROTTLE_FAILED_LOGINS_PER_SOURCE`): 100 per 15 min.
    pub failed_logins_per_source: Limit,
    /// Failed `current_password` checks per account (`THROTTLE_FAILED_PASSWORD_CHECKS`): 5 per 15 min.
    pub failed_password_checks: Limit,
    /// Failed email verifications per source (`THROTTLE_FAILED_VERIFICATIONS`): 20 per 15 min.
    pub failed_verifications: Limit,
    /// Sign-ups per source address (`THROTTLE_SIGNUPS_PER_SOURCE`): 60 per 10 min.
    pub signups_per_source: Limit,
    /// Tickets opened per customer (`THROTTLE_TICKETS_PER_CUSTOMER`): 300 per hour.
    pub tickets_per_customer: Limit,
    /// Password-reset requests per source (`THROTTLE_RESET_REQUESTS_PER_SOURCE`): 20 per hour.
    pub reset_requests_per_source: Limit,
    /// Received messages per sender address (`THROTTLE_MAIL_PER_SENDER`): 60 per hour.
    pub mail_per_sender: Limit,
    /// Zendesk API (`/api/v2`) requests per user, or per source address for requests without
    /// valid credentials (`THROTTLE_API_REQUESTS`): 700 per minute,
    /// Zendesk's Enterprise figure; each answer tells the rest in `X-Rate-Limit-Remaining`.
    pub api_requests: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            failed_logins: Limit::new(10, 15 * 60),
            failed_logins_per_source: Limit::new(100, 15 * 60),
            failed_password_checks: Limit::new(5, 15 * 60),
            failed_verifications: Limit::new(20, 15 * 60),
            signups_per_source: Limit::new(60, 10 * 60),
            tickets_per_customer: Limit::new(300, 60 * 60),
            reset_requests_per_source: Limit::new(20, 60 * 60),
            mail_per_sender: Limit::new(60, 60 * 60),
            api_requests: Limit::new(700, 60),
        }
    }
}

pub const DEFAULT_TOKEN_TTL_SECONDS: i64 = 24 * 60 * 60;

impl Config {
    pub fn new(table_name: impl Into<String>, jwt_secret: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let jwt_secret = Secret::new(jwt_secret)?;
        Ok(Self {
            table_name: table_name.into(),
            jwt_secret,
            token_ttl_seconds: DEFAULT_TOKEN_TTL_SECONDS,
            attachments_bucket: None,
            max_attachment_bytes: crate::domain::attachment::DEFAULT_MAX_BYTES,
            ws_management_endpoint: None,
            mail_queue_url: None,
            webhook_queue_url: None,
            inbound_domain: None,
            allow_loopback_webhooks: false,
            sender_email: None,
            frontend_url: "http://localhost:5173".into(),
            mail_retry_base_seconds: 10,
            auto_close_days: DEFAULT_AUTO_CLOSE_DAYS,
            limits: Limits::default(),
        })
    }

    /// Every setting of every function, from the environment: `TABLE_NAME`, `JWT_SECRET`
    /// (required); the rest optional (see the README's configuration table).
    pub fn from_env() -> Result<Self, ConfigError> {
        let table = env::var("TABLE_NAME").map_err(|_| ConfigError::Missing("TABLE_NAME"))?;
        let secret = env::var("JWT_SECRET").map_err(|_| ConfigError::Missing("JWT_SECRET"))?;
        Self::new(table, secret.into_bytes())?.with_env()
    }

    /// The optional settings from the environment, over these defaults (the local stack calls
    /// this too, then points the endpoints at its emulators).
    /// The domain replies go to: `INBOUND_DOMAIN`, else the sender's domain.
    pub fn receiving_domain(&self) -> String {
        self.inbound_domain.clone().unwrap_or_else(|| {
            let sender = self.sender_email.as_deref().unwrap_or("helpdesk@example.com");
            sender.rsplit_once('@').map_or("example.com", |(_, d)| d).to_lowercase()
        })
    }

    /// The desk's own addresses: its sender, and anything at the receiving domain.
    pub fn is_our_address(&self, address: &str) -> bool {
        let a = address.to_lowercase();
        self.sender_email.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(&a))
            || a.ends_with(&format!("@{}", self.receiving_domain()))
    }

    pub fn with_env(self) -> Result<Self, ConfigError> {
        let mut config = self;
        if let Ok(ttl) = env::var("TOKEN_TTL_SECONDS") {
            config.token_ttl_seconds = ttl
                .parse::<i64>()
                .ok()
                .filter(|t| *t > 0)
                .ok_or_else(|| ConfigError::Invalid("TOKEN_TTL_SECONDS", ttl.clone()))?;
        }
        config.mail_queue_url = env::var("MAIL_QUEUE_URL").ok().filter(|e| !e.is_empty());
        config.webhook_queue_url = env::var("WEBHOOK_QUEUE_URL").ok().filter(|e| !e.is_empty());
        config.inbound_domain =
            env::var("INBOUND_DOMAIN").ok().map(|d| d.trim().to_lowercase()).filter(|d| !d.is_empty());
        config.allow_loopback_webhooks =
            env::var("HELPDESK_ALLOW_LOOPBACK_WEBHOOKS").is_ok_and(|v| v == "true");
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
        let limits = &mut config.limits;
        for (name, limit) in [
            ("THROTTLE_FAILED_LOGINS", &mut limits.failed_logins),
            ("THROTTLE_FAILED_LOGINS_PER_SOURCE", &mut limits.failed_logins_per_source),
            ("THROTTLE_FAILED_PASSWORD_CHECKS", &mut limits.failed_password_checks),
            ("THROTTLE_FAILED_VERIFICATIONS", &mut limits.failed_verifications),
            ("THROTTLE_SIGNUPS_PER_SOURCE", &mut limits.signups_per_source),
            ("THROTTLE_TICKETS_PER_CUSTOMER", &mut limits.tickets_per_customer),
            ("THROTTLE_RESET_REQUESTS_PER_SOURCE", &mut limits.reset_requests_per_source),
            ("THROTTLE_MAIL_PER_SENDER", &mut limits.mail_per_sender),
            ("THROTTLE_API_REQUESTS", &mut limits.api_requests),
        ] {
            if let Ok(raw) = env::var(name) {
                *limit = Limit::parse(&raw).ok_or_else(|| ConfigError::Invalid(name, raw.clone()))?;
            }
        }
        if let Ok(days) = env::var("AUTO_CLOSE_DAYS") {
            config.auto_close_days = days
                .parse::<i64>()
                .ok()
                .filter(|d| *d >= 1)
                .ok_or_else(|| ConfigError::Invalid("AUTO_CLOSE_DAYS", days.clone()))?;
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
        assert!(format!("{c:?}").contains("<redacted>"));
    }
}
