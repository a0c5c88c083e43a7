//! Who may use and change a shared workspace object (a macro, a view): everyone on staff (no
//! restriction), one user (personal), or one group's members. Agents make personal ones only;
//! admins make any and change all.
use crate::auth::Caller;
use crate::domain::user::Role;
use crate::store::macros::{Restriction, RestrictionKind};
use crate::{ApiError, AppState};
use uuid::Uuid;

/// The groups a caller belongs to (for group restrictions): one Query.
pub async fn groups_of(state: &AppState, caller: &Caller) -> Result<Vec<Uuid>, ApiError> {
    Ok(state.store.groups_of(caller.id()).await?.into_iter().map(|m| m.group_id).collect())
}

pub fn usable(caller: &Caller, restriction: Option<Restriction>, groups: &[Uuid]) -> bool {
    match restriction {
        None => true,
        Some(Restriction { kind: RestrictionKind::User, id }) => id == caller.id(),
        Some(Restriction { kind: RestrictionKind::Group, id }) => groups.contains(&id),
    }
}

/// What a caller may open by id: what they may use, and for an admin everything (an admin
/// manages every agent's personal ones; lists show an admin only what they use).
pub fn reachable(caller: &Caller, restriction: Option<Restriction>, groups: &[Uuid]) -> bool {
    caller.role() == Role::Admin || usable(caller, restriction, groups)
}

/// Its owner (a personal one) or an admin.
pub fn writable(caller: &Caller, restriction: Option<Restriction>) -> bool {
    caller.role() == Role::Admin || restriction == Some(personal(caller))
}

pub fn personal(caller: &Caller) -> Restriction {
    Restriction { kind: RestrictionKind::User, id: caller.id() }
}

/// What a new object gets when the body names no restriction: personal for agents, shared for
/// admins.
pub fn default_for(caller: &Caller) -> Option<Restriction> {
    (caller.role() != Role::Admin).then(|| personal(caller))
}

/// An agent may only restrict to themself; a restriction's user (staff) or group must exist.
/// `what` names the objects in the message ("macros", "views").
pub async fn check(
    state: &AppState,
    caller: &Caller,
    r: Option<Restriction>,
    what: &str,
) -> Result<(), ApiError> {
    if caller.role() != Role::Admin && r != Some(personal(caller)) {
        return Err(ApiError::invalid(
            "restriction",
            format!("Agents make personal {what} only: {{\"type\": \"user\", \"id\": <you>}}."),
        ));
    }
    let exists = match r {
        None => true,
        Some(Restriction { kind: RestrictionKind::User, id }) => {
            state.store.get_user(id).await?.is_some_and(|u| u.user.role.is_staff())
        }
        Some(Restriction { kind: RestrictionKind::Group, id }) => state.store.get_group(id).await?.is_some(),
    };
    if exists {
        Ok(())
    } else {
        Err(ApiError::invalid("restriction", "The restriction names no agent or group of this desk."))
    }
}
