//! Satisfaction ratings (API.md part 2): the requester rates a solved ticket, signed in or with
//! the survey link's token (`POST /tickets/{id}/satisfaction`); admins list the ratings
//! (`GET /satisfaction-ratings`). The rules and the write are `app::satisfaction`.
use crate::app::satisfaction::{rate, token_opens, Score};
use crate::app::Actor;
use crate::clock::Timestamp;
use crate::cursor::per_page;
use crate::domain::satisfaction::{Rating, MAX_COMMENT_CHARS, MAX_REASON_CHARS};
use crate::domain::ticket::{Satisfaction, Via};
use crate::domain::user::Role;
use crate::http::extract::{Admin, FromJson, JsonObject, MaybeCaller, Params};
use crate::http::handlers::tickets::resolve_id;
use crate::http::views::Page;
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::satisfaction::RatingFilter;
use crate::validation::{Input, ValidationErrors};
use crate::ApiError;
use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::{Map, Value};

/// The body of `POST /tickets/{id}/satisfaction`.
#[derive(Debug, utoipa::ToSchema)]
pub struct RatingFields {
    /// `good` or `bad`.
    #[schema(value_type = String, pattern = "^(good|bad)$")]
    pub score: Satisfaction,
    #[schema(max_length = 2000, nullable = false)]
    pub comment: Option<String>,
    #[schema(max_length = 255, nullable = false)]
    pub reason: Option<String>,
    /// The survey link's token, for a requester who is not signed in.
    #[schema(max_length = 200, nullable = false)]
    pub token: Option<String>,
}

fn optional_text(input: &mut Input, field: &str, max: usize) -> Option<String> {
    match input.nullable_string(field) {
        Some(Some(s)) if s.chars().count() > max => {
            input.error(field, format!("The {field} field must not be greater than {max} characters."));
            None
        }
        Some(Some(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

impl FromJson for RatingFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let score = match input.required_string("score") {
            Some(s) => match Satisfaction::parse(s.trim())
                .filter(|s| matches!(s, Satisfaction::Good | Satisfaction::Bad))
            {
                Some(s) => Some(s),
                None => {
                    input.error("score", "The score must be good or bad.");
                    None
                }
            },
            None => None,
        };
        let comment = optional_text(&mut input, "comment", MAX_COMMENT_CHARS);
        let reason = optional_text(&mut input, "reason", MAX_REASON_CHARS);
        let token = optional_text(&mut input, "token", 200);
        match score {
            Some(score) => input.into_result(RatingFields { score, comment, reason, token }),
            None => Err(input.into_errors()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingEnvelope {
    pub satisfaction_rating: Rating,
}

/// `POST /tickets/{id}/satisfaction`: the requester signed in, or anyone holding the survey
/// link's token. Anyone else learns nothing: another customer (or a wrong token) gets 404 as
/// for a ticket that does not exist; staff get 403 (only requesters rate).
#[utoipa::path(
    post,
    path = "/tickets/{id}/satisfaction",
    operation_id = "post_tickets_id_satisfaction",
    tag = "satisfaction",
    summary = "Rate a solved ticket (its requester, or the survey link's token)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = RatingFields, example = json!({"score": "good", "comment": "Quick and kind."})),
    responses((status = 201, description = "Rated; the ticket's satisfaction follows.", body = RatingEnvelope, example = json!({"satisfaction_rating": crate::http::openapi::examples::rating()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E413, crate::http::openapi::E422),
    security((), ("bearer" = []))
)]
pub async fn create(
    State(state): State<Shared>,
    MaybeCaller(caller): MaybeCaller,
    Path(raw): Path<String>,
    JsonObject(body): JsonObject,
) -> HandlerResult {
    // Who asks comes first: without a session or a token there is nothing to check the body for.
    if caller.is_none() && body.get("token").is_none_or(Value::is_null) {
        return Err(ApiError::Unauthenticated);
    }
    let fields = RatingFields::from_json(&body).map_err(ApiError::Validation)?;
    if caller.as_ref().is_some_and(|c| c.role().is_staff()) {
        return Err(ApiError::Forbidden);
    }
    let id = resolve_id(&state, &raw).await?;
    let ticket = match id {
        Some(id) => state.store.get_ticket(id).await?,
        None => None,
    };
    let ticket = ticket.ok_or(ApiError::NotFound)?;
    let allowed = match (&caller, &fields.token) {
        (Some(c), _) => c.id() == ticket.requester_id,
        (None, Some(token)) => token_opens(&state.links, &ticket, token, Timestamp::now().0.unix_timestamp()),
        (None, None) => false,
    };
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let rater = Actor::user(ticket.requester_id, caller.map(|c| c.role()).unwrap_or(Role::Customer));
    let score = Score { score: fields.score, comment: fields.comment, reason: fields.reason };
    let (rating, _) = rate(&state, ticket, &rater, score, Via::Web).await?;
    Ok(created(&RatingEnvelope { satisfaction_rating: rating }))
}

/// A date (`2026-11-01`, the day's start in UTC) or an RFC 3339 time.
fn moment(raw: &str, field: &str) -> Result<Timestamp, ApiError> {
    if let Some(t) = crate::clock::parse(raw) {
        return Ok(Timestamp(t));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, format).map(|d| Timestamp(d.midnight().assume_utc())).map_err(|_| {
        ApiError::invalid(field, format!("The {field} must be a date (YYYY-MM-DD) or an RFC 3339 time."))
    })
}

/// `GET /satisfaction-ratings` (admin): newest first; `score`, `from` (inclusive), `to`
/// (exclusive; a date means that day's start).
#[utoipa::path(
    get,
    path = "/satisfaction-ratings",
    operation_id = "get_satisfaction_ratings",
    tag = "satisfaction",
    summary = "Satisfaction ratings, newest first (admin)",
    params(
        ("score" = Option<String>, Query, pattern = "^(good|bad)$", description = "good or bad"),
        ("from" = Option<String>, Query, description = "A date (YYYY-MM-DD) or RFC 3339 time, inclusive"),
        ("to" = Option<String>, Query, description = "A date (YYYY-MM-DD) or RFC 3339 time, exclusive"),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"),
        ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")
    ),
    responses((status = 200, description = "A page of ratings.", body = crate::http::views::Page<Rating>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::rating(), "/satisfaction-ratings"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Admin, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let mut filter = RatingFilter::default();
    if let Some(raw) = query.present("score") {
        filter.score = Some(
            Satisfaction::parse(&raw)
                .filter(|s| matches!(s, Satisfaction::Good | Satisfaction::Bad))
                .ok_or_else(|| ApiError::invalid("score", "The score must be good or bad."))?,
        );
    }
    if let Some(raw) = query.present("from") {
        filter.from = Some(moment(&raw, "from")?);
    }
    if let Some(raw) = query.present("to") {
        filter.to = Some(moment(&raw, "to")?);
    }
    // The cursor is bound to the filters: it cannot carry a page over to another list.
    let list = format!("ratings:{}", query.without_cursor());
    if let Some(c) = query.one("cursor") {
        filter.before = Some(state.cursors.decode(&list, &c)?);
    }
    let (rows, more) = state.store.list_ratings(&filter, per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode(&list, s))).flatten();
    let data: Vec<Rating> = rows.into_iter().map(|(_, r)| r).collect();
    Ok(ok(&Page::new(data, "/satisfaction-ratings", per_page, next, &query.without_cursor())))
}
