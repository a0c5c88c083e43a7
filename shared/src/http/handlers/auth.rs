//! `/auth/*`: register, login, logout, and the caller's own profile.
use crate::auth::{password, token::Issued, Caller};
use crate::clock::Timestamp;
use crate::domain::user::{parse_avatar_url, Email, Password, PersonName, Role, User};
use crate::http::extract::{Command, FromJson};
use crate::http::throttle::{self, Scope, Source};
use crate::http::views::{self, Message, TokenResponse, UserEnvelope};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::sessions::Session;
use crate::store::users::{CreateUserError, ProfileChanges, UserRecord};
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError};
use axum::extract::State;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

fn token_body(user: &User, issued: &Issued, now: OffsetDateTime) -> TokenResponse {
    let expires_at = OffsetDateTime::from_unix_timestamp(issued.claims.exp).unwrap_or(now);
    TokenResponse {
        user: views::User::of(user, now),
        token: issued.token.clone(),
        token_type: "Bearer".into(),
        expires_at: Timestamp(expires_at),
    }
}

/// The session behind a token just issued to a user whose `session_epoch` is `epoch`.
fn session_for(issued: &Issued, epoch: u32, now: OffsetDateTime) -> Session {
    Session {
        id: issued.claims.sid,
        user_id: issued.claims.sub,
        created_at: clock::Timestamp(now),
        expires_at: issued.claims.exp,
        epoch,
    }
}

/// A new user's record; `role` is `Customer` for self-registration, whose address is not
/// verified until its owner follows the mailed link (users an admin makes are verified).
pub async fn new_user_record(
    name: &PersonName,
    email: &Email,
    password: &Password,
    role: Role,
    email_verified: bool,
    now: OffsetDateTime,
) -> Result<UserRecord, ApiError> {
    let stamp = clock::format(now);
    Ok(UserRecord {
        user: User {
            id: Uuid::now_v7(),
            number: None,
            name: name.as_str().to_owned(),
            email: email.as_str().to_owned(),
            role,
            avatar_url: None,
            organization_id: None,
            notify_email: true,
            email_verified,
            last_seen: Some(crate::clock::Timestamp::stored(&stamp)),
            created_at: crate::clock::Timestamp::stored(&stamp),
            updated_at: crate::clock::Timestamp::stored(&stamp),
        },
        email_lower: email.normalized(),
        password_hash: password::hash(password.expose()).await.map_err(ApiError::internal)?,
        session_epoch: 0,
    })
}

/// The body of `POST /auth/register`.
#[derive(utoipa::ToSchema)]
pub struct Register {
    pub name: PersonName,
    pub email: Email,
    pub password: Password,
}

impl FromJson for Register {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let name = input.required_string("name");
        let email = input.required_string("email");
        let pass = input.required_string("password");
        let name = name.and_then(|n| PersonName::parse(&n).map_err(|m| input.error("name", m)).ok());
        let email = email.and_then(|e| Email::parse(&e).map_err(|m| input.error("email", m)).ok());
        let pass =
            pass.and_then(|p| Password::parse(&p, "password").map_err(|m| input.error("password", m)).ok());
        match (name, email, pass) {
            (Some(name), Some(email), Some(password)) => Ok(Register { name, email, password }),
            _ => Err(input.into_errors()),
        }
    }
}

/// The body of `POST /auth/login` (only presence is checked: any other problem is the same 401).
#[derive(utoipa::ToSchema)]
pub struct Login {
    #[schema(min_length = 1)]
    pub email: String,
    #[schema(min_length = 1)]
    pub password: String,
}

impl FromJson for Login {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let email = input.required_string("email");
        let password = input.required_string("password");
        match (email, password) {
            (Some(email), Some(password)) => Ok(Login { email, password }),
            _ => Err(input.into_errors()),
        }
    }
}

/// The body of `PATCH /auth/me`. `role` and `organization_id` are refused (403) by the handler.
#[derive(utoipa::ToSchema)]
pub struct UpdateMe {
    #[schema(nullable = false)]
    pub name: Option<PersonName>,
    /// An absolute http(s) URL; `null` clears it.
    #[schema(max_length = 2048, format = "uri", pattern = "^https?://[^\\s]+$")]
    pub avatar_url: Option<Option<String>>,
    pub notify_email: Option<bool>,
    /// A new password: signs out every other session.
    #[schema(nullable = false)]
    pub password: Option<Password>,
    /// Required with `password`.
    #[schema(nullable = false)]
    pub current_password: Option<String>,
}

impl FromJson for UpdateMe {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let mut name = None;
        if input.has("name") {
            if let Some(n) = input.required_string("name") {
                match PersonName::parse(&n) {
                    Ok(n) => name = Some(n),
                    Err(m) => input.error("name", m),
                }
            }
        }
        let mut avatar_url = None;
        match input.nullable_string("avatar_url") {
            Some(Some(url)) => match parse_avatar_url(&url) {
                Ok(url) => avatar_url = Some(Some(url)),
                Err(m) => input.error("avatar_url", m),
            },
            Some(None) => avatar_url = Some(None),
            None => {}
        }
        let notify_email = input.optional_bool("notify_email");
        let mut password = None;
        let mut current_password = None;
        if body.get("current_password").is_some_and(|v| !v.is_string()) {
            input.error("current_password", "The current password field must be a string.");
        }
        if input.has("password") {
            current_password = input.required_string("current_password");
            if let Some(p) = input.required_string("password") {
                match Password::parse(&p, "password") {
                    Ok(p) => password = Some(p),
                    Err(m) => input.error("password", m),
                }
            }
        }
        input.into_result(UpdateMe { name, avatar_url, notify_email, password, current_password })
    }
}

/// `POST /auth/register`: a new customer and their first token.
#[utoipa::path(
    post,
    path = "/auth/register",
    operation_id = "post_auth_register",
    tag = "auth",
    summary = "Register a customer",
    security(()),
    request_body(content = Register, example = json!({"name": "Grace Customer", "email": "customer@example.com", "password": "correct-horse"})),
    responses((status = 201, description = "Registered and signed in; a verification link is mailed.", body = crate::http::views::TokenResponse, example = json!(crate::http::openapi::examples::token())), crate::http::openapi::E400, crate::http::openapi::E413, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn register(State(state): State<Shared>, source: Source, body: Command<Register>) -> HandlerResult {
    let Register { name, email, password: pass } = body.command;
    throttle::take(&state, Scope::Signup, &source.0).await?;

    let now = clock::now();
    let mut record = new_user_record(&name, &email, &pass, Role::Customer, false, now).await?;
    let issued = state.tokens.issue(record.user.id, now).map_err(ApiError::internal)?;
    let session = session_for(&issued, record.session_epoch, now);
    match state.store.create_user(&mut record, Some(&session)).await {
        Ok(()) => Ok(created(&token_body(&record.user, &issued, now))),
        Err(CreateUserError::EmailTaken) => {
            Err(ApiError::invalid("email", "The email has already been taken."))
        }
        Err(CreateUserError::Store(e)) => Err(e.into()),
    }
}

/// `POST /auth/login`: a token for a new session, or the same 401 (in about the same time)
/// whether the email is unknown or the password wrong.
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "post_auth_login",
    tag = "auth",
    summary = "Sign in",
    security(()),
    request_body(content = Login, example = json!({"email": "agent@example.com", "password": "helpdesk-demo"})),
    responses((status = 200, description = "Signed in.", body = crate::http::views::TokenResponse, example = json!(crate::http::openapi::examples::token())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn login(State(state): State<Shared>, source: Source, body: Command<Login>) -> HandlerResult {
    let Login { email, password: pass } = body.command;

    // Failures are limited per account (whether it exists or not) and per source.
    let account = email.trim().to_lowercase();
    throttle::check(&state, Scope::FailedLogin, &account).await?;
    throttle::check(&state, Scope::FailedLoginFromSource, &source.0).await?;
    let user = match Email::parse(&email) {
        Ok(email) => state.store.user_by_email(&email.normalized()).await?,
        Err(_) => None,
    };
    if !password::verify(&pass, user.as_ref().map(|u| u.password_hash.as_str())).await {
        throttle::failed(&state, Scope::FailedLogin, &account).await?;
        throttle::failed(&state, Scope::FailedLoginFromSource, &source.0).await?;
        return Err(ApiError::Unauthenticated);
    }
    let Some(record) = user else { return Err(ApiError::Unauthenticated) };

    let now = clock::now();
    let issued = state.tokens.issue(record.user.id, now).map_err(ApiError::internal)?;
    state.store.put_session(&session_for(&issued, record.session_epoch, now)).await?;
    Ok(ok(&token_body(&record.user, &issued, now)))
}

/// `POST /auth/logout`: deletes the session, so this token is refused from now on.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "post_auth_logout",
    tag = "auth",
    summary = "Sign out (this token dies)",
    responses((status = 200, description = "Signed out.", body = crate::http::views::Message, example = json!({"message": "Logged out."})), crate::http::openapi::E401)
)]
pub async fn logout(State(state): State<Shared>, caller: Caller) -> HandlerResult {
    state.store.delete_session(caller.session_id).await?;
    Ok(ok(&Message { message: "Logged out.".into() }))
}

/// `GET /auth/me`.
#[utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "get_auth_me",
    tag = "auth",
    summary = "The caller",
    responses((status = 200, description = "The caller.", body = crate::http::views::UserEnvelope, example = json!(crate::http::openapi::examples::user_envelope())), crate::http::openapi::E401)
)]
pub async fn me(caller: Caller) -> HandlerResult {
    Ok(ok(&UserEnvelope { user: views::User::of(&caller.user, clock::now()) }))
}

/// `PATCH /auth/me`: name, avatar_url, notify_email, and password (with current_password).
/// Changing the password signs out every other session. `role` and `organization_id` are
/// assigned by an admin (`PATCH /users/{id}/assign`), so sending them here is a 403.
#[utoipa::path(
    patch,
    path = "/auth/me",
    operation_id = "patch_auth_me",
    tag = "auth",
    summary = "Update the caller's profile",
    request_body(content = UpdateMe, example = json!({"notify_email": false})),
    responses((status = 200, description = "Updated.", body = crate::http::views::UserEnvelope, example = json!(crate::http::openapi::examples::user_envelope())), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E409, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn update_me(
    State(state): State<Shared>,
    caller: Caller,
    body: Command<UpdateMe>,
) -> HandlerResult {
    // Role and organization are assigned by an admin (PATCH /users/{id}/assign).
    if body.raw.contains_key("role") || body.raw.contains_key("organization_id") {
        return Err(ApiError::Forbidden);
    }
    let UpdateMe { name, avatar_url, notify_email, password: new_password, current_password } = body.command;
    let mut changes = ProfileChanges {
        name: name.map(|n| n.as_str().to_owned()),
        avatar_url,
        notify_email,
        ..Default::default()
    };
    let now = clock::now();
    let updated = match new_password {
        Some(pass) => {
            let current = current_password.unwrap_or_default();
            let record = state.store.get_user(caller.id()).await?.ok_or(ApiError::Unauthenticated)?;
            let account = caller.id().to_string();
            throttle::check(&state, Scope::FailedPasswordCheck, &account).await?;
            if !password::verify(&current, Some(&record.password_hash)).await {
                throttle::failed(&state, Scope::FailedPasswordCheck, &account).await?;
                return Err(ApiError::invalid("current_password", "The password is incorrect."));
            }
            changes.password_hash = Some(password::hash(pass.expose()).await.map_err(ApiError::internal)?);
            // One transaction: the profile, a new session epoch (every other session of the
            // user dies with it) and this session moved to the new epoch.
            let session =
                state.store.get_session(caller.session_id).await?.ok_or(ApiError::Unauthenticated)?;
            let updated = state
                .store
                .change_password(&record, &changes, Some(&session), &clock::format(now))
                .await?
                .ok_or_else(|| {
                    ApiError::Conflict("The user was changed by someone else. Try again.".into())
                })?;
            // Tidy up the dead sessions' items (their tokens already fail the epoch check); the
            // broadcaster closes their WebSocket connections when the items leave the table.
            state.store.revoke_other_sessions(caller.id(), caller.session_id).await?;
            updated
        }
        None if changes.is_empty() => {
            return Ok(ok(&UserEnvelope { user: views::User::of(&caller.user, now) }));
        }
        None => state
            .store
            .update_profile(caller.id(), &changes, &clock::format(now))
            .await?
            .ok_or(ApiError::Unauthenticated)?,
    };
    Ok(ok(&UserEnvelope { user: views::User::of(&updated.user, now) }))
}

/// The body of `POST /auth/verify-email`.
#[derive(utoipa::ToSchema)]
pub struct VerifyEmail {
    /// From the link mailed at sign-up.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

impl FromJson for VerifyEmail {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let token = input.required_string("token");
        match token {
            Some(token) => Ok(VerifyEmail { token }),
            None => Err(input.into_errors()),
        }
    }
}

/// `POST /auth/verify-email`: confirms the address the token was mailed to. A token for an
/// address the user no longer has, an expired or a forged one is the same 422 (failures are
/// throttled per source). Verifying twice is fine.
#[utoipa::path(
    post,
    path = "/auth/verify-email",
    operation_id = "post_auth_verify_email",
    tag = "auth",
    summary = "Verify the email address (link from the sign-up mail)",
    security(()),
    request_body(content = VerifyEmail, example = json!({"token": "0192f0c4a1b27c3d8e9f00112233aabb.1767225600.c2lnbmF0dXJl"})),
    responses((status = 200, description = "Verified.", body = crate::http::views::UserEnvelope, example = json!(crate::http::openapi::examples::user_envelope())), crate::http::openapi::E400, crate::http::openapi::E413, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn verify_email(
    State(state): State<Shared>,
    source: Source,
    body: Command<VerifyEmail>,
) -> HandlerResult {
    use crate::auth::link::{LinkKey, Purpose};
    throttle::check(&state, Scope::FailedVerification, &source.0).await?;
    let now = clock::now();
    let claimed = LinkKey::claimed(&body.command.token);
    let record = match &claimed {
        Some(c) => state.store.get_user(c.user_id).await?,
        None => None,
    };
    let valid = match (&claimed, &record) {
        (Some(c), Some(r)) => {
            state.links.verify(Purpose::VerifyEmail, c, &r.email_lower, now.unix_timestamp())
        }
        _ => false,
    };
    let Some(record) = record.filter(|_| valid) else {
        throttle::failed(&state, Scope::FailedVerification, &source.0).await?;
        return Err(ApiError::invalid("token", "The verification link is invalid or has expired."));
    };
    let user = if record.user.email_verified {
        record.user
    } else {
        let changes = ProfileChanges { email_verified: Some(true), ..Default::default() };
        state
            .store
            .update_profile(record.user.id, &changes, &clock::format(now))
            .await?
            .ok_or(ApiError::NotFound)?
            .user
    };
    Ok(ok(&UserEnvelope { user: views::User::of(&user, now) }))
}

/// The body of `POST /auth/forgot-password`.
#[derive(utoipa::ToSchema)]
pub struct ForgotPassword {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
}

impl FromJson for ForgotPassword {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let email = input.required_string("email");
        let email = email.and_then(|e| Email::parse(&e).map_err(|m| input.error("email", m)).ok());
        match email {
            Some(e) => Ok(ForgotPassword { email: e.normalized() }),
            None => Err(input.into_errors()),
        }
    }
}

/// `POST /auth/forgot-password`: 202 whoever asks (no account enumeration: an unknown address
/// costs the same requests and gets the same answer); an account's address is mailed a
/// single-use link valid one hour. Requests are throttled per source.
#[utoipa::path(
    post,
    path = "/auth/forgot-password",
    operation_id = "post_auth_forgot_password",
    tag = "auth",
    summary = "Mail a password-reset link (always 202)",
    security(()),
    request_body(content = ForgotPassword, example = json!({"email": "casey@example.com"})),
    responses((status = 202, description = "Accepted (whether or not the address has an account).", body = crate::http::views::Message, example = json!({"message": "If the address has an account, a link to reset its password is on its way."})), crate::http::openapi::E400, crate::http::openapi::E413, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn forgot_password(
    State(state): State<Shared>,
    source: Source,
    body: Command<ForgotPassword>,
) -> HandlerResult {
    throttle::take(&state, Scope::ResetRequest, &source.0).await?;
    let record = state.store.user_by_email(&body.command.email).await?;
    if record.is_none() {
        // The same second read a known address costs.
        let _ = state.store.get_user(Uuid::nil()).await?;
    }
    state.store.request_password_reset(record.map(|r| r.user.id), clock::now().unix_timestamp()).await?;
    let message = views::Message {
        message: "If the address has an account, a link to reset its password is on its way.".into(),
    };
    Ok(axum::response::IntoResponse::into_response((http::StatusCode::ACCEPTED, axum::Json(message))))
}

/// The body of `POST /auth/reset-password`.
#[derive(utoipa::ToSchema)]
pub struct ResetPassword {
    /// From the link in the reset mail.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    #[schema(value_type = String, min_length = 8, max_length = 128)]
    pub password: Password,
}

impl FromJson for ResetPassword {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let token = input.required_string("token");
        let pass = input.required_string("password");
        let pass =
            pass.and_then(|p| Password::parse(&p, "password").map_err(|m| input.error("password", m)).ok());
        match (token, pass) {
            (Some(token), Some(password)) => Ok(ResetPassword { token, password }),
            _ => Err(input.into_errors()),
        }
    }
}

/// `POST /auth/reset-password`: sets the password the token allows (once: the token is bound
/// to the old password) and ends every session of the user, HTTP and WebSocket. An expired,
/// used or forged token is a 422 (failures throttled per source).
#[utoipa::path(
    post,
    path = "/auth/reset-password",
    operation_id = "post_auth_reset_password",
    tag = "auth",
    summary = "Set a new password with the link from the reset mail",
    security(()),
    request_body(content = ResetPassword, example = json!({"token": "0192f0c4a1b27c3d8e9f00112233aabb.1767225600.c2lnbmF0dXJl", "password": "a new long passphrase"})),
    responses((status = 200, description = "The password is set; every session is signed out.", body = crate::http::views::Message, example = json!({"message": "Your password has been reset. Sign in with the new one."})), crate::http::openapi::E400, crate::http::openapi::E413, crate::http::openapi::E422, crate::http::openapi::E429)
)]
pub async fn reset_password(
    State(state): State<Shared>,
    source: Source,
    body: Command<ResetPassword>,
) -> HandlerResult {
    use crate::auth::link::{reset_binding, LinkKey, Purpose};
    throttle::check(&state, Scope::FailedVerification, &source.0).await?;
    let now = clock::now();
    let claimed = LinkKey::claimed(&body.command.token);
    let record = match &claimed {
        Some(c) => state.store.get_user(c.user_id).await?,
        None => None,
    };
    let valid = match (&claimed, &record) {
        (Some(c), Some(r)) => state.links.verify(
            Purpose::ResetPassword,
            c,
            &reset_binding(&r.email_lower, &r.password_hash),
            now.unix_timestamp(),
        ),
        _ => false,
    };
    let Some(record) = record.filter(|_| valid) else {
        throttle::failed(&state, Scope::FailedVerification, &source.0).await?;
        return Err(ApiError::invalid("token", "The reset link is invalid, used or has expired."));
    };
    let hash = password::hash(body.command.password.expose()).await.map_err(ApiError::internal)?;
    let changes = ProfileChanges { password_hash: Some(hash), ..Default::default() };
    match state.store.change_password(&record, &changes, None, &clock::format(now)).await? {
        Some(_) => Ok(ok(&views::Message {
            message: "Your password has been reset. Sign in with the new one.".into(),
        })),
        None => Err(ApiError::Conflict("The account changed meanwhile. Ask for a new link.".into())),
    }
}
