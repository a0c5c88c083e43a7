//! The request guard: bearer token → live session → user and role, or the API's 401.
use crate::domain::user::{Role, User};
use crate::{clock, ApiError, AppState};
use time::Duration;
use uuid::Uuid;

/// `last_seen` is written at most this often per user, so presence costs one write a minute,
/// not one per request.
const LAST_SEEN_RESOLUTION: Duration = Duration::seconds(60);

/// Who is calling, established by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session_id: Uuid,
    /// When the session (and its token) expires, unix seconds.
    pub expires_at: i64,
}

impl Caller {
    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.role().is_staff() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.role() == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// The caller of a request with these headers (`Authorization: Bearer <token>`).
pub async fn authenticate(state: &AppState, headers: &http::HeaderMap) -> Result<Caller, ApiError> {
    if let Some((email, token)) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(super::api_token::basic_credentials)
    {
        return caller_for_api_token(state, &email, &token).await;
    }
    let token = bearer_token(headers).ok_or(ApiError::Unauthenticated)?;
    caller_for_token(state, token).await
}

/// `Basic <email>/token:<api token>`: the user with that email, if the token is live. The
/// token stands for the desk (Zendesk's model), so any user's email picks who acts; the
/// token's id is the "session" (logging out is not a thing for it; deleting the token is).
async fn caller_for_api_token(state: &AppState, email: &str, token: &str) -> Result<Caller, ApiError> {
    let id = super::api_token::id_of(token).ok_or(ApiError::Unauthenticated)?;
    let record = state.store.get_api_token(id).await?.ok_or(ApiError::Unauthenticated)?;
    if !super::api_token::matches(token, &record.token_hash) {
        return Err(ApiError::Unauthenticated);
    }
    let normalized =
        crate::domain::user::Email::parse(email).map_err(|_| ApiError::Unauthenticated)?.normalized();
    let user = state.store.user_by_email(&normalized).await?.ok_or(ApiError::Unauthenticated)?;
    crate::telemetry::set_user(user.user.id);
    Ok(Caller { user: user.user, session_id: record.id, expires_at: i64::MAX })
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The same check for a token that arrives another way (the WebSocket query string).
pub async fn caller_for_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims = state.tokens.verify(token).ok_or(ApiError::Unauthenticated)?;
    let (session, user) = state.store.session_and_user(claims.sid, claims.sub).await?;
    let now = clock::now();
    let (Some(session), Some(record)) = (session, user) else { return Err(ApiError::Unauthenticated) };
    if session.user_id != claims.sub || !session.is_live_for(&record, now.unix_timestamp()) {
        return Err(ApiError::Unauthenticated);
    }
    let mut user = record.user;
    let stale = user.last_seen.is_none_or(|seen| now - seen.0 >= LAST_SEEN_RESOLUTION);
    if stale {
        let stamp = clock::Timestamp(now);
        state.store.touch_last_seen(user.id, &stamp.to_string()).await?;
        user.last_seen = Some(stamp);
    }
    crate::telemetry::set_user(user.id);
    Ok(Caller { user, session_id: session.id, expires_at: session.expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: Option<&str>) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        if let Some(a) = auth {
            h.insert(http::header::AUTHORIZATION, a.parse().unwrap());
        }
        h
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(&headers(Some("Bearer abc"))), Some("abc"));
        assert_eq!(bearer_token(&headers(Some("bearer  abc "))), Some("abc"));
        assert_eq!(bearer_token(&headers(Some("Basic abc"))), None);
        assert_eq!(bearer_token(&headers(Some("Bearer "))), None);
        assert_eq!(bearer_token(&headers(None)), None);
    }
}
