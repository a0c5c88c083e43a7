//! Sections 1 and 2: route latency next to its DynamoDB floor, and DynamoDB requests per route.
use crate::stats::{self, round, Stats};
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, ReturnConsumedCapacity, TransactWriteItem,
};
use axum::body::Body;
use helpdesk::store::keys::{self, Index};
use helpdesk::AppState;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub const PASSWORD: &str = "bench-password-1";

pub struct Fixture {
    pub state: Arc<AppState>,
    pub agent_token: String,
    pub customer_token: String,
    pub customer_email: String,
    pub customer_id: String,
    pub agent_id: String,
    pub tickets: Vec<String>,
    pub big_ticket: String,
}

pub fn request(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> http::Request<Body> {
    let mut b = http::Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(body.map_or_else(Body::empty, |v| Body::from(v.to_string()))).expect("request builds")
}

/// One request through the local stack's router (the same axum handlers the Lambdas serve).
pub async fn call(state: &Arc<AppState>, req: http::Request<Body>) -> (u16, Value) {
    use tower::ServiceExt;
    let res = helpdesk::http::router(state.clone()).oneshot(req).await.expect("the router is infallible");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn login(state: &Arc<AppState>, email: &str) -> (String, String) {
    let (status, body) = call(
        state,
        request("POST", "/auth/login", None, Some(json!({"email": email, "password": PASSWORD}))),
    )
    .await;
    assert_eq!(status, 200, "login {email}: {body}");
    (body["token"].as_str().unwrap().to_owned(), body["user"]["id"].as_str().unwrap().to_owned())
}

/// 1 agent, 1 customer, 200 tickets (subjects with "printer" in a tenth), one with 20 comments.
pub async fn seed(state: Arc<AppState>) -> Fixture {
    use helpdesk::domain::user::Role;
    helpdesk_local::seed::ensure_user(
        &state,
        "Bench Agent",
        "bench-agent@example.com",
        PASSWORD,
        Role::Agent,
    )
    .await
    .unwrap();
    helpdesk_local::seed::ensure_user(
        &state,
        "Bench Customer",
        "bench-customer@example.com",
        PASSWORD,
        Role::Customer,
    )
    .await
    .unwrap();
    let (agent_token, agent_id) = login(&state, "bench-agent@example.com").await;
    let (customer_token, customer_id) = login(&state, "bench-customer@example.com").await;
    let mut tickets = Vec::new();
    for i in 0..200 {
        let subject = if i % 10 == 0 {
            format!("Printer jam number {i}")
        } else {
            format!("Question {i} about billing")
        };
        let (status, body) = call(
            &state,
            request(
                "POST",
                "/tickets",
                Some(&customer_token),
                Some(json!({"subject": subject, "description": "Details follow"})),
            ),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        tickets.push(body["id"].as_str().unwrap().to_owned());
    }
    let big_ticket = tickets[1].clone();
    for i in 0..20 {
        let (status, _) = call(
            &state,
            request(
                "POST",
                &format!("/tickets/{big_ticket}/comments"),
                Some(&agent_token),
                Some(json!({"content": format!("Reply {i}")})),
            ),
        )
        .await;
        assert_eq!(status, 201);
    }
    Fixture {
        state,
        agent_token,
        customer_token,
        customer_email: "bench-customer@example.com".into(),
        customer_id,
        agent_id,
        tickets,
        big_ticket,
    }
}

/// The raw DynamoDB work a route needs, done directly with the SDK (its floor). Returns the
/// capacity units the calls report consumed (DynamoDB Local may report none).
async fn floor(fx: &Fixture, route: &str, i: usize) -> f64 {
    let db = fx.state.store.client();
    let table = fx.state.store.table();
    let total = ReturnConsumedCapacity::Total;
    let mut cu = 0.0;
    let mut add = |c: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>| {
        cu += c.and_then(|c| c.capacity_units()).unwrap_or(0.0)
    };
    let user_key = |id: &str| keys::key(keys::user_pk(id.parse().unwrap()), keys::USER_SK);
    let guard = || {
        KeysAndAttributes::builder()
            .keys(user_key(&fx.agent_id))
            .keys(user_key(&fx.customer_id))
            .consistent_read(true)
            .build()
            .unwrap()
    };
    let batch = |k: KeysAndAttributes| {
        db.batch_get_item().request_items(table, k).return_consumed_capacity(total.clone()).send()
    };
    match route {
        "login" => {
            let a = db
                .get_item()
                .table_name(table)
                .set_key(Some(keys::key(keys::email_pk(&fx.customer_email), keys::EMAIL_SK)))
                .consistent_read(true)
                .return_consumed_capacity(total.clone())
                .send()
                .await
                .unwrap();
            add(a.consumed_capacity());
            let b = db
                .get_item()
                .table_name(table)
                .set_key(Some(user_key(&fx.customer_id)))
                .consistent_read(true)
                .return_consumed_capacity(total.clone())
                .send()
                .await
                .unwrap();
            add(b.consumed_capacity());
            let mut item = keys::key(keys::session_pk(uuid::Uuid::new_v4()), keys::SESSION_SK);
            item.insert("user_id".into(), keys::s(&fx.customer_id));
            let c = db
                .put_item()
                .table_name(table)
                .set_item(Some(item))
                .return_consumed_capacity(total.clone())
                .send()
                .await
                .unwrap();
            add(c.consumed_capacity());
        }
        "me" => {
            let a = batch(guard()).await.unwrap();
            a.consumed_capacity().iter().for_each(|c| add(Some(c)));
        }
        "create ticket" | "add comment" => {
            let a = batch(guard()).await.unwrap();
            a.consumed_capacity().iter().for_each(|c| add(Some(c)));
            if route == "create ticket" {
                let b = db
                    .update_item()
                    .table_name(table)
                    .set_key(Some(keys::key("BENCH#COUNTER", "COUNTER")))
                    .update_expression("ADD n :one")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .return_consumed_capacity(total.clone())
                    .send()
                    .await
                    .unwrap();
                add(b.consumed_capacity());
            } else {
                let b = db
                    .get_item()
                    .table_name(table)
                    .set_key(Some(keys::key(
                        keys::ticket_pk(fx.tickets[i % fx.tickets.len()].parse().unwrap()),
                        keys::TICKET_SK,
                    )))
                    .consistent_read(true)
                    .return_consumed_capacity(total.clone())
                    .send()
                    .await
                    .unwrap();
                add(b.consumed_capacity());
            }
            // A transaction of the same items: the ticket (about 1 KB) and its companion items.
            let items = if route == "create ticket" { 3 } else { 2 };
            let tx = (0..items).map(|n| {
                let mut item = keys::key(format!("BENCH#{}", uuid::Uuid::new_v4()), format!("ITEM#{n}"));
                item.insert("payload".into(), keys::s("x".repeat(900)));
                TransactWriteItem::builder()
                    .put(Put::builder().table_name(table).set_item(Some(item)).build().unwrap())
                    .build()
            });
            let c = db
                .transact_write_items()
                .set_transact_items(Some(tx.collect()))
                .return_consumed_capacity(total.clone())
                .send()
                .await
                .unwrap();
            c.consumed_capacity().iter().for_each(|x| add(Some(x)));
        }
        "list tickets" | "search" => {
            let a = batch(guard()).await.unwrap();
            a.consumed_capacity().iter().for_each(|c| add(Some(c)));
            let (index, part) = if route == "search" {
                (None, keys::posting_pk("t", "w:printer"))
            } else {
                (Some(Index::Gsi1), keys::status_partition("new"))
            };
            let mut q = db
                .query()
                .table_name(table)
                .key_condition_expression("#p = :p")
                .scan_index_forward(false)
                .limit(if route == "search" { 20 } else { 25 })
                .return_consumed_capacity(total.clone());
            q = match index {
                Some(ix) => q.index_name(ix.name()).expression_attribute_names("#p", ix.pk()),
                None => q.expression_attribute_names("#p", keys::PK),
            };
            let b = q.expression_attribute_values(":p", keys::s(part)).send().await.unwrap();
            add(b.consumed_capacity());
            if route == "search" {
                let ids: Vec<HashMap<String, AttributeValue>> = fx
                    .tickets
                    .iter()
                    .step_by(10)
                    .map(|t| keys::key(keys::search_doc_pk(t.parse().unwrap()), keys::SEARCH_DOC_SK))
                    .collect();
                let c =
                    batch(KeysAndAttributes::builder().set_keys(Some(ids)).build().unwrap()).await.unwrap();
                c.consumed_capacity().iter().for_each(|x| add(Some(x)));
            }
            let d = batch(KeysAndAttributes::builder().keys(user_key(&fx.customer_id)).build().unwrap())
                .await
                .unwrap();
            d.consumed_capacity().iter().for_each(|x| add(Some(x)));
        }
        "show ticket (20 comments)" => {
            let a = batch(guard()).await.unwrap();
            a.consumed_capacity().iter().for_each(|c| add(Some(c)));
            let b = db
                .query()
                .table_name(table)
                .key_condition_expression("#p = :p")
                .expression_attribute_names("#p", keys::PK)
                .expression_attribute_values(":p", keys::s(keys::ticket_pk(fx.big_ticket.parse().unwrap())))
                .consistent_read(true)
                .return_consumed_capacity(total.clone())
                .send()
                .await
                .unwrap();
            add(b.consumed_capacity());
            let c = batch(
                KeysAndAttributes::builder()
                    .keys(user_key(&fx.customer_id))
                    .keys(user_key(&fx.agent_id))
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
            c.consumed_capacity().iter().for_each(|x| add(Some(x)));
        }
        other => panic!("no floor for {other}"),
    }
    cu
}

/// The request a route bench sends, for sample `i`.
fn route_request(fx: &Fixture, route: &str, i: usize) -> http::Request<Body> {
    let t = |n: usize| fx.tickets[n % fx.tickets.len()].clone();
    match route {
        "login" => request(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": fx.customer_email, "password": PASSWORD})),
        ),
        "me" => request("GET", "/auth/me", Some(&fx.customer_token), None),
        "create ticket" => request(
            "POST",
            "/tickets",
            Some(&fx.customer_token),
            Some(json!({"subject": format!("Bench {i}"), "description": "Created by the benchmark"})),
        ),
        "list tickets" => request("GET", "/tickets?per_page=25", Some(&fx.agent_token), None),
        "show ticket (20 comments)" => {
            request("GET", &format!("/tickets/{}", fx.big_ticket), Some(&fx.agent_token), None)
        }
        "add comment" => request(
            "POST",
            &format!("/tickets/{}/comments", t(i + 2)),
            Some(&fx.agent_token),
            Some(json!({"content": format!("Bench reply {i}")})),
        ),
        "search" => request("GET", "/tickets?search=printer", Some(&fx.agent_token), None),
        other => panic!("unknown route {other}"),
    }
}

/// The minimum DynamoDB requests docs/data-model.md claims for each route (guard included).
pub fn claimed_minimum(route: &str) -> (u32, &'static str) {
    match route {
        "login" => (3, "GetItem email claim, GetItem user, PutItem session"),
        "me" => (1, "BatchGetItem session + user (+1 UpdateItem presence, at most once a minute)"),
        "create ticket" => (3, "guard BatchGetItem, counter UpdateItem, TransactWriteItems"),
        "list tickets" => (8, "guard, 6 status-partition Queries (merged), users BatchGetItem"),
        "show ticket (20 comments)" => (3, "guard, one Query of the collection, users BatchGetItem"),
        "add comment" => (3, "guard, GetItem ticket, TransactWriteItems"),
        "search" => (6, "guard, term counters BatchGetItem, posting Query, documents BatchGetItem, tickets BatchGetItem, users BatchGetItem"),
        _ => (0, ""),
    }
}

pub const ROUTES: [&str; 7] =
    ["login", "me", "create ticket", "list tickets", "show ticket (20 comments)", "add comment", "search"];

pub struct RouteResult {
    pub route: &'static str,
    pub route_c1: Stats,
    pub route_c16: Stats,
    pub floor_c1: Stats,
    pub floor_c16: Stats,
    pub requests: u32,
    pub floor_capacity: f64,
}

impl RouteResult {
    pub fn json(&self) -> Value {
        let (claimed, how) = claimed_minimum(self.route);
        json!({
            "route": self.route,
            "c1": {"route": self.route_c1.json(), "floor": self.floor_c1.json(), "ratio_p50": round(self.route_c1.p50_ms / self.floor_c1.p50_ms)},
            "c16": {"route": self.route_c16.json(), "floor": self.floor_c16.json(), "ratio_p50": round(self.route_c16.p50_ms / self.floor_c16.p50_ms)},
            "dynamodb_requests": self.requests,
            "claimed_minimum_requests": claimed,
            "claimed_calls": how,
            "floor_consumed_capacity_units": round(self.floor_capacity),
        })
    }
}

pub async fn measure(fx: Arc<Fixture>, iterations: usize) -> Vec<RouteResult> {
    let mut out = Vec::new();
    for route in ROUTES {
        let n = if route == "login" { iterations / 4 } else { iterations };
        // Warm-up, and the request count of one call (presence was just written, so no write).
        for i in 0..3 {
            call(&fx.state, route_request(&fx, route, 10_000 + i)).await;
        }
        let (_, metrics) =
            helpdesk::telemetry::measured(call(&fx.state, route_request(&fx, route, 20_000))).await;
        let requests = metrics.dynamodb_calls();
        let floor_capacity = floor(&fx, route, 0).await;
        let mut results = Vec::new();
        for workers in [1usize, 16] {
            let per = (n / workers).max(5);
            let f = fx.clone();
            let route_samples = stats::run(workers, per, move |i| {
                let f = f.clone();
                async move {
                    let (status, body) = call(&f.state, route_request(&f, route, 30_000 + i)).await;
                    assert!(status < 300, "{route}: {status} {body}");
                }
            })
            .await;
            let f = fx.clone();
            let floor_samples = stats::run(workers, per, move |i| {
                let f = f.clone();
                async move {
                    floor(&f, route, i).await;
                }
            })
            .await;
            results.push((stats::stats(route_samples), stats::stats(floor_samples)));
        }
        let [(route_c1, floor_c1), (route_c16, floor_c16)] =
            <[(Stats, Stats); 2]>::try_from(results).unwrap_or_else(|_| unreachable!("two runs"));
        eprintln!("  {route:<28} c1 p50 {:>7.2} ms (floor {:>6.2})   c16 p50 {:>7.2} ms (floor {:>6.2})   {requests} requests",
            route_c1.p50_ms, floor_c1.p50_ms, route_c16.p50_ms, floor_c16.p50_ms);
        out.push(RouteResult { route, route_c1, route_c16, floor_c1, floor_c16, requests, floor_capacity });
    }
    out
}
