//! The typed outcome of a request that did not succeed, and its Laravel-shaped response.
use crate::validation::ValidationErrors;
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON, or not an object.
    #[error("{0}")]
    BadRequest(String),
    /// 401: missing, malformed, expired or revoked token, or bad credentials.
    #[error("Unauthenticated.")]
    Unauthenticated,
    /// 403: authenticated but not allowed.
    #[error("This action is unauthorized.")]
    Forbidden,
    /// 404: no such resource, or one the caller may not know exists.
    #[error("Not found.")]
    NotFound,
    /// 409: write conflict.
    #[error("{0}")]
    Conflict(String),
    /// 413: body over the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 429: throttled; the client may try again after this many seconds.
    #[error("Too Many Attempts.")]
    TooManyAttempts { retry_after: i64 },
    /// 422: validation.
    #[error("{}", .0.message())]
    Validation(ValidationErrors),
    /// 500: a bug or a dependency failure. The cause is logged, never returned.
    #[error("Server Error")]
    Internal(#[source] crate::BoxError),
}

impl ApiError {
    pub fn internal(e: impl Into<crate::BoxError>) -> Self {
        Self::Internal(e.into())
    }

    /// A one-field validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::default();
        errors.add(field, message);
        Self::Validation(errors)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// "outer: inner: root" for the logs.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::response::{IntoResponse, Response};
    use serde_json::json;

    fn body(res: Response) -> serde_json::Value {
        let bytes = futures::executor::block_on(axum::body::to_bytes(res.into_body(), usize::MAX)).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let res = ApiError::internal("table helpdesk-prod not found").into_response();
        assert_eq!(res.status(), 500);
        assert_eq!(body(res), json!({"message": "Server Error"}));
    }

    #[test]
    fn validation_has_laravel_shape() {
        let res = ApiError::invalid("email", "The email field is required.").into_response();
        assert_eq!(res.status(), 422);
        assert_eq!(
            body(res),
            json!({"message": "The email field is required.", "errors": {"email": ["The email field is required."]}})
        );
    }
}
