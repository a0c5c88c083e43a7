//! Work that runs off the request path: scheduled jobs and stream consumers.
pub mod autoclose;
pub mod indexer;
