//! Group membership: who may be a member, and adding one (the native `/groups/{id}/memberships`
//! and the Zendesk API's `/api/v2/group_memberships` both call it).
use crate::clock::Timestamp;
use crate::domain::user::{Role, User};
use crate::store::groups::{AddMember, Group, Membership};
use crate::{ApiError, AppState};
use uuid::Uuid;

/// Adds `user_id` to `group` (a new membership, numbered). Only agents and admins may be
/// members: anyone else, or no such user, is a 422 on `user_id`, as is a second membership.
pub async fn add_member(
    state: &AppState,
    group: &Group,
    user_id: Uuid,
    is_default: bool,
) -> Result<(Membership, User), ApiError> {
    let user = state.store.get_user(user_id).await?.map(|r| r.user);
    let Some(user) = user.filter(|u| u.role != Role::Customer) else {
        return Err(ApiError::invalid("user_id", "The user must be an agent or an admin."));
    };
    let mut membership =
        Membership { group_id: group.id, user_id, number: None, is_default, created_at: Timestamp::now() };
    match state.store.add_member(&mut membership).await? {
        AddMember::Added => Ok((membership, user)),
        AddMember::AlreadyMember => {
            Err(ApiError::invalid("user_id", "The user is already a member of this group."))
        }
    }
}
