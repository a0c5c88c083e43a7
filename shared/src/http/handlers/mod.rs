//! One axum handler per route, grouped by resource. Each takes its extractors (the caller, a
//! typed command, the path id, the query) and returns a response or an API error; the use
//! cases in `app` and the store do the rest.
pub mod api_tokens;
pub mod attachments;
pub mod auth;
pub mod automations;
pub mod comments;
pub mod groups;
pub mod macros;
pub mod orgs;
pub mod original_mail;
pub mod reports;
pub mod rules;
pub mod satisfaction;
pub mod schedules;
pub mod search;
pub mod sla_policies;
pub mod suspended_mails;
pub mod tickets;
pub mod triggers;
pub mod users;
pub mod views;
pub mod webhooks;
pub mod workspace;

use crate::validation::ValidationErrors;
use uuid::Uuid;

/// A UUID from a request field, or the field's 422 message.
pub fn parse_uuid(errors: &mut ValidationErrors, field: &str, raw: &str) -> Option<Uuid> {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, format!("The {} field must be a valid UUID.", crate::validation::label(field)));
            None
        }
    }
}
