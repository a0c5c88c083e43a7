//! Running a view: its tickets page by page and its count, from the index partitions of its
//! anchor condition (never a Scan), each page within a fixed number of reads.
//!
//! - Sorted by `updated_at` (every default view): the anchor partitions are walked in their
//!   index order, merged, and the conditions checked as the page is read; at most
//!   [`PAGE_ROUNDS`] rounds of one Query of [`CHUNK`] items per partition. A page that reaches
//!   the bound before it is full comes back shorter, with a cursor to go on.
//! - Sorted otherwise: the newest [`WINDOW`] matching tickets of the anchor partitions (at most
//!   [`WINDOW_ROUNDS`] rounds) are sorted in memory and paged; a view with more matches than the
//!   window says so (`truncated`).
//! - Counts: exact from the status counters when the view is only an anchor and statuses;
//!   otherwise a walk of [`COUNT_ROUNDS`] rounds per request, resumed by the next request and
//!   cached for [`COUNT_TTL_SECS`].
use crate::clock::{self, Timestamp};
use crate::domain::conditions::{Conditions, Facts};
use crate::domain::ticket::{Priority, Status, Ticket};
use crate::domain::views::{updated_range, Anchor, CounterPlan, Execution, SortBy, SortOrder};
use crate::store::keys::{self, Index};
use crate::store::macros::Restriction;
use crate::store::views::{CachedCount, View};
use crate::store::{Store, StoreError};
use crate::{ApiError, AppState};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// Items per Query request of a walk.
pub const CHUNK: usize = 100;
/// Rounds of a page sorted by `updated_at`: at most 4 Query requests per anchor partition, the
/// first of `per_page + 1` items, then twice as many each round up to [`CHUNK`].
pub const PAGE_ROUNDS: usize = 4;
/// Matching tickets an in-memory sort considers, and the rounds it may read them in.
pub const WINDOW: usize = 1_000;
pub const WINDOW_ROUNDS: usize = 10;
/// Rounds one count request may walk.
pub const COUNT_ROUNDS: usize = 10;
/// How long a walked count is served from the cache.
pub const COUNT_TTL_SECS: i64 = 60;

/// The list index partitions an anchor names (none for "requester is nobody").
pub fn anchor_partitions(anchor: &Anchor) -> Vec<(Index, String)> {
    match anchor {
        Anchor::Requester(Some(r)) => vec![(Index::Gsi2, keys::requester_partition(*r))],
        Anchor::Requester(None) => Vec::new(),
        Anchor::Assignee(a) => vec![(Index::Gsi3, keys::assignee_partition(*a))],
        Anchor::Group(g) => vec![(Index::Gsi6, keys::ticket_group_partition(*g))],
        Anchor::Organization(o) => vec![(Index::Gsi4, keys::ticket_org_partition(*o))],
        Anchor::Statuses(s) => s.iter().map(|s| (Index::Gsi1, keys::status_partition(s.as_str()))).collect(),
    }
}

/// The counter partition of an anchor (`None`: a requester that cannot exist).
fn counter_partition(anchor: Option<&Anchor>) -> Option<String> {
    Some(match anchor {
        None | Some(Anchor::Statuses(_)) => keys::ALL_TICKETS.to_owned(),
        Some(Anchor::Requester(r)) => keys::requester_partition((*r)?),
        Some(Anchor::Assignee(a)) => keys::assignee_partition(*a),
        Some(Anchor::Group(g)) => keys::ticket_group_partition(*g),
        Some(Anchor::Organization(o)) => keys::ticket_org_partition(*o),
    })
}

/// Where a walk ended.
#[derive(Debug, PartialEq)]
enum End {
    /// The visitor stopped at the item with this sort key.
    Stopped(String),
    /// Every partition was read to the end of the range.
    Exhausted,
    /// The round bound was reached; resume strictly after this sort key.
    Bound(String),
}

/// A walk over several index partitions in one sort-key order, within `[low, high]`.
struct Walk<'a> {
    store: &'a Store,
    partitions: Vec<(Index, String)>,
    low: Option<String>,
    high: Option<String>,
    ascending: bool,
}

impl Walk<'_> {
    /// Visits tickets in order strictly after `from`, `rounds` rounds at most. Each round reads
    /// one chunk per unfinished partition; only items up to the *frontier* (the nearest last
    /// key among partitions with more to read) are visited, so the merge is exact.
    /// The first round reads `first` items per partition, each next one twice as many, up to
    /// [`CHUNK`] (a page of 25 reads 26 per partition when the first round fills it).
    async fn run(
        &self,
        mut from: Option<String>,
        rounds: usize,
        first: usize,
        mut visit: impl FnMut(&Ticket) -> bool,
    ) -> Result<End, StoreError> {
        let mut done = vec![false; self.partitions.len()];
        let mut limit = first.clamp(1, CHUNK);
        for round in 0..rounds {
            if round > 0 {
                limit = (limit * 2).min(CHUNK);
            }
            let (low, high) = match (&from, self.ascending) {
                (Some(f), true) => (Some(max_of(self.low.as_deref(), f)), self.high.clone()),
                (Some(f), false) => (self.low.clone(), Some(min_of(self.high.as_deref(), f))),
                (None, _) => (self.low.clone(), self.high.clone()),
            };
            let reads =
                self.partitions.iter().enumerate().filter(|(i, _)| !done[*i]).map(|(i, (index, p))| {
                    let (low, high) = (low.clone(), high.clone());
                    async move {
                        let chunk = self
                            .store
                            .ticket_chunk(*index, p, low.as_deref(), high.as_deref(), self.ascending, CHUNK)
                            .await;
                        (i, chunk)
                    }
                });
            let mut chunks = Vec::new();
            for (i, chunk) in futures::future::join_all(reads).await {
                chunks.push((i, chunk?));
            }
            let beyond = |a: &str, b: &str| if self.ascending { a > b } else { a < b };
            // The frontier: the least advanced last key among partitions with more to read.
            let mut frontier: Option<String> = None;
            for (_, c) in chunks.iter().filter(|(_, c)| !c.exhausted) {
                if let Some((last, _)) = c.tickets.last() {
                    if frontier.as_deref().is_none_or(|f| beyond(f, last)) {
                        frontier = Some(last.clone());
                    }
                }
            }
            let mut accepted: Vec<(String, Ticket)> = Vec::new();
            for (i, c) in chunks {
                let within = |k: &str| frontier.as_deref().is_none_or(|f| !beyond(k, f));
                if c.exhausted && c.tickets.last().is_none_or(|(k, _)| within(k)) {
                    done[i] = true;
                }
                accepted.extend(
                    c.tickets.into_iter().filter(|(k, _)| within(k) && from.as_deref() != Some(k.as_str())),
                );
            }
            accepted.sort_by(|a, b| if self.ascending { a.0.cmp(&b.0) } else { b.0.cmp(&a.0) });
            accepted.dedup_by(|a, b| a.0 == b.0);
            for (key, ticket) in &accepted {
                if visit(ticket) {
                    return Ok(End::Stopped(key.clone()));
                }
            }
            if done.iter().all(|d| *d) {
                return Ok(End::Exhausted);
            }
            // Some partition stopped early without items (a 1 MB page): go on from where we are.
            from = frontier.or(from);
        }
        Ok(match from {
            Some(f) => End::Bound(f),
            None => End::Exhausted,
        })
    }
}

fn max_of(a: Option<&str>, b: &str) -> String {
    a.map_or(b, |a| a.max(b)).to_owned()
}

fn min_of(a: Option<&str>, b: &str) -> String {
    a.map_or(b, |a| a.min(b)).to_owned()
}

/// What a view asks for, for one caller at one moment.
pub struct Query<'a> {
    pub conditions: &'a Conditions,
    pub execution: &'a Execution,
    pub caller: Uuid,
}

/// Where a page starts: the moment the first page was read (conditions on time and the
/// snapshot bound use it), and the position in the view's order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Position {
    pub as_of: Timestamp,
    pub after: Option<String>,
}

pub struct Page {
    pub tickets: Vec<Ticket>,
    pub next: Option<Position>,
    /// More tickets match than an in-memory sort considers ([`WINDOW`]).
    pub truncated: bool,
}

fn walk<'a>(
    store: &'a Store,
    q: &Query,
    anchor: &Anchor,
    as_of: OffsetDateTime,
    ascending: bool,
) -> Walk<'a> {
    let (floor, ceiling) = updated_range(q.conditions, as_of);
    // Tickets updated after the first page are not in the snapshot (they would come twice).
    let snapshot = format!("{}#~", clock::format(as_of));
    let high = match ceiling {
        Some(c) => clock::format(c).min(snapshot),
        None => snapshot,
    };
    Walk {
        store,
        partitions: anchor_partitions(anchor),
        low: floor.map(clock::format),
        high: Some(high),
        ascending,
    }
}

/// One page of a view's tickets.
pub async fn page(
    state: &AppState,
    q: &Query<'_>,
    from: Option<Position>,
    per_page: usize,
) -> Result<Page, ApiError> {
    let anchor = Anchor::of(q.conditions, q.caller).ok_or_else(no_anchor)?;
    let position = from.unwrap_or(Position { as_of: Timestamp::now(), after: None });
    let as_of = position.as_of.0;
    let matches = |t: &Ticket| q.conditions.matches(&Facts::of(t, as_of, Some(q.caller)));
    if q.execution.sort_by == SortBy::UpdatedAt {
        let w = walk(&state.store, q, &anchor, as_of, q.execution.sort_order == SortOrder::Asc);
        let mut tickets: Vec<Ticket> = Vec::new();
        let mut seen = HashSet::new();
        let end = w
            .run(position.after.clone(), PAGE_ROUNDS, per_page + 1, |t| {
                if matches(t) && seen.insert(t.id) {
                    tickets.push(t.clone());
                }
                tickets.len() >= per_page
            })
            .await?;
        let next = match end {
            End::Stopped(k) | End::Bound(k) => Some(Position { as_of: position.as_of, after: Some(k) }),
            End::Exhausted => None,
        };
        return Ok(Page { tickets, next, truncated: false });
    }
    // Another order: the newest WINDOW matches, sorted in memory.
    let w = walk(&state.store, q, &anchor, as_of, false);
    let mut window: Vec<Ticket> = Vec::new();
    let mut seen = HashSet::new();
    let end = w
        .run(None, WINDOW_ROUNDS, CHUNK, |t| {
            if matches(t) && seen.insert(t.id) {
                window.push(t.clone());
            }
            window.len() >= WINDOW
        })
        .await?;
    let truncated = end != End::Exhausted;
    let names = match q.execution.sort_by {
        SortBy::Requester | SortBy::Assignee => {
            let ids: Vec<Uuid> =
                window.iter().flat_map(|t| [Some(t.requester_id), t.assignee_id]).flatten().collect();
            state.store.users_by_id(ids).await?
        }
        _ => Default::default(),
    };
    let name =
        |id: Option<Uuid>| id.and_then(|i| names.get(&i)).map(|u| u.name.to_lowercase()).unwrap_or_default();
    let mut keyed: Vec<(String, Ticket)> = window
        .into_iter()
        .map(|t| {
            let key = match q.execution.sort_by {
                SortBy::CreatedAt => clock::format(t.created_at.0),
                SortBy::Priority => rank(Priority::ALL, t.priority),
                SortBy::Status => rank(Status::ALL, t.status),
                // Tickets without a due date sort after every date.
                SortBy::DueDate => t.due_date.map_or_else(|| "~".to_owned(), |d| clock::format(d.0)),
                SortBy::Requester => name(Some(t.requester_id)),
                SortBy::Assignee => name(t.assignee_id),
                SortBy::NextBreachAt => {
                    t.next_breach_at().map_or_else(|| "~".to_owned(), |d| clock::format(d.0))
                }
                SortBy::UpdatedAt => clock::format(t.updated_at.0),
            };
            (format!("{key}\u{1}{}", t.id), t)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if q.execution.sort_order == SortOrder::Desc {
        keyed.reverse();
    }
    let start = match &position.after {
        Some(after) => keyed
            .iter()
            .position(|(k, _)| if q.execution.sort_order == SortOrder::Desc { k < after } else { k > after })
            .unwrap_or(keyed.len()),
        None => 0,
    };
    let rest = keyed.len() - start;
    let tickets: Vec<(String, Ticket)> = keyed.into_iter().skip(start).take(per_page).collect();
    let next = (rest > per_page)
        .then(|| tickets.last().map(|(k, _)| Position { as_of: position.as_of, after: Some(k.clone()) }))
        .flatten();
    Ok(Page { tickets: tickets.into_iter().map(|(_, t)| t).collect(), next, truncated })
}

/// Tickets matching `conditions` at `as_of` (`current_user` none), oldest update first, at
/// most `max` of them within `rounds` rounds of the anchor partitions (automations).
pub async fn oldest_matching(
    state: &AppState,
    conditions: &Conditions,
    as_of: OffsetDateTime,
    max: usize,
    rounds: usize,
) -> Result<Vec<Ticket>, ApiError> {
    let anchor = Anchor::of(conditions, Uuid::nil()).ok_or_else(no_anchor)?;
    let q = Query { conditions, execution: &Execution::default(), caller: Uuid::nil() };
    let w = walk(&state.store, &q, &anchor, as_of, true);
    let mut found = Vec::new();
    w.run(None, rounds, CHUNK, |t| {
        if conditions.matches(&Facts::of(t, as_of, None)) {
            found.push(t.clone());
        }
        found.len() >= max
    })
    .await?;
    Ok(found)
}

fn rank<T: PartialEq>(all: &[T], v: T) -> String {
    all.iter().position(|x| *x == v).unwrap_or(0).to_string()
}

fn no_anchor() -> ApiError {
    ApiError::invalid(
        "conditions.all",
        "A view needs an all condition an index can serve: status (is, less_than, greater_than), or group_id, assignee_id, requester_id or organization_id with is.",
    )
}

/// A view's count: `value` (`None` while a first count is under way) and whether it was
/// computed for this request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub value: Option<u64>,
    pub fresh: bool,
}

/// Counts a saved view for a caller (see the module notes for how).
pub async fn count(
    state: &AppState,
    view: &View,
    conditions: &Conditions,
    caller: Uuid,
) -> Result<Count, ApiError> {
    if let Some(plan) = CounterPlan::of(conditions, caller) {
        let value = match counter_partition(plan.anchor.as_ref()) {
            Some(p) => state.store.ticket_count(&p, &plan.statuses).await?,
            None => 0,
        };
        return Ok(Count { value: Some(value), fresh: true });
    }
    let viewer = crate::domain::views::per_user(&view.conditions_json()).then_some(caller);
    let mut cached = state.store.cached_count(view.id, viewer).await?;
    let now = Timestamp::now();
    let recent = cached.counted_at.is_some_and(|at| (now.0 - at.0).whole_seconds() < COUNT_TTL_SECS);
    if recent && cached.value.is_some() {
        return Ok(Count { value: cached.value, fresh: false });
    }
    let anchor = Anchor::of(conditions, caller).ok_or_else(no_anchor)?;
    // Resume a walk begun less than five minutes ago; else start one now.
    let resume = cached.walk_as_of.filter(|at| (now.0 - at.0).whole_seconds() < 300);
    let as_of = resume.unwrap_or(now);
    let (from, mut partial) = match resume {
        Some(_) => (cached.walk_position.clone(), cached.walk_partial),
        None => (None, 0),
    };
    let q = Query { conditions, execution: &Execution::default(), caller };
    let w = walk(&state.store, &q, &anchor, as_of.0, false);
    let end = w
        .run(from, COUNT_ROUNDS, CHUNK, |t| {
            if conditions.matches(&Facts::of(t, as_of.0, Some(caller))) {
                partial += 1;
            }
            false
        })
        .await?;
    let result = match end {
        End::Exhausted => {
            cached = CachedCount { value: Some(partial), counted_at: Some(as_of), ..Default::default() };
            Count { value: Some(partial), fresh: resume.is_none() }
        }
        End::Bound(position) | End::Stopped(position) => {
            cached.walk_position = Some(position);
            cached.walk_partial = partial;
            cached.walk_as_of = Some(as_of);
            Count { value: cached.value, fresh: false }
        }
    };
    state.store.put_cached_count(view.id, viewer, &cached, now.0.unix_timestamp()).await?;
    Ok(result)
}

/// Creates the six default views the first time a desk asks for its views (and on `make dev`).
pub async fn ensure_defaults(state: &AppState) -> Result<(), ApiError> {
    if state.store.default_views_created().await? {
        return Ok(());
    }
    let now = Timestamp::now();
    let mut views: Vec<View> = crate::domain::views::defaults()
        .into_iter()
        .enumerate()
        .map(|(i, (title, conditions, execution))| View {
            id: Uuid::now_v7(),
            number: None,
            title: title.to_owned(),
            active: true,
            position: i as u32,
            restriction: None::<Restriction>,
            conditions: conditions.to_string(),
            execution: Execution::parse(&execution).unwrap_or_default(),
            created_at: now,
            updated_at: now,
        })
        .collect();
    state.store.create_default_views(&mut views).await?;
    Ok(())
}
