//! Section 5: list, filter and search latency as the table grows (1k, 10k, 100k tickets).
use crate::routes::{call, request, Fixture};
use crate::stats::{self, Stats};
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use helpdesk::domain::search::ticket_terms;
use helpdesk::domain::ticket::{ticket_number, Priority, Satisfaction, Status, Ticket};
use helpdesk::store::keys::{self, entity};
use helpdesk::store::tickets::{ticket_item, TermEntry};
use std::sync::Arc;

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
        id: uuid::Uuid::now_v7(),
        ticket_number: ticket_number(1_000_000 + n),
        subject: format!("{} {} problem {n}", w(1), w(7)),
        description: "Loaded by the benchmark".into(),
        status: Status::ALL[(n % 4) as usize],
        // Independent of the status, so every status/priority pair occurs (1 in 16 tickets).
        priority: Priority::ALL[((n / 4) % 4) as usize],
        satisfaction: Satisfaction::Unoffered,
        requester_id: requester,
        assignee_id: n.is_multiple_of(3).then_some(agent),
        organization_id: None,
        group_id: None,
        due_date: None,
        tags: Vec::new(),
        custom_fields: Default::default(),
        created_at: now,
        updated_at: now,
        updated_stamp: uuid::Uuid::now_v7().to_string(),
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
    while done < to {
        let end = (done + chunk).min(to);
        let mut requests = Vec::new();
        for n in done..end {
            let t = bench_ticket(n, requester, agent);
            requests.push(ticket_item(&t).unwrap());
            let entry = TermEntry { ticket_id: t.id, requester_id: t.requester_id };
            for word in ticket_terms(&t.subject, "") {
                requests.push(
                    keys::ItemKeys::new(
                        entity::TERM,
                        keys::term_pk(&word),
                        keys::ticket_sort(t.created_at, t.id),
                    )
                    .with(&entry)
                    .unwrap(),
                );
            }
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
}

pub struct ScalePoint {
    pub tickets: u64,
    pub list: Stats,
    pub filter: Stats,
    pub search: Stats,
}

pub async fn measure_at(fx: Arc<Fixture>, tickets: u64, samples: usize) -> ScalePoint {
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
    ScalePoint { tickets, list, filter, search }
}
