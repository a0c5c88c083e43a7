//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1, OWASP's minimum).
//! Hashing runs on the blocking pool so it never stalls the async runtime.
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;

/// A real hash of a random password, verified against when the email is unknown so that an
/// unknown email and a wrong password cost the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 24];
    getrandom::fill(&mut random).expect("the OS random source is available");
    hash_blocking(&random).expect("argon2 with default parameters hashes any input")
});

fn hash_blocking(password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default().hash_password(password)?.to_string())
}

fn verify_blocking(password: &[u8], hash: &str) -> bool {
    Argon2::default().verify_password(password, hash).is_ok()
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

pub async fn hash(password: &str) -> Result<String, HashError> {
    let password = password.as_bytes().to_vec();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| HashError)?
        .map_err(|_| HashError)
}

/// Checks a password against a stored hash; with no hash, burns the same time and fails.
pub async fn verify(password: &str, hash: Option<&str>) -> bool {
    let password = password.as_bytes().to_vec();
    let hash = hash.map(str::to_owned);
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse").await.unwrap();
        let b = hash("correct horse").await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse", Some(&a)).await);
        assert!(!verify("wrong horse", Some(&a)).await);
        assert!(!verify("correct horse", None).await);
        assert!(!verify("x", Some("not a phc string")).await);
    }
}
