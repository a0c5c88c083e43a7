//! Domain types and rules. No AWS in here.
pub mod attachment;
pub mod comment;
pub mod search;
pub mod ticket;
pub mod user;
