//! `GET /search` (API.md part 2, "Search"): Zendesk's query language over tickets, users and
//! organizations. The query is parsed in `domain::search::query`, planned and paged in
//! `app::search`; this handler renders the objects the page names, fresh from the table.
use crate::app::search::{self, Reader, Request, SortBy};
use crate::auth::Caller;
use crate::clock;
use crate::domain::search::doc::DocKind;
use crate::domain::search::query;
use crate::domain::ticket::Ticket;
use crate::http::extract::Params;
use crate::http::views::{self, SearchPage, SearchResult};
use crate::http::{ok, HandlerResult, Shared};
use crate::{cursor, ApiError, AppState};
use axum::extract::State;

impl From<search::SearchError> for ApiError {
    fn from(e: search::SearchError) -> Self {
        match e {
            search::SearchError::Cursor(m) => ApiError::invalid("cursor", m),
            search::SearchError::Store(e) => e.into(),
        }
    }
}

/// A rendered page of results.
pub struct Results {
    pub data: Vec<SearchResult>,
    pub page: search::Page,
    pub descending: bool,
    pub per_page: usize,
}

/// The page of results `raw_query` names for `caller`, as objects in the page's order.
/// `only_tickets` serves `GET /tickets?search=` from the same engine.
pub async fn results(
    state: &AppState,
    caller: &Caller,
    raw_query: &str,
    params: &Params,
    only_tickets: bool,
    keep: &(dyn Fn(&Ticket) -> bool + Sync),
) -> Result<Results, ApiError> {
    let now = clock::now();
    let field = if only_tickets { "search" } else { "query" };
    let mut parsed = query::parse(raw_query, now).map_err(|e| ApiError::invalid(field, e.to_string()))?;
    if only_tickets {
        parsed.kinds.retain(|k| *k == DocKind::Ticket);
    }
    let default_sort = if only_tickets { "updated_at" } else { "created_at" };
    let sort_raw = params.one("sort_by").unwrap_or_else(|| default_sort.to_owned());
    let sort_by = SortBy::parse(&sort_raw).ok_or_else(|| {
        ApiError::invalid("sort_by", "The sort by field must be one of updated_at, created_at.")
    })?;
    let descending = match params.one("sort_order").as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => {
            return Err(ApiError::invalid("sort_order", "The sort order field must be one of desc, asc."))
        }
    };
    let per_page = cursor::per_page(params.present("per_page").as_deref())?;
    let scope = format!("search|{only_tickets}|{raw_query}|{}|{descending}", sort_by.as_str());
    let after = match params.one("cursor") {
        Some(c) => Some(state.cursors.decode(&scope, &c)?),
        None => None,
    };
    let reader = Reader { id: caller.id(), role: caller.role() };
    let plan = search::plan(&state.store, reader, &parsed).await?;
    let request = Request { query: &parsed, sort_by, descending, per_page, after: after.as_deref() };
    let mut page = search::page(&state.store, &plan, &request).await?;
    page.next = page.next.take().map(|p| state.cursors.encode(&scope, &p));
    let data = render(state, caller, &page.hits, keep).await?;
    Ok(Results { data, page, descending, per_page })
}

/// Fresh objects for the hits, in their order: one BatchGetItem for tickets, one for the
/// people and groups they name (and the users found), one for organizations. A hit whose object
/// is gone (the index lags deletes by seconds) is left out.
async fn render(
    state: &AppState,
    caller: &Caller,
    hits: &[crate::domain::search::doc::SearchDoc],
    keep: &(dyn Fn(&Ticket) -> bool + Sync),
) -> Result<Vec<SearchResult>, ApiError> {
    let ids = |kind: DocKind| hits.iter().filter(move |h| h.kind == kind).map(|h| h.id).collect::<Vec<_>>();
    let tickets = state.store.tickets_by_id(&ids(DocKind::Ticket)).await?;
    let names = state.store.names_for(&tickets, ids(DocKind::User)).await?;
    let orgs = state.store.orgs_by_id(&ids(DocKind::Organization)).await?;
    let now = clock::now();
    let mut out = Vec::new();
    for h in hits {
        let found = match h.kind {
            DocKind::Ticket => tickets
                .iter()
                .find(|t| t.id == h.id)
                .filter(|t| (caller.role().is_staff() || t.requester_id == caller.id()) && keep(t))
                .map(|t| SearchResult::Ticket(Box::new(views::ticket(caller, t, &names, now)))),
            DocKind::User => names.users.get(&h.id).map(|u| SearchResult::User(views::User::of(u, now))),
            DocKind::Organization => orgs
                .iter()
                .find(|o| o.id == h.id)
                .map(|o| SearchResult::Organization(views::Organization::of(o))),
        };
        out.extend(found);
    }
    Ok(out)
}

/// `GET /search`.
#[utoipa::path(
    get,
    path = "/search",
    operation_id = "get_search",
    tag = "search",
    summary = "Search tickets, users and organizations (customers: their own tickets)",
    params(
        ("query" = String, Query, description = "Zendesk's syntax: words, `word*`, `\"a phrase\"`, `-`, `type:`, `status<solved`, `assignee:me`, `created>2026-01-01`, ..."),
        ("sort_by" = Option<String>, Query, description = "`created_at` (default) or `updated_at`"),
        ("sort_order" = Option<String>, Query, description = "`desc` (default) or `asc`"),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"),
        ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the query and its order")
    ),
    responses((status = 200, description = "A page of results and the count.", body = crate::http::views::SearchPage, example = json!(crate::http::openapi::examples::search_page())), crate::http::openapi::E401, crate::http::openapi::E422)
)]
pub async fn search(State(state): State<Shared>, caller: Caller, params: Params) -> HandlerResult {
    let raw = params.one("query").unwrap_or_default();
    let Results { data, page, descending, per_page } =
        results(&state, &caller, &raw, &params, false, &|_| true).await?;
    let listed = views::Page::new(Vec::<()>::new(), "/search", per_page, page.next, &params.without_cursor());
    Ok(ok(&SearchPage {
        data,
        path: "/search".into(),
        per_page,
        next_cursor: listed.next_cursor,
        next_page_url: listed.next_page_url,
        prev_cursor: None,
        prev_page_url: None,
        count: page.count.value,
        count_exact: page.count.exact,
        sort_by: page.sorted_by.as_str().into(),
        sort_order: if descending { "desc" } else { "asc" }.into(),
    }))
}
