//! Access tokens: HS256 JWTs naming a user and a server-side session.
//!
//! jsonwebtoken's default validation is lax (60 s leeway, no `nbf`, any issuer or audience), so
//! every check is set explicitly here, and oversized tokens are refused before any parsing.
//!
//! Its cryptography is [`HS256_ONLY`], installed by [`TokenService::new`]: HMAC-SHA256 and
//! nothing else, so that no function carries RSA, ECDSA and EdDSA code it never runs.
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
        install_crypto();
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

/// Makes [`HS256_ONLY`] jsonwebtoken's cryptography for this process (once; later calls do
/// nothing). [`TokenService::new`] calls it; so must anything else that signs or verifies.
pub fn install_crypto() {
    // Err only when a provider is already installed: ours, since nothing else installs one.
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(&HS256_ONLY);
}

/// jsonwebtoken's cryptography for our tokens: HS256 (HMAC-SHA256, with the RustCrypto crates
/// the rest of the code already uses); any other algorithm is `InvalidAlgorithm`, which the
/// validation (HS256 only) refuses before it would get here anyway. No JWK support.
pub static HS256_ONLY: jsonwebtoken::crypto::CryptoProvider = jsonwebtoken::crypto::CryptoProvider {
    signer_factory: hs256::signer,
    verifier_factory: hs256::verifier,
    key_utils: jsonwebtoken::crypto::KeyUtils::new_unimplemented(),
};

mod hs256 {
    use hmac::{Hmac, KeyInit, Mac};
    use jsonwebtoken::crypto::{JwtSigner, JwtVerifier};
    use jsonwebtoken::errors::{Error, ErrorKind};
    use jsonwebtoken::signature;
    use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};

    type HmacSha256 = Hmac<sha2::Sha256>;

    pub struct Hs256(HmacSha256);

    fn keyed(alg: &Algorithm, family: AlgorithmFamily, secret: Result<&[u8], Error>) -> Result<Hs256, Error> {
        if *alg != Algorithm::HS256 {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        if family != AlgorithmFamily::Hmac {
            return Err(ErrorKind::InvalidKeyFormat.into());
        }
        HmacSha256::new_from_slice(secret?).map(Hs256).map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }

    pub fn signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
        Ok(Box::new(keyed(alg, key.family(), Ok(key.as_bytes()))?))
    }

    pub fn verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
        Ok(Box::new(keyed(alg, key.family(), key.try_get_as_bytes())?))
    }

    impl signature::Signer<Vec<u8>> for Hs256 {
        fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
            let mut mac = self.0.clone();
            mac.update(message);
            Ok(mac.finalize().into_bytes().to_vec())
        }
    }

    impl signature::Verifier<Vec<u8>> for Hs256 {
        /// Constant-time comparison (`Mac::verify_slice`).
        fn verify(&self, message: &[u8], tag: &Vec<u8>) -> Result<(), signature::Error> {
            let mut mac = self.0.clone();
            mac.update(message);
            mac.verify_slice(tag).map_err(|_| signature::Error::new())
        }
    }

    impl JwtSigner for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }

    impl JwtVerifier for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn sign(claims: &Claims, secret: &[u8], alg: Algorithm) -> String {
        install_crypto();
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    /// A correctly signed HS512 token, made without jsonwebtoken (whose cryptography here is
    /// HS256 only).
    fn sign_hs512(claims: &Claims, secret: &[u8]) -> String {
        use base64::Engine;
        use hmac::{KeyInit, Mac};
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let signed = format!(
            "{}.{}",
            e.encode(br#"{"alg":"HS512","typ":"JWT"}"#),
            e.encode(serde_json::to_vec(claims).unwrap())
        );
        let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(secret).unwrap();
        mac.update(signed.as_bytes());
        format!("{signed}.{}", e.encode(mac.finalize().into_bytes()))
    }

    /// RFC 7515 appendix A.1: the HS256 example's signature, byte for byte.
    #[test]
    fn hs256_matches_the_rfc_7515_example() {
        use base64::Engine;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = e
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signer = (HS256_ONLY.signer_factory)(&Algorithm::HS256, &EncodingKey::from_secret(&key)).unwrap();
        let tag = signer.try_sign(input.as_bytes()).unwrap();
        assert_eq!(e.encode(&tag), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let verifier =
            (HS256_ONLY.verifier_factory)(&Algorithm::HS256, &DecodingKey::from_secret(&key)).unwrap();
        assert!(verifier.verify(input.as_bytes(), &tag).is_ok());
        let mut flipped = tag.clone();
        flipped[0] ^= 1;
        assert!(verifier.verify(input.as_bytes(), &flipped).is_err());
        assert!((HS256_ONLY.signer_factory)(&Algorithm::HS512, &EncodingKey::from_secret(&key)).is_err());
        assert!((HS256_ONLY.verifier_factory)(&Algorithm::RS256, &DecodingKey::from_secret(&key)).is_err());
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
        assert_eq!(svc.verify(&sign_hs512(&good, SECRET)), None, "other algorithm");
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
        install_crypto();
        let token =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET)).unwrap();
        assert_eq!(svc.verify(&token), None);
    }
}
