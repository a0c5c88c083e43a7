//! Access tokens: HS256 JWTs naming a user and a server-side session.
//!
//! jsonwebtoken's default validation is lax (60 s leeway, no `nbf`, any issuer or audience), so
//! every check is set explicitly here, and oversized tokens are refused before any parsing.
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub const ISSUER: &str = "helpdesk";
pub const AUDIENCE: &str = "helpdesk-api";
/// No legitimate token of ours comes near this; anything larger is refused unparsed.
pub const MAX_TOKEN_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: Uuid,
    /// The session; deleting it revokes the token.
    pub sid: Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

pub struct Issued {
    pub token: String,
    pub claims: Claims,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl TokenService {
    /// `secret` is checked for length by [`crate::config::Config`].
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    /// A token for a new session of `user_id`, valid from `now` for the configured lifetime.
    pub fn issue(&self, user_id: Uuid, now: OffsetDateTime) -> Result<Issued, jsonwebtoken::errors::Error> {
        let iat = now.unix_timestamp();
        let claims = Claims {
            sub: user_id,
            sid: Uuid::new_v4(),
            iat,
            nbf: iat,
            exp: iat + self.ttl_seconds,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(Issued { token, claims })
    }

    /// The claims of a token this service signed and that is currently valid; `None` otherwise.
    /// (Revocation is checked by the guard against the session item.)
    pub fn verify(&self, token: &str) -> Option<Claims> {
        if token.len() > MAX_TOKEN_LEN {
            return None;
        }
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn sign(claims: &Claims, secret: &[u8], alg: Algorithm) -> String {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    #[test]
    fn round_trip() {
        let svc = TokenService::new(SECRET, 3600);
        let issued = svc.issue(Uuid::new_v4(), crate::clock::now()).unwrap();
        assert_eq!(svc.verify(&issued.token), Some(issued.claims));
    }

    #[test]
    fn refuses_what_the_defaults_would_let_through() {
        let svc = TokenService::new(SECRET, 3600);
        let now = crate::clock::now();
        let good = svc.issue(Uuid::new_v4(), now).unwrap().claims;

        let mut expired = good.clone();
        expired.exp = (now - Duration::seconds(5)).unix_timestamp();
        assert_eq!(
            svc.verify(&sign(&expired, SECRET, Algorithm::HS256)),
            None,
            "expired within default leeway"
        );

        let mut future = good.clone();
        future.nbf = (now + Duration::seconds(60)).unix_timestamp();
        assert_eq!(svc.verify(&sign(&future, SECRET, Algorithm::HS256)), None, "not yet valid");

        let mut issuer = good.clone();
        issuer.iss = "someone-else".into();
        assert_eq!(svc.verify(&sign(&issuer, SECRET, Algorithm::HS256)), None, "foreign issuer");

        let mut audience = good.clone();
        audience.aud = "other-api".into();
        assert_eq!(svc.verify(&sign(&audience, SECRET, Algorithm::HS256)), None, "foreign audience");

        assert_eq!(svc.verify(&sign(&good, b"another-secret-another-secret-!!", Algorithm::HS256)), None);
        assert_eq!(svc.verify(&sign(&good, SECRET, Algorithm::HS512)), None, "other algorithm");
        assert_eq!(svc.verify("garbage"), None);
        assert_eq!(svc.verify(&"a".repeat(MAX_TOKEN_LEN + 1)), None);

        // alg: none with the same claims.
        let unsigned = {
            use base64::Engine;
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.",
                e.encode(br#"{"alg":"none","typ":"JWT"}"#),
                e.encode(serde_json::to_vec(&good).unwrap())
            )
        };
        assert_eq!(svc.verify(&unsigned), None, "alg none");
    }

    #[test]
    fn missing_session_id_is_refused() {
        let svc = TokenService::new(SECRET, 3600);
        let now = crate::clock::now().unix_timestamp();
        let claims = serde_json::json!({"sub": Uuid::new_v4(), "iat": now, "nbf": now, "exp": now + 60, "iss": ISSUER, "aud": AUDIENCE});
        let token =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET)).unwrap();
        assert_eq!(svc.verify(&token), None);
    }
}
