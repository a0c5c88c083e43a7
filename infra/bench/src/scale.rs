//! Section 5: list, filter and search latency as the table grows (1k, 10k, 100k tickets).
use crate::routes::{call, request, Fixture};
use crate::stats::{self, Stats};
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use helpdesk::domain::search::doc::{Scope, SearchDoc};
use helpdesk::domain::ticket::{Priority, Status, Ticket};
use helpdesk::store::tickets::ticket_item;
use helpdesk::store::views::counter_pairs;
use helpdesk::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Posting counts of everything loaded so far (loads add up: 1k, then 9k more, ...).
static TERM_COUNTS: Mutex<Option<HashMap<(Scope, String), i64>>> = Mutex::new(None);

const WORDS: [&str; 16] = [
    "printer", "invoice", "login", "password", "refund", "shipping", "crash", "slow", "email", "export",
    "billing", "upgrade", "mobile", "report", "vpn", "license",
];

fn bench_ticket(n: u64, requester: uuid::Uuid, agent: uuid::Uuid) -> Ticket {
    let now = helpdesk::clock::Timestamp::stored(&helpdesk::clock::format(
        helpdesk::clock::now() - time::Duration::seconds(n as i64 % 86_400) - time::Duration::days(2),
    ));
    let w = |k: u64| WORDS[((n / k) % WORDS.len() as u64) as usize];
    Ticket {
        subject: format!("{} {} problem {n}", w(1), w(7)),
        status: Status::ALL[(n % 4) as usize],
        // Independent of the status, so every status/priority pair occurs (1 in 16 tickets).
        priority: Priority::ALL[((n / 4) % 4) as usize],
        assignee_id: n.is_multiple_of(3).then_some(agent),
        ..Ticket::blank(1_000_000 + n, requester, now)
    }
}

/// Writes tickets `from..to` (and their search terms) with BatchWriteItem, showing progress.
pub async fn load(fx: &Fixture, from: u64, to: u64) {
    let requester: uuid::Uuid = fx.customer_id.parse().unwrap();
    let agent: uuid::Uuid = fx.agent_id.parse().unwrap();
    let started = std::time::Instant::now();
    let chunk = 500u64;
    let mut done = from;
    let mut next_report = from;
    // The view counters these tickets belong in (the stream indexer never sees this load).
    let mut counts: HashMap<(String, Status), i64> = HashMap::new();
    let mut touched: std::collections::HashSet<(Scope, String)> = Default::default();
    while done < to {
        let end = (done + chunk).min(to);
        let mut requests = Vec::new();
        for n in done..end {
            let t = bench_ticket(n, requester, agent);
            for pair in counter_pairs(t.status, t.requester_id, t.assignee_id, t.group_id, t.organization_id)
            {
                *counts.entry(pair).or_default() += 1;
            }
            requests.push(ticket_item(&t).unwrap());
            // The search index as the stream indexer would write it, but for the prefix lists
            // (`p:`), which no measured query reads: the load stays within minutes at 100k.
            let doc = SearchDoc::of_ticket(&t, None);
            requests.push(Store::search_doc_item(&doc).unwrap());
            let mut counted = TERM_COUNTS.lock().unwrap();
            let totals = counted.get_or_insert_with(HashMap::new);
            for (scope, term) in doc.postings().into_iter().filter(|(_, term)| !term.starts_with("p:")) {
                touched.insert((scope, term.clone()));
                *totals.entry((scope, term)).or_default() += 1;
            }
            requests.extend(
                Store::posting_items(&doc)
                    .unwrap()
                    .into_iter()
                    .filter(|i| i.get("PK").and_then(|v| v.as_s().ok()).is_none_or(|pk| !pk.contains("#p:"))),
            );
        }
        let writes: Vec<WriteRequest> = requests
            .into_iter()
            .map(|item| {
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                    .build()
            })
            .collect();
        let batches: Vec<Vec<WriteRequest>> = writes.chunks(25 * 8).map(|c| c.to_vec()).collect();
        futures::future::join_all(batches.into_iter().map(|b| fx.state.store.batch_write(b)))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        done = end;
        if done >= next_report || done == to {
            let rate = (done - from) as f64 / started.elapsed().as_secs_f64();
            eprintln!("    loaded {done:>7} / {to} tickets ({rate:.0} tickets/s)");
            next_report = done + (to - from) / 10;
        }
    }
    fx.state.store.add_ticket_counts(&counts).await.unwrap();
    // The term counters, as absolute totals of everything loaded so far.
    let items: Vec<WriteRequest> = {
        let counted = TERM_COUNTS.lock().unwrap();
        let totals = counted.as_ref().cloned().unwrap_or_default();
        touched
            .iter()
            .map(|(scope, term)| {
                let item = Store::term_count_item(*scope, term, totals[&(*scope, term.clone())]);
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                    .build()
            })
            .collect()
    };
    let batches: Vec<Vec<WriteRequest>> = items.chunks(25 * 8).map(|c| c.to_vec()).collect();
    for group in batches.chunks(8) {
        futures::future::join_all(group.iter().map(|b| fx.state.store.batch_write(b.clone())))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
    }
}

pub struct ScalePoint {
    pub tickets: u64,
    pub list: Stats,
    pub filter: Stats,
    pub search: Stats,
    pub views: Vec<ViewPoint>,
}

/// One view request at one size: latency, DynamoDB requests, and what it answered.
pub struct ViewPoint {
    pub name: &'static str,
    pub stats: Stats,
    pub requests: u32,
    /// Tickets on the first page, or the count's value.
    pub answer: serde_json::Value,
}

/// The views the scale section reads: two defaults, and a personal one whose non-anchor
/// conditions match nothing (every page reaches the read bound).
pub struct ViewIds {
    pub all_unsolved: String,
    pub yours: String,
    pub selective: String,
}

pub async fn view_ids(fx: &Fixture) -> ViewIds {
    let (status, body) = call(&fx.state, request("GET", "/views", Some(&fx.agent_token), None)).await;
    assert_eq!(status, 200, "{body}");
    let id = |title: &str| {
        body["data"].as_array().unwrap().iter().find(|v| v["title"] == title).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let selective = serde_json::json!({"title": "Urgent VIP", "conditions": {"all": [
        {"field": "status", "operator": "less_than", "value": "solved"},
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "tags", "operator": "includes", "value": "vip"}
    ]}});
    let (status, created) =
        call(&fx.state, request("POST", "/views", Some(&fx.agent_token), Some(selective))).await;
    assert_eq!(status, 201, "{created}");
    ViewIds {
        all_unsolved: id("All unsolved tickets"),
        yours: id("Your unsolved tickets"),
        selective: created["view"]["id"].as_str().unwrap().to_owned(),
    }
}

pub async fn measure_at(fx: Arc<Fixture>, ids: &ViewIds, tickets: u64, samples: usize) -> ScalePoint {
    let mut results = Vec::new();
    for path in [
        "/tickets?per_page=25",
        "/tickets?status[]=open&priority[]=high&per_page=25",
        "/tickets?search=printer%20vpn&per_page=25",
    ] {
        let f = fx.clone();
        let samples = stats::run(1, samples, move |_| {
            let f = f.clone();
            async move {
                let (status, body) = call(&f.state, request("GET", path, Some(&f.agent_token), None)).await;
                assert_eq!(status, 200, "{path}: {body}");
            }
        })
        .await;
        results.push(stats::stats(samples));
    }
    let [list, filter, search] =
        <[Stats; 3]>::try_from(results).unwrap_or_else(|_| unreachable!("three paths"));
    eprintln!(
        "    {tickets:>7} tickets: list p50 {:.2} ms, filter p50 {:.2} ms, search p50 {:.2} ms",
        list.p50_ms, filter.p50_ms, search.p50_ms
    );
    let mut views = Vec::new();
    let agent = fx.agent_token.clone();
    let customer = fx.customer_token.clone();
    for (name, path, token) in [
        ("all unsolved: first page", format!("/views/{}/tickets?per_page=25", ids.all_unsolved)),
        ("all unsolved: count", format!("/views/{}/count", ids.all_unsolved)),
        ("yours: first page", format!("/views/{}/tickets?per_page=25", ids.yours)),
        ("yours: count", format!("/views/{}/count", ids.yours)),
        ("selective: first page", format!("/views/{}/tickets?per_page=25", ids.selective)),
        ("selective: count", format!("/views/{}/count", ids.selective)),
    ]
    .into_iter()
    .map(|(n, p)| (n, p, agent.clone()))
    .chain([
        // Every loaded ticket says "problem"; "777" is one ticket's number word.
        ("search: common word", "/search?query=problem&per_page=25".to_owned(), agent.clone()),
        ("search: rare word", "/search?query=777&per_page=25".to_owned(), agent.clone()),
        ("search: field filter", "/search?query=status:open&per_page=25".to_owned(), agent.clone()),
        (
            "search: word and field",
            "/search?query=printer%20status:open&per_page=25".to_owned(),
            agent.clone(),
        ),
        ("search: customer's own", "/search?query=printer&per_page=25".to_owned(), customer.clone()),
    ]) {
        let ((status, body), metrics) =
            helpdesk::telemetry::measured(call(&fx.state, request("GET", &path, Some(&token), None))).await;
        assert_eq!(status, 200, "{path}: {body}");
        let answer = match body.get("view_count").or(body.get("count")) {
            Some(c) if body.get("view_count").is_some() => c["value"].clone(),
            Some(c) => serde_json::json!(format!(
                "{} of {}{}",
                body["data"].as_array().map_or(0, Vec::len),
                c,
                if body["count_exact"] == true { "" } else { " (at most)" }
            )),
            None => serde_json::json!(body["data"].as_array().map_or(0, Vec::len)),
        };
        let f = fx.clone();
        let p = path.clone();
        let samples = stats::run(1, samples, move |_| {
            let f = f.clone();
            let p = p.clone();
            let token = token.clone();
            async move {
                let (status, body) = call(&f.state, request("GET", &p, Some(&token), None)).await;
                assert_eq!(status, 200, "{p}: {body}");
            }
        })
        .await;
        let stats = stats::stats(samples);
        eprintln!(
            "    {tickets:>7} tickets: view {name:<24} p50 {:.2} ms, {} requests, answer {answer}",
            stats.p50_ms,
            metrics.dynamodb_calls()
        );
        views.push(ViewPoint { name, stats, requests: metrics.dynamodb_calls(), answer });
    }
    ScalePoint { tickets, list, filter, search, views }
}
