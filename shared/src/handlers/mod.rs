//! HTTP handlers: each takes the shared state and a request, and turns every expected outcome
//! into a response (`Err` is only for the API's error shapes).
pub mod auth;

use crate::ApiError;
use lambda_http::{Body, Response};

pub type HandlerResult = Result<Response<Body>, ApiError>;
