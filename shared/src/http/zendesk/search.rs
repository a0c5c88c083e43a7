//! `/api/v2/search` and `/api/v2/search/count`: the native search engine (Zendesk's query
//! syntax), offset-paged as Zendesk's search is (`page`, `per_page` ≤ 100, at most 1,000
//! results; beyond is a 422), each result with its `result_type`.
use super::shapes::{self, Refs};
use super::{base_url, page_url, ZdCaller, ZdError, ZdResult};
use crate::app::search::{self, Reader, Request, SortBy};
use crate::auth::Caller;
use crate::domain::search::doc::DocKind;
use crate::domain::search::query;
use crate::domain::ticket::Ticket;
use crate::domain::user::User;
use crate::http::extract::Params;
use crate::http::Shared;
use crate::store::orgs::Organization;
use crate::{clock, ApiError, AppState};
use axum::extract::State;
use http::HeaderMap;
use serde_json::{json, Value};

/// Most results a search reaches (Zendesk's limit).
pub const MAX_RESULTS: usize = 1_000;

/// One page of a search, fresh from the table, in the engine's order.
pub struct Found {
    pub order: Vec<(DocKind, uuid::Uuid)>,
    pub tickets: Vec<Ticket>,
    pub users: Vec<User>,
    pub orgs: Vec<Organization>,
    pub count: i64,
    pub more: bool,
}

/// Page `page` (1-based, `per_page` each) of `raw` for `caller`: the engine's cursor pages,
/// followed from the first (at most 1,000 results, so at most ten reads of 100).
pub async fn find(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    per_page: usize,
    paging: Option<(usize, SortBy, bool)>,
) -> Result<Found, ZdError> {
    let (page_no, sort_by, descending) = paging.unwrap_or((1, SortBy::Created, true));
    let parsed = query::parse(raw, clock::now()).map_err(|e| ZdError::invalid("query", e.to_string()))?;
    let reader = Reader { id: caller.id(), role: caller.role() };
    let plan = search::plan(&state.store, reader, &parsed).await?;
    let mut after: Option<String> = None;
    let mut skip = (page_no - 1) * per_page;
    let page = loop {
        let want = if skip > 0 { skip.min(100) } else { per_page };
        let request =
            Request { query: &parsed, sort_by, descending, per_page: want, after: after.as_deref() };
        let page = search::page(&state.store, &plan, &request).await.map_err(ApiError::from)?;
        if skip == 0 {
            break page;
        }
        skip -= page.hits.len().min(skip);
        match page.next {
            Some(next) => after = Some(next),
            None => {
                break search::Page {
                    hits: Vec::new(),
                    next: None,
                    count: page.count,
                    sorted_by: page.sorted_by,
                }
            }
        }
    };
    let ids =
        |kind: DocKind| page.hits.iter().filter(move |h| h.kind == kind).map(|h| h.id).collect::<Vec<_>>();
    let tickets: Vec<Ticket> = state
        .store
        .tickets_by_id(&ids(DocKind::Ticket))
        .await?
        .into_iter()
        .filter(|t| caller.role().is_staff() || t.requester_id == caller.id())
        .collect();
    let users = state.store.users_by_id(ids(DocKind::User)).await?.into_values().collect();
    let orgs = state.store.orgs_by_id(&ids(DocKind::Organization)).await?;
    Ok(Found {
        order: page.hits.iter().map(|h| (h.kind, h.id)).collect(),
        tickets,
        users,
        orgs,
        count: page.count.value,
        more: page.next.is_some(),
    })
}

fn params_of(params: &Params) -> Result<(String, usize, usize, SortBy, bool), ZdError> {
    let raw = params.one("query").unwrap_or_default();
    let number = |name: &str, default: usize| -> Result<usize, ZdError> {
        match params.present(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ZdError::bad_request(format!("{name} must be a positive integer"))),
        }
    };
    let page = number("page", 1)?;
    let per_page = number("per_page", 100)?.min(100);
    if page * per_page > MAX_RESULTS {
        return Err(ZdError::invalid(
            "page",
            format!("Search results are limited to the first {MAX_RESULTS}"),
        ));
    }
    // Zendesk also sorts by priority, status and ticket_type; the engine orders by time
    // (docs/zendesk.md): those fall back to the creation time.
    let sort_by = params.one("sort_by").and_then(|s| SortBy::parse(&s)).unwrap_or(SortBy::Created);
    let descending = params.one("sort_order").as_deref() != Some("asc");
    Ok((raw, page, per_page, sort_by, descending))
}

/// `GET /api/v2/search?query=`.
pub async fn search(
    State(state): State<Shared>,
    ZdCaller(caller): ZdCaller,
    headers: HeaderMap,
    params: Params,
) -> ZdResult {
    let (raw, page, per_page, sort_by, descending) = params_of(&params)?;
    let found = find(&state, &caller, &raw, per_page, Some((page, sort_by, descending))).await?;
    let refs = Refs::of(&state, &found.tickets, []).await?;
    let base = base_url(&headers);
    let staff = caller.role().is_staff();
    let mut results: Vec<Value> = Vec::new();
    for (kind, id) in &found.order {
        let mut item = match kind {
            DocKind::Ticket => match found.tickets.iter().find(|t| t.id == *id) {
                Some(t) => shapes::ticket(t, &refs, &base, staff),
                None => continue,
            },
            DocKind::User => match found.users.iter().find(|u| u.id == *id) {
                Some(u) => shapes::user(u, &base),
                None => continue,
            },
            DocKind::Organization => match found.orgs.iter().find(|o| o.id == *id) {
                Some(o) => shapes::organization(o, &base),
                None => continue,
            },
        };
        item["result_type"] = json!(match kind {
            DocKind::Ticket => "ticket",
            DocKind::User => "user",
            DocKind::Organization => "organization",
        });
        results.push(item);
    }
    let at = |p: usize| {
        page_url(
            &base,
            "/api/v2/search.json",
            &params,
            &[("page", p.to_string()), ("per_page", per_page.to_string())],
        )
    };
    let next = (found.more && (page + 1) * per_page <= MAX_RESULTS).then(|| at(page + 1));
    let previous = (page > 1).then(|| at(page - 1));
    Ok(super::ok(&json!({
        "results": results,
        "facets": null,
        "next_page": next,
        "previous_page": previous,
        "count": found.count,
    })))
}

/// `GET /api/v2/search/count?query=`.
pub async fn count(State(state): State<Shared>, ZdCaller(caller): ZdCaller, params: Params) -> ZdResult {
    let raw = params.one("query").unwrap_or_default();
    let found = find(&state, &caller, &raw, 1, None).await?;
    Ok(super::ok(&json!({"count": found.count})))
}
