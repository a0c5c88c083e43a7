//! Use cases: what the desk does, between the transports (HTTP, schedules, mail, ...) and the
//! store. Every ticket write goes through [`ticket_change::change_ticket`] (or, for a new
//! ticket, [`ticket_create::open_ticket`]).
pub mod ticket_change;
pub mod ticket_create;

use crate::domain::ticket::{Mover, Ticket};
use crate::domain::user::{Role, User};
use crate::{ApiError, AppState};
use std::collections::HashMap;
use uuid::Uuid;

/// Who makes a change: a signed-in user, or the desk itself (schedules, rules).
#[derive(Debug, Clone, PartialEq)]
pub enum Actor {
    User { id: Uuid, role: Role },
    System,
}

impl Actor {
    pub fn user(id: Uuid, role: Role) -> Self {
        Actor::User { id, role }
    }

    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::System => None,
        }
    }

    pub fn is_staff(&self) -> bool {
        match self {
            Actor::User { role, .. } => role.is_staff(),
            Actor::System => true,
        }
    }

    pub fn mover(&self) -> Mover {
        match self {
            Actor::User { .. } => Mover::Person,
            Actor::System => Mover::Rule,
        }
    }

    /// Customers see only the tickets they requested; staff and the desk see all.
    pub fn may_see(&self, t: &Ticket) -> bool {
        self.is_staff() || self.id() == Some(t.requester_id)
    }
}

impl From<&crate::auth::Caller> for Actor {
    fn from(c: &crate::auth::Caller) -> Self {
        Actor::user(c.id(), c.role())
    }
}

/// The users and organization a change names, checked: they exist and fit their role
/// (422 per field otherwise). Returns the users read.
pub async fn check_references(
    state: &AppState,
    requester: Option<Uuid>,
    assignee: Option<Uuid>,
    organization: Option<Uuid>,
) -> Result<HashMap<Uuid, User>, ApiError> {
    let users = state.store.users_by_id(requester.into_iter().chain(assignee)).await?;
    let mut errors = crate::validation::ValidationErrors::default();
    if let Some(r) = requester {
        if !users.contains_key(&r) {
            errors.add("requester_id", "The selected requester id is invalid.");
        }
    }
    if let Some(a) = assignee {
        match users.get(&a) {
            None => errors.add("assignee_id", "The selected assignee id is invalid."),
            Some(u) if !u.role.is_staff() => {
                errors.add("assignee_id", "The assignee must be an agent or admin.")
            }
            _ => {}
        }
    }
    if let Some(o) = organization {
        if state.store.get_org(o).await?.is_none() {
            errors.add("organization_id", "The selected organization id is invalid.");
        }
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        Err(ApiError::Validation(errors))
    }
}
