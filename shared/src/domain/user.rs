//! Users: roles, the values a user is made of (parsed, never trusted raw), and the API view.
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long after their last request or WebSocket activity a user still counts as online.
pub const ONLINE_WINDOW: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
    Customer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            "customer" => Some(Role::Customer),
            _ => None,
        }
    }

    /// Agents and admins work tickets; customers only raise them.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Agent)
    }
}

use crate::schema::{string, value_schema};
use utoipa::openapi::schema::KnownFormat;

/// The longest display name.
pub const MAX_NAME_CHARS: usize = 255;
/// The longest email address.
pub const MAX_EMAIL_LEN: usize = 254;

value_schema!(
    Email,
    string(Some(3), Some(MAX_EMAIL_LEN), Some(KnownFormat::Email), None, "Unique, case-insensitively")
);
value_schema!(
    Password,
    string(
        Some(Password::MIN_CHARS),
        Some(Password::MAX_CHARS),
        Some(KnownFormat::Password),
        None,
        "Characters, not bytes"
    )
);
value_schema!(
    PersonName,
    string(Some(1), Some(MAX_NAME_CHARS), None, None, "Trimmed, no control characters")
);

/// An email address as typed (trimmed), with its case-insensitive identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        let invalid = "The email field must be a valid email address.";
        if s.len() > MAX_EMAIL_LEN || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(invalid)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty() || local.len() > 64 || local.contains('@') || !labels_ok {
            return Err(invalid);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity used for uniqueness and login: lowercase.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A password that satisfies the policy: 8 to 128 characters.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str, field: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        let label = crate::validation::label(field);
        if n < Self::MIN_CHARS {
            Err(format!("The {label} field must be at least {} characters.", Self::MIN_CHARS))
        } else if n > Self::MAX_CHARS {
            Err(format!("The {label} field must not be greater than {} characters.", Self::MAX_CHARS))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A display name: trimmed, 1 to 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            Err("The name field is required.")
        } else if s.chars().count() > MAX_NAME_CHARS {
            Err("The name field must not be greater than 255 characters.")
        } else if s.chars().any(char::is_control) {
            Err("The name field must not contain control characters.")
        } else if super::has_deceptive_chars(s) {
            Err("The name field must not contain invisible or text-direction characters.")
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An avatar URL: absolute http(s), at most 2048 characters.
pub fn parse_avatar_url(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let msg = "The avatar url field must be a valid URL.";
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).ok_or(msg)?;
    if s.len() > 2048
        || rest.is_empty()
        || rest.starts_with('/')
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(msg);
    }
    Ok(s.to_owned())
}

/// A user as the store keeps it (without the password hash, which never leaves the store layer
/// except for verification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    /// The numeric id (the Zendesk API's `id`), from a counter at creation; records older than
    /// numbers have none until the backfill gives them one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub avatar_url: Option<String>,
    pub organization_id: Option<Uuid>,
    #[serde(default = "default_true")]
    pub notify_email: bool,
    /// Until true, mail to this address carries no text written by users.
    #[serde(default)]
    pub email_verified: bool,
    pub last_seen: Option<crate::clock::Timestamp>,
    pub created_at: crate::clock::Timestamp,
    pub updated_at: crate::clock::Timestamp,
}

fn default_true() -> bool {
    true
}

impl User {
    pub fn is_online(&self, now: OffsetDateTime) -> bool {
        self.last_seen.is_some_and(|seen| now - seen.0 <= ONLINE_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@Example.COM");
        assert_eq!(e.normalized(), "ada.lovelace@example.com");
        for bad in [
            "",
            "plain",
            "@x.com",
            "a@",
            "a@b",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
            "a@@b.com",
            "a@b\u{7}.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("1234567", "password").is_err());
        assert!(Password::parse("12345678", "password").is_ok());
        assert!(Password::parse(&"x".repeat(129), "password").is_err());
        assert_eq!(
            format!("{:?}", Password::parse("hunter2hunter2", "password").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn names_and_avatars() {
        assert_eq!(PersonName::parse("  Ada ").unwrap().as_str(), "Ada");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("a\u{7}b").is_err());
        assert!(parse_avatar_url("https://cdn.example.com/a.png").is_ok());
        for bad in ["ftp://x", "https://", "javascript:alert(1)", "https:///x"] {
            assert!(parse_avatar_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn online_window() {
        let now = crate::clock::now();
        let mut u = User {
            id: Uuid::nil(),
            number: None,
            name: "n".into(),
            email: "e@x.io".into(),
            role: Role::Agent,
            avatar_url: None,
            organization_id: None,
            notify_email: true,
            email_verified: true,
            last_seen: Some(crate::clock::Timestamp(now - Duration::minutes(4))),
            created_at: crate::clock::Timestamp(now),
            updated_at: crate::clock::Timestamp(now),
        };
        assert!(u.is_online(now));
        u.last_seen = Some(crate::clock::Timestamp(now - Duration::minutes(6)));
        assert!(!u.is_online(now));
        u.last_seen = None;
        assert!(!u.is_online(now));
    }
}
