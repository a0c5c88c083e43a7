//! The help desk's library. A request's path through it:
//! `http` (axum handlers, extractors, views, the route table) or `ws` (the WebSocket API) →
//! `app` (use cases: the one ticket-change path) → `domain` (types and rules, no AWS) →
//! `store` (DynamoDB, single table). Off the request path, `consumers` (stream, queue and
//! schedule functions) and `mail` (rendering, MIME). `auth` holds passwords, tokens and the
//! request guard.
pub mod app;
pub mod auth;
pub mod aws_http;
pub mod clock;
pub mod config;
pub mod consumers;
pub mod cursor;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod schema;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod validation;
pub mod ws;

pub use error::ApiError;
pub use state::AppState;

/// The error type the entry points hand to the Lambda runtime.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
