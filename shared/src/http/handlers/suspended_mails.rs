//! `/suspended-mails` (API.md part 2, "Email in"): received mail the desk would not put on a
//! ticket, for staff to recover or delete. Customers get 403.
use crate::app::mail_in::{recover as recover_mail, Recovered};
use crate::app::Actor;
use crate::cursor::per_page;
use crate::http::extract::{Params, Staff};
use crate::http::views::{self as out, Page, RecoveredMail};
use crate::http::{ok, HandlerResult, Shared};
use crate::ApiError;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::StatusCode;
use uuid::Uuid;

async fn load(state: &crate::AppState, raw: &str) -> Result<crate::store::inbound::Suspended, ApiError> {
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
    state.store.get_suspended(id).await?.ok_or(ApiError::NotFound)
}

/// `GET /suspended-mails`: oldest first, cursor-paged.
#[utoipa::path(
    get,
    path = "/suspended-mails",
    operation_id = "get_suspended_mails",
    tag = "mail",
    summary = "Suspended mail (staff)",
    params(("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident")),
    responses((status = 200, description = "A page of suspended mail, oldest first.", body = crate::http::views::Page<crate::http::views::SuspendedMail>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::suspended_mail(), "/suspended-mails"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode("suspended-mails", &c)?),
        None => None,
    };
    let (rows, more) = state.store.suspended_page(after.as_deref(), per_page).await?;
    let next = more
        .then(|| rows.last().map(|s| state.cursors.encode("suspended-mails", &s.id.to_string())))
        .flatten();
    let data: Vec<out::SuspendedMail> = rows.iter().map(out::SuspendedMail::of).collect();
    Ok(ok(&Page::new(data, "/suspended-mails", per_page, next, &query.without_cursor())))
}

/// `POST /suspended-mails/{id}/recover`: a comment on the ticket it replied to (posted by the
/// caller, quoting the sender), or a new ticket from the sender; the suspended mail is gone.
#[utoipa::path(
    post,
    path = "/suspended-mails/{id}/recover",
    operation_id = "post_suspended_mails_id_recover",
    tag = "mail",
    summary = "Recover suspended mail (staff)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 200, description = "What it became.", body = crate::http::views::RecoveredMail, example = json!({"ticket_id": "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", "comment_id": "0190f3a4-cccc-7000-8000-000000000003"})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E409, crate::http::openapi::E422)
)]
pub async fn recover(
    State(state): State<Shared>,
    Staff(caller): Staff,
    Path(raw): Path<String>,
) -> HandlerResult {
    let suspended = load(&state, &raw).await?;
    let actor = Actor::from(&caller);
    let body = match recover_mail(&state, &actor, &suspended).await? {
        Recovered::Comment { ticket_id, comment_id } => {
            RecoveredMail { ticket_id, comment_id: Some(comment_id) }
        }
        Recovered::Ticket { ticket_id } => RecoveredMail { ticket_id, comment_id: None },
    };
    Ok(ok(&body))
}

/// `DELETE /suspended-mails/{id}`.
#[utoipa::path(
    delete,
    path = "/suspended-mails/{id}",
    operation_id = "delete_suspended_mails_id",
    tag = "mail",
    summary = "Delete suspended mail (staff)",
    params(("id" = String, Path, description = "A UUID")),
    responses((status = 204, description = "Deleted."), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn delete(State(state): State<Shared>, _: Staff, Path(raw): Path<String>) -> HandlerResult {
    let suspended = load(&state, &raw).await?;
    state.store.delete_suspended(suspended.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
