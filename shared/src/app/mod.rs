//! Use cases: what the desk does, between the transports (HTTP, schedules, mail, ...) and the
//! store. Every ticket write goes through [`ticket_change::change_ticket`] (or, for a new
//! ticket, [`ticket_create::open_ticket`]).
pub mod automations;
pub mod groups;
pub mod mail_in;
pub mod restriction;
pub mod rules;
pub mod satisfaction;
pub mod search;
pub mod sla;
pub mod ticket_change;
pub mod ticket_create;
pub mod ticket_merge;
pub mod triggers;
pub mod views;

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
    group: Option<Uuid>,
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
    if let Some(g) = group {
        if state.store.get_group(g).await?.is_none() {
            errors.add("group_id", "The selected group id is invalid.");
        }
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The group rules of API.md part 2 for the fields a change sets, given the ticket's current
/// group (`None` for a new ticket): an assignee set on a ticket that will have no group brings
/// their default group (if they have one).
pub async fn with_default_group(
    state: &AppState,
    current_group: Option<Uuid>,
    fields: &mut crate::domain::ticket::TicketPatch,
) -> Result<(), ApiError> {
    if let (Some(Some(assignee)), None, None) = (fields.assignee_id, fields.group_id, current_group) {
        let default = state.store.groups_of(assignee).await?.into_iter().find(|m| m.is_default);
        if let Some(m) = default {
            fields.group_id = Some(Some(m.group_id));
        }
    }
    Ok(())
}

/// When a ticket has both a group and an assignee, the assignee is a member of the group
/// (422 on `assignee_id` otherwise). Checked when either changes.
pub async fn check_assignee_in_group(
    state: &AppState,
    before: Option<&Ticket>,
    after: &Ticket,
) -> Result<(), ApiError> {
    let changed = before.is_none_or(|b| b.group_id != after.group_id || b.assignee_id != after.assignee_id);
    if let (true, Some(group), Some(assignee)) = (changed, after.group_id, after.assignee_id) {
        if state.store.membership(group, assignee).await?.is_none() {
            return Err(ApiError::invalid(
                "assignee_id",
                "The assignee is not a member of the ticket's group.",
            ));
        }
    }
    Ok(())
}
