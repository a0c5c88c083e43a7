//! Throttling (API.md part 2): per-account and per-source limits on what an attacker would
//! repeat (failed logins, `current_password` guesses, failed verifications), sign-ups per source
//! and tickets per customer. Counters live in the table (fixed windows, TTL), so every Lambda
//! shares them. Over the limit: 429 `{"message": "Too Many Attempts."}` with `Retry-After`.
use crate::config::{Limit, Limits};
use crate::{clock, ApiError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;

/// What is being counted; each has its limit in [`Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    FailedLogin,
    FailedLoginFromSource,
    FailedPasswordCheck,
    FailedVerification,
    Signup,
    TicketCreate,
    /// Password-reset requests per source (counted whether or not the address has an account).
    ResetRequest,
    /// Zendesk API requests per caller (every request counts).
    ApiRequest,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::FailedLogin => "login",
            Scope::FailedLoginFromSource => "login-source",
            Scope::FailedPasswordCheck => "password-check",
            Scope::FailedVerification => "verify",
            Scope::Signup => "signup",
            Scope::TicketCreate => "ticket",
            Scope::ResetRequest => "reset-request",
            Scope::ApiRequest => "api",
        }
    }

    fn limit(self, limits: &Limits) -> Limit {
        match self {
            Scope::FailedLogin => limits.failed_logins,
            Scope::FailedLoginFromSource => limits.failed_logins_per_source,
            Scope::FailedPasswordCheck => limits.failed_password_checks,
            Scope::FailedVerification => limits.failed_verifications,
            Scope::Signup => limits.signups_per_source,
            Scope::TicketCreate => limits.tickets_per_customer,
            Scope::ResetRequest => limits.reset_requests_per_source,
            Scope::ApiRequest => limits.api_requests,
        }
    }
}

/// The current fixed window of a limit: `(start, end)` in unix seconds.
fn window(limit: Limit, now: i64) -> (i64, i64) {
    let start = now - now.rem_euclid(limit.window_seconds);
    (start, start + limit.window_seconds)
}

/// 429 when `subject` has used up `scope`'s limit in this window (for limits on failures:
/// checked before the attempt, counted by [`failed`] after a failed one).
pub async fn check(state: &AppState, scope: Scope, subject: &str) -> Result<(), ApiError> {
    let limit = scope.limit(&state.config.limits);
    let now = clock::now().unix_timestamp();
    let (start, end) = window(limit, now);
    if state.store.throttle_count(scope.name(), subject, start).await? >= limit.max {
        return Err(ApiError::TooManyAttempts { retry_after: end - now });
    }
    Ok(())
}

/// Counts one failure of `scope` for `subject`.
pub async fn failed(state: &AppState, scope: Scope, subject: &str) -> Result<(), ApiError> {
    let limit = scope.limit(&state.config.limits);
    let (start, end) = window(limit, clock::now().unix_timestamp());
    state.store.throttle_hit(scope.name(), subject, start, end).await?;
    Ok(())
}

/// Counts one attempt of `scope` for `subject` (sign-ups, tickets): 429 past the limit.
pub async fn take(state: &AppState, scope: Scope, subject: &str) -> Result<(), ApiError> {
    let limit = scope.limit(&state.config.limits);
    let now = clock::now().unix_timestamp();
    let (start, end) = window(limit, now);
    if state.store.throttle_hit(scope.name(), subject, start, end).await? > limit.max {
        return Err(ApiError::TooManyAttempts { retry_after: end - now });
    }
    Ok(())
}

/// Where a request comes from: API Gateway's `sourceIp`, or the peer address on the local
/// stack; `unknown` when neither is known (the in-process test router).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        if let Some(RequestContext::ApiGatewayV2(c)) = parts.extensions.get::<RequestContext>() {
            if let Some(ip) = &c.http.source_ip {
                return Ok(Source(ip.clone()));
            }
        }
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>() {
            return Ok(Source(addr.ip().to_string()));
        }
        Ok(Source("unknown".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_cover_now() {
        let limit = Limit::new(5, 900);
        assert_eq!(window(limit, 1_800), (1_800, 2_700));
        assert_eq!(window(limit, 2_699), (1_800, 2_700));
        assert_eq!(window(limit, 2_700), (2_700, 3_600));
    }
}
