//! Opaque, tamper-evident pagination cursors: a position in an index, bound to the list it came
//! from, signed with HMAC-SHA256. A forged, corrupted or foreign cursor is a 422, never a 500.
use crate::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const DEFAULT_PER_PAGE: usize = 25;
pub const MAX_PER_PAGE: usize = 100;

pub struct CursorKey {
    key: Vec<u8>,
}

impl CursorKey {
    /// Derived from the service secret with a label, so a cursor is never a valid token
    /// signature and vice versa.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"helpdesk cursor key v1");
        Self { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }

    /// A cursor for `position` within the list identified by `scope`.
    pub fn encode(&self, scope: &str, position: &str) -> String {
        let payload = serde_json::json!({"s": scope, "p": position}).to_string();
        let tag = self.mac(payload.as_bytes()).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The position of a cursor this service issued for the same `scope`.
    pub fn decode(&self, scope: &str, cursor: &str) -> Result<String, ApiError> {
        let invalid = || ApiError::invalid("cursor", "The cursor is invalid.");
        let (payload, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        self.mac(&payload).verify_slice(&tag).map_err(|_| invalid())?;
        let v: serde_json::Value = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if v["s"] != scope {
            return Err(invalid());
        }
        v["p"].as_str().map(str::to_owned).ok_or_else(invalid)
    }
}

/// `per_page` from the query string: default 25, 1 to 100.
pub fn per_page(raw: Option<&str>) -> Result<usize, ApiError> {
    match raw {
        None => Ok(DEFAULT_PER_PAGE),
        Some(s) => s
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or_else(|| ApiError::invalid("per_page", "The per page field must be between 1 and 100.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tampering() {
        let k = CursorKey::new(b"0123456789abcdef0123456789abcdef");
        let c = k.encode("tickets:all", "2026-11-26T00:00:00.000Z#abc");
        assert_eq!(k.decode("tickets:all", &c).unwrap(), "2026-11-26T00:00:00.000Z#abc");
        assert!(k.decode("tickets:other", &c).is_err(), "bound to its list");
        let (payload, tag) = c.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"s":"tickets:all","p":"9999"}"#);
        assert!(k.decode("tickets:all", &format!("{forged_payload}.{tag}")).is_err());
        assert!(k.decode("tickets:all", &format!("{payload}.AAAA")).is_err());
        assert!(k.decode("tickets:all", "garbage").is_err());
        assert!(k.decode("tickets:all", "").is_err());
        let other = CursorKey::new(b"another-secret-another-secret-!!");
        assert!(other.decode("tickets:all", &c).is_err());
    }

    #[test]
    fn per_page_bounds() {
        assert_eq!(per_page(None).unwrap(), 25);
        assert_eq!(per_page(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "x"] {
            assert!(per_page(Some(bad)).is_err(), "{bad}");
        }
    }
}
