//! Tokens for links in mail (verify an email address; later, reset a password): stateless,
//! `<user id>.<expiry>.<HMAC>`, the HMAC over a purpose, the user, the expiry and a value the
//! token is bound to (the address being verified), with a key derived from the service secret.
//! A token dies when it expires or when the bound value changes.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// What a link token is for; part of what is signed, so one purpose's token is no other's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    /// Bound to the address and the password hash: setting a password spends the token.
    ResetPassword,
    /// A survey link: the requester, bound to the ticket, until the rating window closes.
    Satisfaction,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify-email",
            Purpose::ResetPassword => "reset-password",
            Purpose::Satisfaction => "satisfaction",
        }
    }
}

/// How long a verification link works.
pub const VERIFY_EMAIL_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;
/// How long a password-reset link works.
pub const RESET_PASSWORD_TTL_SECONDS: i64 = 60 * 60;

/// What a reset token is bound to: the address and the current password hash.
pub fn reset_binding(email_lower: &str, password_hash: &str) -> String {
    format!("{email_lower}\n{password_hash}")
}

pub struct LinkKey {
    key: Vec<u8>,
}

/// A token's claims before its signature is checked against the bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub user_id: Uuid,
    pub expires_at: i64,
    tag: Vec<u8>,
}

impl LinkKey {
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"helpdesk link key v1");
        Self { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self, purpose: Purpose, user_id: Uuid, bound: &str, expires_at: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{}\n{user_id}\n{expires_at}\n{bound}", purpose.label()).as_bytes());
        mac
    }

    pub fn issue(&self, purpose: Purpose, user_id: Uuid, bound: &str, expires_at: i64) -> String {
        let tag = self.mac(purpose, user_id, bound, expires_at).finalize().into_bytes();
        format!("{}.{expires_at}.{}", user_id.simple(), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The short signature of a ticket's reply address (`reply+<number>.<tag>@...`): 8 hex
    /// digits of an HMAC over the number, so a reply address cannot be made up for another
    /// ticket.
    pub fn reply_tag(&self, ticket_number: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("reply-address\n{}", ticket_number.to_lowercase()).as_bytes());
        mac.finalize().into_bytes().iter().take(4).map(|b| format!("{b:02x}")).collect()
    }

    /// The claims of a well-formed token (not yet verified).
    pub fn claimed(token: &str) -> Option<Claimed> {
        if token.len() > 200 {
            return None;
        }
        let mut parts = token.trim().split('.');
        let user_id = Uuid::parse_str(parts.next()?).ok()?;
        let expires_at = parts.next()?.parse().ok()?;
        let tag = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        parts.next().is_none().then_some(Claimed { user_id, expires_at, tag })
    }

    /// Whether `claimed` was issued for this purpose and bound value and has not expired.
    pub fn verify(&self, purpose: Purpose, claimed: &Claimed, bound: &str, now: i64) -> bool {
        claimed.expires_at > now
            && self
                .mac(purpose, claimed.user_id, bound, claimed.expires_at)
                .verify_slice(&claimed.tag)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_once_bound_and_unexpired() {
        let key = LinkKey::new(b"0123456789abcdef0123456789abcdef");
        let user = Uuid::new_v4();
        let token = key.issue(Purpose::VerifyEmail, user, "a@example.com", 1_000);
        let claimed = LinkKey::claimed(&token).unwrap();
        assert_eq!(claimed.user_id, user);
        assert!(key.verify(Purpose::VerifyEmail, &claimed, "a@example.com", 999));
        assert!(!key.verify(Purpose::VerifyEmail, &claimed, "a@example.com", 1_000), "expired");
        assert!(!key.verify(Purpose::VerifyEmail, &claimed, "b@example.com", 999), "another address");
        let other = LinkKey::new(b"another-secret-another-secret-!!");
        assert!(!other.verify(Purpose::VerifyEmail, &claimed, "a@example.com", 999), "another key");
        let forged = token.replace(".1000.", ".9999.");
        let forged = LinkKey::claimed(&forged).unwrap();
        assert!(!key.verify(Purpose::VerifyEmail, &forged, "a@example.com", 999), "expiry is signed");
        assert!(LinkKey::claimed("garbage").is_none());
        assert!(LinkKey::claimed(&format!("{token}.x")).is_none());
    }
}
