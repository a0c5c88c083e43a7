//! Demo accounts for the local stack (never deployed): one per role, one shared password.
use helpdesk::domain::user::{Email, Password, PersonName, Role};
use helpdesk::store::users::{CreateUserError, UserRecord};
use helpdesk::{clock, AppState, BoxError};

/// The password of every demo account. Local only: the seed never runs in AWS.
pub const DEMO_PASSWORD: &str = "helpdesk-demo";

pub const DEMO_ACCOUNTS: [(&str, &str, Role); 3] = [
    ("Ada Admin", "admin@example.com", Role::Admin),
    ("Alan Agent", "agent@example.com", Role::Agent),
    ("Grace Customer", "customer@example.com", Role::Customer),
];

/// Creates a user with the given role unless the email is taken; returns the stored user.
pub async fn ensure_user(
    state: &AppState,
    name: &str,
    email: &str,
    password: &str,
    role: Role,
) -> Result<UserRecord, BoxError> {
    let email = Email::parse(email)?;
    if let Some(existing) = state.store.user_by_email(&email.normalized()).await? {
        return Ok(existing);
    }
    let name = PersonName::parse(name)?;
    let password = Password::parse(password, "password")?;
    let mut record =
        helpdesk::http::handlers::auth::new_user_record(&name, &email, &password, role, true, clock::now())
            .await
            .map_err(|e| e.to_string())?;
    match state.store.create_user(&mut record, None).await {
        Ok(()) => Ok(record),
        Err(CreateUserError::EmailTaken) => state
            .store
            .user_by_email(&email.normalized())
            .await?
            .ok_or_else(|| "email claimed but user missing".into()),
        Err(CreateUserError::Store(e)) => Err(e.into()),
    }
}

pub async fn seed_demo_accounts(state: &AppState) -> Result<(), BoxError> {
    for (name, email, role) in DEMO_ACCOUNTS {
        ensure_user(state, name, email, DEMO_PASSWORD, role).await?;
    }
    // The six default views, as on any new desk (the first `GET /views` would create them too).
    helpdesk::app::views::ensure_defaults(state).await.map_err(|e| format!("default views: {e:?}"))?;
    Ok(())
}
