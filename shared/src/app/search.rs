//! The search planner (docs/search.md): resolves a parsed query's names, picks for each kind of
//! result the smallest posting lists that hold every match (the rarest word, a field's value,
//! a union of statuses, or everything the reader may see), and pages through them checking every
//! other clause on each candidate's document.
//!
//! Two ways to answer, both with a bounded number of reads per page:
//! - **window** — the chosen lists hold at most [`WINDOW`] postings and the request needs it
//!   (sorted by `updated_at`, or a compound query whose count the counters cannot give): read
//!   them all, check all, sort, cut the page; `count` is exact.
//! - **walk** — larger lists are merged newest- (or oldest-) created first at a frontier, in at
//!   most [`ROUNDS`] rounds of one Query per list and one BatchGetItem of candidates; a page that
//!   hits the bound comes back short with a cursor. Results are in creation order (an
//!   `updated_at` sort over more than [`WINDOW`] candidates says `sort_by: created_at`); `count`
//!   is exact from the term counters when the query is a single word or field value, otherwise
//!   an upper bound marked `count_exact: false`.
use crate::clock;
use crate::domain::search::check::{self, Check, Planned};
use crate::domain::search::doc::{field_term, DocKind, Scope, SearchDoc, ALL_TERM};
use crate::domain::search::query::{Cmp, NameRef, PersonRef, Query, What};
use crate::domain::search::MAX_PREFIX_CHARS;
use crate::domain::ticket::{Priority, Status};
use crate::domain::user::Role;
use crate::store::keys::{self, Index};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Candidate lists this small are read whole.
pub const WINDOW: i64 = 1_000;
/// A walked page makes at most this many rounds.
pub const ROUNDS: usize = 4;
/// Postings one round reads across all lists (each list gets its share, at least per_page+1).
pub const ROUND_POSTINGS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Created,
    Updated,
}

impl SortBy {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created_at" => Some(SortBy::Created),
            "updated_at" => Some(SortBy::Updated),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Created => "created_at",
            SortBy::Updated => "updated_at",
        }
    }
}

/// Who searches: staff read the desk-wide scopes and internal-note words; a customer reads the
/// scope of their own tickets.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub id: Uuid,
    pub role: Role,
}

impl Reader {
    fn staff(&self) -> bool {
        self.role.is_staff()
    }
}

pub struct Request<'a> {
    pub query: &'a Query,
    pub sort_by: SortBy,
    pub descending: bool,
    pub per_page: usize,
    /// Where the previous page stopped (from [`Page::next`]).
    pub after: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub value: i64,
    pub exact: bool,
}

#[derive(Debug)]
pub struct Page {
    pub hits: Vec<SearchDoc>,
    /// The position to continue from, when more may follow.
    pub next: Option<String>,
    pub count: Count,
    /// The order the hits are in.
    pub sorted_by: SortBy,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{0}")]
    Cursor(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Resolves `me`, emails and names to the index's field terms. An unknown email or name is a
/// clause no document passes.
async fn resolve(store: &Store, reader: Reader, what: &What) -> Result<Check, StoreError> {
    let ordered = |cmp: Cmp, at: usize, all: &[&str], field: &str| {
        let pick: Vec<String> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| match cmp {
                Cmp::Eq => *i == at,
                Cmp::Lt => *i < at,
                Cmp::Gt => *i > at,
            })
            .map(|(_, v)| field_term(field, v))
            .collect();
        match pick.len() {
            0 => Check::Nothing,
            1 => Check::Term(pick.into_iter().next().unwrap_or_default()),
            _ => Check::AnyTerm(pick),
        }
    };
    let person = |field: &str, id: Option<Uuid>| Check::field(field, id);
    Ok(match what {
        What::Word(w) => Check::Word(w.clone()),
        What::Prefix(p) => Check::Prefix(p.clone()),
        What::Phrase(ws) => Check::Phrase(ws.clone()),
        What::Number(n) => Check::Term(field_term("number", &n.to_string())),
        What::Status(cmp, s) => {
            let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            let at = Status::ALL.iter().position(|x| x == s).unwrap_or(0);
            ordered(*cmp, at, &all, "status")
        }
        What::Priority(cmp, p) => {
            let all: Vec<&str> = Priority::ALL.iter().map(|p| p.as_str()).collect();
            let at = Priority::ALL.iter().position(|x| x == p).unwrap_or(0);
            ordered(*cmp, at, &all, "priority")
        }
        What::Requester(r) | What::Assignee(r) => {
            let field = if matches!(what, What::Requester(_)) { "requester" } else { "assignee" };
            match r {
                PersonRef::Me => person(field, Some(reader.id)),
                PersonRef::None => person(field, None),
                PersonRef::Id(id) => person(field, Some(*id)),
                PersonRef::Email(e) => match store.user_by_email(e).await? {
                    Some(u) => person(field, Some(u.user.id)),
                    None => Check::Nothing,
                },
            }
        }
        What::Group(n) | What::Organization(n) => {
            let (field, index_partition) = match what {
                What::Group(_) => ("group", keys::GROUPS_PARTITION),
                _ => ("organization", keys::ORGS_PARTITION),
            };
            match n {
                NameRef::None => Check::field(field, None),
                NameRef::Id(id) => Check::field(field, Some(*id)),
                NameRef::Name(name) => {
                    let prefix = format!("{}#", name.to_lowercase());
                    let (found, _) = store
                        .query_sorted::<serde_json::Value>(
                            Index::Gsi1,
                            index_partition,
                            Some(&prefix),
                            None,
                            1,
                        )
                        .await?;
                    match found.first().and_then(|(_, v)| v["id"].as_str()).and_then(|s| s.parse().ok()) {
                        Some(id) => Check::field(field, Some(id)),
                        None => Check::Nothing,
                    }
                }
            }
        }
        What::Tag(t) => Check::Term(field_term("tags", t)),
        What::Via(v) => Check::Term(field_term("via", v.as_str())),
        What::Role(r) => Check::Term(field_term("role", r.as_str())),
        What::Email(e) => Check::Term(field_term("email", e)),
        What::Time(f, r) => Check::Time(*f, *r),
    })
}

/// Posting lists, by scope and term.
type Lists = Vec<(Scope, String)>;

/// The lists chosen for one kind of result.
struct Choice {
    lists: Vec<(Scope, String)>,
    size: i64,
    /// True when membership in the lists is the whole query (counts are then exact).
    whole: bool,
}

/// What the planner decided: checks for every candidate, lists to read, the creation range.
pub struct Plan {
    checks: Vec<Planned>,
    kinds: Vec<DocKind>,
    choices: Vec<Choice>,
    bounds: (String, String),
    reader: Reader,
}

impl Plan {
    fn total(&self) -> i64 {
        self.choices.iter().map(|c| c.size).sum()
    }

    fn exact_by_counters(&self) -> bool {
        self.choices.iter().all(|c| c.whole)
    }

    fn lists(&self) -> Vec<(Scope, String)> {
        self.choices.iter().flat_map(|c| c.lists.iter().cloned()).collect()
    }

    /// Whether a candidate's document is a match the reader may see.
    fn admits(&self, doc: &SearchDoc) -> bool {
        if !self.kinds.contains(&doc.kind) {
            return false;
        }
        if !self.reader.staff() && doc.ticket.as_ref().is_none_or(|t| t.requester_id != self.reader.id) {
            return false;
        }
        check::matches(&self.checks, doc, self.reader.staff())
    }
}

/// Plans a query for a reader: one BatchGetItem of term counters, plus one lookup per email or
/// group/organization name the query names.
pub async fn plan(store: &Store, reader: Reader, query: &Query) -> Result<Plan, StoreError> {
    let mut checks = Vec::new();
    for c in &query.clauses {
        checks.push(Planned { negated: c.negated, check: resolve(store, reader, &c.what).await? });
    }
    let kinds: Vec<DocKind> =
        query.kinds.iter().copied().filter(|k| reader.staff() || *k == DocKind::Ticket).collect();
    // The creation range every match lies in narrows each list's key range.
    let (mut low, mut high) = ("0".to_owned(), "~".to_owned());
    for p in checks.iter().filter(|p| !p.negated) {
        if let Check::Time(crate::domain::search::query::TimeField::Created, r) = &p.check {
            if let Some(f) = r.from {
                low = low.max(clock::format(f));
            }
            if let Some(t) = r.to {
                high = high.min(clock::format(t));
            }
        }
    }
    let mut options: Vec<(DocKind, Lists, bool)> = Vec::new();
    for &kind in &kinds {
        let scope = if reader.staff() { Scope::of_kind(kind) } else { Scope::Requester(reader.id) };
        let sole = checks.len() == 1 && !checks[0].negated;
        for p in checks.iter().filter(|p| !p.negated) {
            let exact_driver = match &p.check {
                Check::Prefix(stem) => stem.chars().count() <= MAX_PREFIX_CHARS,
                Check::Phrase(_) => false,
                _ => true,
            };
            for terms in p.check.drivers(scope) {
                let lists = terms.into_iter().map(|t| (scope, t)).collect();
                options.push((kind, lists, sole && exact_driver));
            }
        }
        options.push((kind, vec![(scope, ALL_TERM.to_owned())], checks.is_empty()));
    }
    let wanted: Vec<(Scope, String)> = options
        .iter()
        .flat_map(|(_, lists, _)| lists.iter().cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let counts = store.term_counts(&wanted).await?;
    let mut best: BTreeMap<DocKind, Choice> = BTreeMap::new();
    for (kind, lists, whole) in options {
        let size = lists.iter().map(|l| counts.get(l).copied().unwrap_or(0).max(0)).sum();
        let better = best.get(&kind).is_none_or(|b| size < b.size || (size == b.size && whole && !b.whole));
        if better {
            best.insert(kind, Choice { lists, size, whole });
        }
    }
    let impossible = checks.iter().any(|p| !p.negated && p.check == Check::Nothing);
    // An empty list (its counter moves in the transaction that writes its postings) is not read.
    let choices = if impossible { Vec::new() } else { best.into_values().filter(|c| c.size > 0).collect() };
    Ok(Plan { checks, kinds, choices, bounds: (low, high), reader })
}

/// Documents by id, 100 per BatchGetItem, the requests in parallel.
async fn docs(store: &Store, ids: &[Uuid]) -> Result<HashMap<Uuid, SearchDoc>, StoreError> {
    let reads = ids.chunks(100).map(|chunk| store.search_docs(chunk));
    let mut out = HashMap::new();
    for r in futures::future::join_all(reads).await {
        out.extend(r?.into_iter().map(|d| (d.id, d)));
    }
    Ok(out)
}

fn position(sort_by: SortBy, doc: &SearchDoc) -> String {
    let at = if sort_by == SortBy::Updated { doc.updated_at } else { doc.created_at };
    format!("{}#{}", at, doc.id)
}

/// Cursors name the order they continue (`c:` creation, `u:` update), so one made by a window
/// page sorted by update is never read as a creation position.
fn cursor_of(sort_by: SortBy, position: &str) -> String {
    format!("{}:{position}", if sort_by == SortBy::Updated { "u" } else { "c" })
}

/// A page of results for `plan` (see the module docs for the two ways).
pub async fn page(store: &Store, plan: &Plan, req: &Request<'_>) -> Result<Page, SearchError> {
    let total = plan.total();
    let after = match req.after {
        Some(c) => {
            let (kind, pos) = c.split_once(':').ok_or(SearchError::Cursor("The cursor is invalid."))?;
            Some((kind, pos))
        }
        None => None,
    };
    if plan.choices.is_empty() {
        return Ok(Page {
            hits: Vec::new(),
            next: None,
            count: Count { value: 0, exact: true },
            sorted_by: req.sort_by,
        });
    }
    // The window when it is needed (an update order, or a count the counters cannot give) and
    // affordable; otherwise the walk, which reads only as far as the page.
    if total <= WINDOW && (req.sort_by == SortBy::Updated || !plan.exact_by_counters()) {
        return window(store, plan, req, after).await;
    }
    if let Some(("u", _)) = after {
        return Err(SearchError::Cursor(
            "The results of this search changed too much to continue; search again.",
        ));
    }
    walk(store, plan, req, after.map(|(_, p)| p)).await
}

async fn window(
    store: &Store,
    plan: &Plan,
    req: &Request<'_>,
    after: Option<(&str, &str)>,
) -> Result<Page, SearchError> {
    let mut ids: Vec<Uuid> = Vec::new();
    for (scope, term) in plan.lists() {
        let mut high = plan.bounds.1.clone();
        loop {
            let chunk =
                store.posting_chunk(scope, &term, (&plan.bounds.0, &high), true, WINDOW as usize + 1).await?;
            ids.extend(chunk.postings.iter().map(|p| p.doc_id));
            match chunk.postings.last() {
                Some(last) if !chunk.exhausted && ids.len() <= 2 * WINDOW as usize => {
                    high = last.sort.clone();
                    ids.pop();
                }
                _ => break,
            }
        }
    }
    ids.sort();
    ids.dedup();
    let found = docs(store, &ids).await?;
    let mut hits: Vec<SearchDoc> = found.into_values().filter(|d| plan.admits(d)).collect();
    let key = |d: &SearchDoc| position(req.sort_by, d);
    hits.sort_by_key(key);
    if req.descending {
        hits.reverse();
    }
    let count = Count { value: hits.len() as i64, exact: true };
    if let Some((kind, pos)) = after {
        let expected = if req.sort_by == SortBy::Updated { "u" } else { "c" };
        if kind != expected {
            return Err(SearchError::Cursor("The cursor is invalid."));
        }
        hits.retain(|d| if req.descending { key(d).as_str() < pos } else { key(d).as_str() > pos });
    }
    let more = hits.len() > req.per_page;
    hits.truncate(req.per_page);
    let next = more.then(|| hits.last().map(|d| cursor_of(req.sort_by, &key(d)))).flatten();
    Ok(Page { hits, next, count, sorted_by: req.sort_by })
}

/// One list's progress in a walk.
struct Lane {
    /// Postings read this round, in walk order, none at or before the page position.
    read: Vec<crate::store::search::Posting>,
    exhausted: bool,
}

async fn walk(
    store: &Store,
    plan: &Plan,
    req: &Request<'_>,
    after: Option<&str>,
) -> Result<Page, SearchError> {
    let desc = req.descending;
    let mut pos: Option<String> = after.map(str::to_owned);
    let mut hits: Vec<SearchDoc> = Vec::new();
    let lists = plan.lists();
    let share = (ROUND_POSTINGS / lists.len().max(1)).max(req.per_page + 1);
    let mut limit = req.per_page + 1;
    let mut done = false;
    for _ in 0..ROUNDS {
        let reads = lists.iter().map(|list| {
            let (low, high) = match (&pos, desc) {
                (Some(p), true) => (plan.bounds.0.clone(), p.clone().min(plan.bounds.1.clone())),
                (Some(p), false) => (p.clone().max(plan.bounds.0.clone()), plan.bounds.1.clone()),
                (None, _) => plan.bounds.clone(),
            };
            let pos = pos.clone();
            async move {
                let chunk = store.posting_chunk(list.0, &list.1, (&low, &high), desc, limit + 1).await?;
                let read = chunk.postings.into_iter().filter(|p| Some(&p.sort) != pos.as_ref()).collect();
                Ok::<_, StoreError>(Lane { read, exhausted: chunk.exhausted })
            }
        });
        let mut lanes = Vec::new();
        for r in futures::future::join_all(reads).await {
            lanes.push(r?);
        }
        // Everything on the near side of the frontier has been read from every list.
        let frontier: Option<String> = lanes
            .iter()
            .filter(|l| !l.exhausted)
            .filter_map(|l| l.read.last().map(|p| p.sort.clone()))
            .reduce(|a, b| if desc { a.max(b) } else { a.min(b) });
        let mut candidates: Vec<crate::store::search::Posting> = lanes
            .iter()
            .flat_map(|l| l.read.iter().cloned())
            .filter(|p| frontier.as_ref().is_none_or(|f| if desc { p.sort >= *f } else { p.sort <= *f }))
            .collect();
        candidates.sort_by(|a, b| if desc { b.sort.cmp(&a.sort) } else { a.sort.cmp(&b.sort) });
        candidates.dedup_by(|a, b| a.doc_id == b.doc_id);
        let ids: Vec<Uuid> = candidates.iter().map(|p| p.doc_id).collect();
        let found = docs(store, &ids).await?;
        for p in &candidates {
            if let Some(d) = found.get(&p.doc_id).filter(|d| plan.admits(d)) {
                hits.push(d.clone());
                if hits.len() == req.per_page {
                    pos = Some(p.sort.clone());
                    break;
                }
            }
            pos = Some(p.sort.clone());
        }
        let all_read = lanes.iter().all(|l| l.exhausted);
        if hits.len() == req.per_page {
            done = all_read && candidates.last().map(|p| &p.sort) == pos.as_ref();
            break;
        }
        if all_read {
            done = true;
            break;
        }
        if let Some(f) = frontier {
            pos = Some(f);
        }
        limit = (limit * 2).min(share);
    }
    let count = Count { value: plan.total(), exact: plan.exact_by_counters() };
    let next = if done { None } else { pos.map(|p| cursor_of(SortBy::Created, &p)) };
    Ok(Page { hits, next, count, sorted_by: SortBy::Created })
}
