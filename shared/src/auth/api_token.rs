//! API tokens (API.md part 2, "Authentication additions"; Zendesk's API tokens): an admin makes
//! one, it is shown once, and then `Authorization: Basic base64("<email>/token:<token>")`
//! authenticates as the user with that email, as in Zendesk. A token is
//! `hd_<id, 32 hex>_<secret, 43 base64url>`: the id finds its record in one GetItem, and only
//! a SHA-256 of the whole token is stored (compared in constant time). Deleting the record
//! refuses the token from the next request.
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A token just made: its id, the text shown once, and the hash that is stored.
pub struct Issued {
    pub id: Uuid,
    pub token: String,
    pub hash: String,
}

pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn issue() -> Result<Issued, getrandom::Error> {
    let id = Uuid::now_v7();
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    let token = format!("hd_{}_{}", id.simple(), URL_SAFE_NO_PAD.encode(secret));
    Ok(Issued { id, hash: hash(&token), token })
}

/// The id a well-formed token names.
pub fn id_of(token: &str) -> Option<Uuid> {
    let rest = token.strip_prefix("hd_")?;
    let (id, secret) = rest.split_once('_')?;
    (secret.len() == 43).then_some(())?;
    Uuid::try_parse(id).ok()
}

/// Whether `token` matches the stored `hash` (constant time over the hash bytes).
pub fn matches(token: &str, stored_hash: &str) -> bool {
    let given = hash(token);
    given.len() == stored_hash.len()
        && given.bytes().zip(stored_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// `Authorization: Basic base64("<email>/token:<token>")` → (email, token). Anything else
/// (a password instead of a token, bad base64) is `None`.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, secret) = decoded.split_once(':')?;
    let email = user.strip_suffix("/token")?;
    (!email.is_empty() && !secret.is_empty()).then(|| (email.to_owned(), secret.to_owned()))
}

/// `Authorization: Basic base64("<email>:<password>")` → (email, password): the Zendesk API's
/// password form (never a token form, which [`basic_credentials`] reads).
pub fn basic_password(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, secret) = decoded.split_once(':')?;
    if user.ends_with("/token") || user.is_empty() || secret.is_empty() {
        return None;
    }
    Some((user.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_record_and_match_only_themselves() {
        let t = issue().unwrap();
        assert_eq!(id_of(&t.token), Some(t.id));
        assert!(matches(&t.token, &t.hash));
        let other = issue().unwrap();
        assert!(!matches(&other.token, &t.hash));
        assert_eq!(id_of("hd_nothex_x"), None);
        assert_eq!(id_of(&t.token.replace("hd_", "xx_")), None);
    }

    #[test]
    fn basic_headers_carry_an_email_and_a_token() {
        let h = format!("Basic {}", STANDARD.encode("ada@example.com/token:hd_abc"));
        assert_eq!(basic_credentials(&h), Some(("ada@example.com".into(), "hd_abc".into())));
        let password = format!("Basic {}", STANDARD.encode("ada@example.com:secret"));
        assert_eq!(basic_credentials(&password), None, "passwords are not accepted here");
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(basic_credentials("Bearer abc"), None);
    }
}
