//! First-admin bootstrap for a deployment: promote a user who registered through the API to
//! admin, straight in the table (there is no default password anywhere).
use helpdesk::domain::user::{Email, Role};
use helpdesk::store::Store;
use helpdesk::{clock, BoxError};

/// Makes the user with this email an admin (audited as done by themself). Returns their id.
pub async fn promote(store: &Store, email: &str) -> Result<uuid::Uuid, BoxError> {
    let email = Email::parse(email)?;
    let user = store.user_by_email(&email.normalized()).await?.ok_or_else(|| {
        format!("no user with email {}; register through POST /auth/register first", email.as_str())
    })?;
    if user.user.role == Role::Admin {
        return Ok(user.user.id);
    }
    store
        .assign_user(&user, Some(Role::Admin), None, user.user.id, None, &clock::format(clock::now()))
        .await?
        .ok_or("the user changed meanwhile; run again")?;
    Ok(user.user.id)
}
