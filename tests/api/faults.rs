//! Faults: the handlers against DynamoDB Local behind a fault-injecting proxy (throttling, 500,
//! 503, dropped connections, delays past the SDK's attempt timeout, "commit then 500"), driven
//! by clients that retry with the same Idempotency-Key as API.md asks. Afterwards every
//! acknowledged write is there exactly once and no response carried internals.
use crate::helpers::{test_port, Actor, TestApp};
use axum::body::Body;
use helpdesk::domain::user::Role;
use helpdesk_local::faults::{self, Fault, Plan};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A client of the faulty stack: 5xx answers are retried (same request, same key).
struct Client {
    router: axum::Router,
    server_errors: AtomicU64,
}

impl Client {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        use tower::ServiceExt;
        for _ in 0..12 {
            let mut req = http::Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"));
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            let body = body.as_ref().map_or_else(Body::empty, |b| Body::from(b.to_string()));
            let res = self.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
            let status = res.status().as_u16();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if status >= 500 {
                assert_eq!(value, json!({"message": "Server Error"}), "a 5xx carries no internals");
                self.server_errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            return (status, value);
        }
        panic!("{method} {path} failed 12 times");
    }
}

/// A client of the app's handlers on a state whose DynamoDB client goes through a fault proxy
/// with `plan`, and the proxy's statistics.
async fn through_faults(app: &TestApp, plan: Plan) -> (Client, Arc<faults::Stats>) {
    let upstream = helpdesk_local::dynamodb_local::endpoint(test_port());
    let (proxy, stats) = faults::start(&upstream, plan).await.unwrap();
    // Production's timeouts (the delays are sized past them), not the emulators' longer ones.
    let sdk = helpdesk_local::sdk::config(&proxy);
    let conf =
        aws_sdk_dynamodb::config::Builder::from(&sdk).timeout_config(helpdesk::state::timeouts()).build();
    let faulty = helpdesk::AppState::new(app.state.config.clone(), aws_sdk_dynamodb::Client::from_conf(conf));
    let router = helpdesk_local::router::router(Arc::new(faulty), None);
    (Client { router, server_errors: AtomicU64::new(0) }, stats)
}

/// What one customer's session acknowledged: tickets, and per ticket its comments.
#[derive(Default)]
struct Acknowledged {
    tickets: Vec<String>,
    comments: HashMap<String, BTreeSet<String>>,
}

async fn work(client: &Client, customer: &Actor, agent: &Actor, n: usize) -> Acknowledged {
    let mut ack = Acknowledged::default();
    for t in 0..3 {
        let key = format!("create-{n}-{t}");
        let body = json!({"subject": format!("Fault {n}.{t}"), "description": "Under fire"});
        let (status, ticket) = client.send("POST", "/tickets", &customer.token, Some(&key), Some(body)).await;
        assert_eq!(status, 201, "{ticket}");
        let id = ticket["id"].as_str().unwrap().to_owned();
        ack.tickets.push(id.clone());
        let path = format!("/tickets/{id}/comments");
        for c in 0..3 {
            let (who, internal) = if c == 2 { (agent, true) } else { (customer, false) };
            let key = format!("comment-{n}-{t}-{c}");
            let body = json!({"content": format!("comment {c}"), "is_internal": internal});
            let (status, comment) = client.send("POST", &path, &who.token, Some(&key), Some(body)).await;
            assert_eq!(status, 201, "{comment}");
            ack.comments.entry(id.clone()).or_default().insert(comment["id"].as_str().unwrap().to_owned());
        }
        let (status, patched) = client
            .send("PATCH", &format!("/tickets/{id}"), &agent.token, None, Some(json!({"priority": "urgent"})))
            .await;
        assert_eq!(status, 200, "{patched}");
    }
    ack
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_dynamodb_faults_exactly_once() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let mut customers = Vec::new();
    for _ in 0..4 {
        customers.push(app.customer().await);
    }
    let plan = Plan {
        rate: 0.3,
        seed: 42,
        faults: Fault::ALL.to_vec(),
        delay: helpdesk::state::ATTEMPT_TIMEOUT + std::time::Duration::from_millis(300),
        select: faults::dynamodb_data_plane,
    };
    let (client, stats) = through_faults(&app, plan).await;

    let sessions = customers.iter().enumerate().map(|(n, c)| work(&client, c, &agent, n));
    let acknowledged = futures::future::join_all(sessions).await;

    // Read back through the clean path.
    let mut numbers = BTreeSet::new();
    for (customer, ack) in customers.iter().zip(&acknowledged) {
        let list = app.get("/tickets?per_page=100", Some(&customer.token)).await;
        let listed: BTreeSet<String> = list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        let expected: BTreeSet<String> = ack.tickets.iter().cloned().collect();
        assert_eq!(listed, expected, "each acknowledged ticket exactly once, nothing else");
        for id in &ack.tickets {
            let page = app.get(&format!("/tickets/{id}"), Some(&agent.token)).await;
            assert_eq!(page.status, 200);
            numbers.insert(page.body["ticket_number"].as_str().unwrap().to_owned());
            assert_eq!(page.body["priority"], "urgent");
            let comments: Vec<String> = page.body["comments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(comments.len(), 3, "no comment written twice: {comments:?}");
            assert_eq!(comments.iter().cloned().collect::<BTreeSet<_>>(), ack.comments[id]);
            let priority_changes = page.body["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["field_name"] == "priority")
                .count();
            assert_eq!(priority_changes, 1, "the PATCH is audited once");
        }
    }
    let expected: BTreeSet<String> = (1..=12).map(|n| format!("TKT-{n:06}")).collect();
    assert_eq!(numbers, expected, "numbers unique and without gaps");

    let counts = stats.counts();
    eprintln!(
        "fault run: {} DynamoDB requests, {} faults {counts:?}, {} server errors answered (and retried)",
        stats.requests.load(Ordering::Relaxed),
        stats.total(),
        client.server_errors.load(Ordering::Relaxed)
    );
    for kind in ["throttle", "500", "503", "reset", "delay", "commit-then-500"] {
        assert!(counts.get(kind).copied().unwrap_or(0) > 0, "no {kind} fault was injected: {counts:?}");
    }
}

fn transactions_only(parts: &http::request::Parts) -> bool {
    parts.headers.get("x-amz-target").is_some_and(|t| t == "DynamoDB_20120810.TransactWriteItems")
}

#[tokio::test]
async fn a_write_committed_behind_a_500_is_answered_once_on_the_keyed_retry() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Committed").await;
    let tid = ticket["id"].as_str().unwrap();
    // Every transaction commits and is then answered 500, SDK retries included.
    let plan = Plan {
        rate: 1.0,
        seed: 7,
        faults: vec![Fault::CommitThen500],
        delay: std::time::Duration::ZERO,
        select: transactions_only,
    };
    let (client, stats) = through_faults(&app, plan).await;
    let (status, comment) = client
        .send(
            "POST",
            &format!("/tickets/{tid}/comments"),
            &customer.token,
            Some("once"),
            Some(json!({"content": "only once"})),
        )
        .await;
    assert_eq!(status, 201, "the retry is answered from the receipt: {comment}");
    assert!(client.server_errors.load(Ordering::Relaxed) >= 1, "the first answer was a 500");
    assert!(stats.total() >= 1);
    let page = app.get(&format!("/tickets/{tid}"), Some(&customer.token)).await;
    let comments = page.body["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "written once: {comments:?}");
    assert_eq!(comments[0]["id"], comment["id"]);
}

/// SES failing before it sends (throttling, 500, 503, dropped connections): every mail goes out
/// exactly once. (A send that SES performs and then answers with an error cannot be told from
/// one it did not perform; the mailer retries it, so that one case may duplicate a mail:
/// docs/reliability.md.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_survives_ses_failures_without_loss_or_duplicates() {
    let app = TestApp::spawn().await;
    let requester = app.staff(Role::Agent).await; // staff: no sign-up mail, one mail per ticket
    for i in 0..6 {
        app.ticket(&requester.token, &format!("Mail under fire {i}")).await;
    }
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    let plan = Plan {
        rate: 0.3,
        seed: 11,
        faults: vec![Fault::Throttle, Fault::Internal, Fault::Unavailable, Fault::Reset],
        delay: std::time::Duration::ZERO,
        select: faults::ses_send,
    };
    let (proxy, stats) = faults::start(&app.moto_endpoint, plan).await.unwrap();
    let faulty = helpdesk::AppState::new(app.state.config.clone(), app.state.store.client().clone())
        .with_sqs(helpdesk_local::moto::sqs_client(&app.moto_endpoint))
        .with_ses(helpdesk_local::moto::ses_client(&proxy));
    let (sqs, _) = app.state.mail_queue().unwrap();
    let mut sent = 0;
    for _ in 0..60 {
        helpdesk_local::moto::poll_queue(sqs, &app.mail_queue, 0, |event| {
            let faulty = &faulty;
            async move { helpdesk::consumers::mailer::handle(faulty, &event).await }
        })
        .await
        .unwrap();
        sent = app.mail_to(&requester.email).await.len();
        if sent >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // A last look: anything still in flight would show up as a seventh mail.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    helpdesk_local::moto::poll_queue(sqs, &app.mail_queue, 0, |event| {
        let faulty = &faulty;
        async move { helpdesk::consumers::mailer::handle(faulty, &event).await }
    })
    .await
    .unwrap();
    let mail = app.mail_to(&requester.email).await;
    let subjects: BTreeSet<String> = mail.iter().map(|m| m["subject"].as_str().unwrap().to_owned()).collect();
    assert_eq!((sent, mail.len(), subjects.len()), (6, 6, 6), "each mail once: {subjects:?}");
    eprintln!(
        "ses fault run: {} SES requests, faults {:?}",
        stats.requests.load(Ordering::Relaxed),
        stats.counts()
    );
    assert!(stats.total() > 0, "faults were injected");
}

/// The first request a plan selects (and only that one): a static, since `select` is a plain
/// function (each test runs in its own process under nextest).
static SELECTED: AtomicU64 = AtomicU64::new(0);

fn only_the_first_request(_: &http::request::Parts) -> bool {
    SELECTED.fetch_add(1, Ordering::SeqCst) == 0
}

fn every_request(_: &http::request::Parts) -> bool {
    true
}

/// Received mail reads and writes the bucket by presigned URL, without the S3 client and its
/// retries: a 5xx or a dropped connection is retried (three attempts in all), a missing object
/// and a refusal are not, and what fails says which object and why.
#[tokio::test]
async fn object_reads_writes_and_deletes_are_retried_through_faults_and_failures_name_the_object() {
    use helpdesk::store::objects::{ObjectError, Objects};
    let app = TestApp::spawn().await;
    let objects_through = |plan: Plan| {
        let s3 = app.s3_endpoint.clone();
        async move {
            let (proxy, stats) = faults::start(&s3, plan).await.unwrap();
            let presigner = helpdesk_local::s3::presigner(&proxy, helpdesk_local::s3::DEFAULT_BUCKET);
            (Objects::new(presigner, helpdesk::aws_http::Direct::new()), stats)
        }
    };
    let plan = |faults: Vec<Fault>, select: fn(&http::request::Parts) -> bool| Plan {
        rate: 1.0,
        seed: 3,
        faults,
        delay: std::time::Duration::ZERO,
        select,
    };

    // One fault, then the object lands and reads back: the retry went through, signed again.
    for fault in [Fault::Internal, Fault::Unavailable, Fault::Reset] {
        SELECTED.store(0, Ordering::SeqCst);
        let (objects, stats) = objects_through(plan(vec![fault], only_the_first_request)).await;
        let key = format!("inbound/retried-{fault:?}");
        objects.put(&key, "message/rfc822", "Subject: hello\r\n\r\nbody".into()).await.expect("put, retried");
        assert_eq!(stats.requests.load(Ordering::SeqCst), 2, "{fault:?}: one fault, one retry");
        assert_eq!(stats.total(), 1);
        let bytes = objects.get(&key).await.expect("get");
        assert_eq!(&bytes[..], b"Subject: hello\r\n\r\nbody");
    }

    // Every attempt fails: three requests, then an error naming the object and the status.
    let (objects, stats) = objects_through(plan(vec![Fault::Unavailable], every_request)).await;
    let err = objects.get("inbound/retried-Internal").await.expect_err("503 three times");
    assert_eq!(stats.requests.load(Ordering::SeqCst), 3);
    assert!(matches!(err, ObjectError::Refused { status: 503, .. }), "{err:?}");
    assert!(
        err.to_string().contains("GetObject s3://helpdesk-attachments/inbound/retried-Internal"),
        "{err}"
    );
    let (objects, stats) = objects_through(plan(vec![Fault::Reset], every_request)).await;
    let err = objects.put("inbound/never", "text/plain", "x".into()).await.expect_err("reset three times");
    assert_eq!(stats.requests.load(Ordering::SeqCst), 3);
    assert!(matches!(err, ObjectError::Transport { operation: "PutObject", .. }), "{err:?}");

    // A missing object and a refused signature are answered once, not retried.
    let (objects, stats) = objects_through(plan(Vec::new(), every_request)).await;
    let err = objects.get("inbound/no-such-message").await.expect_err("missing");
    assert!(matches!(err, ObjectError::NotFound { .. }), "{err:?}");
    assert_eq!(stats.requests.load(Ordering::SeqCst), 1);
    let wrong_secret =
        helpdesk_local::sdk::config_with(&app.s3_endpoint, helpdesk_local::s3::ACCESS_KEY, "wrong");
    let forged = Objects::new(
        helpdesk::store::presign::Presigner::new(&wrong_secret, helpdesk_local::s3::DEFAULT_BUCKET).unwrap(),
        helpdesk::aws_http::Direct::new(),
    );
    let err = forged.get("inbound/retried-Internal").await.expect_err("a bad signature");
    assert!(matches!(err, ObjectError::Refused { status: 403, .. }), "{err:?}");
    let err = forged.delete("inbound/retried-Internal").await.expect_err("a bad signature");
    assert!(matches!(err, ObjectError::Refused { operation: "DeleteObject", status: 403, .. }), "{err:?}");

    // Deletes (the attachment cleaner's): retried through a fault; the object is gone; deleting
    // it again (a retried stream record) succeeds, as S3's DeleteObject does.
    SELECTED.store(0, Ordering::SeqCst);
    let (objects, stats) = objects_through(plan(vec![Fault::Unavailable], only_the_first_request)).await;
    objects.delete("inbound/retried-Internal").await.expect("delete, retried");
    assert_eq!(stats.requests.load(Ordering::SeqCst), 2, "one fault, one retry");
    let err = objects.get("inbound/retried-Internal").await.expect_err("deleted");
    assert!(matches!(err, ObjectError::NotFound { .. }), "{err:?}");
    objects.delete("inbound/retried-Internal").await.expect("deleting a missing object succeeds");
}
