//! Domain types and rules. No AWS in here.
pub mod user;
