//! The help desk's library: domain rules, the DynamoDB store, authentication and the HTTP
//! handlers that every Lambda (and the local stack) runs.
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod cursor;
pub mod domain;
pub mod error;
pub mod handlers;
pub mod jobs;
pub mod lambda;
pub mod mail;
pub mod realtime;
pub mod routes;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod validation;
pub mod web;

pub use error::ApiError;
pub use state::AppState;

/// The error type the entry points hand to the Lambda runtime.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
