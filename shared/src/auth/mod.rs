//! Authentication: password hashing, access tokens, and the guard every protected route uses.
pub mod api_token;
pub mod guard;
pub mod link;
pub mod password;
pub mod token;

pub use guard::{authenticate, Caller};
