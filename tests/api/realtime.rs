//! Realtime over a real WebSocket client against the local WebSocket API, with the broadcaster
//! fed from DynamoDB Local's stream.
use crate::helpers::{Actor, TestApp};
use futures::{SinkExt, StreamExt};
use helpdesk::consumers::StreamConsumer;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) async fn connect(app: &TestApp, who: &Actor) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/?token={}", app.ws_url, who.token))
        .await
        .expect("connects");
    ws
}

pub(crate) async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next frame of `kind` within `within`, skipping others; None on timeout.
pub(crate) async fn wait_for(ws: &mut Ws, kind: &str, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let msg = tokio::time::timeout(left, ws.next()).await.ok()??.ok()?;
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == kind {
                return Some(v);
            }
        }
    }
}

/// Every frame that arrives within `within`.
pub(crate) async fn drain(ws: &mut Ws, within: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while let Ok(Some(Ok(msg))) =
        tokio::time::timeout(deadline.saturating_duration_since(tokio::time::Instant::now()), ws.next()).await
    {
        if let Message::Text(t) = msg {
            out.push(serde_json::from_str(&t).unwrap());
        }
    }
    out
}

pub(crate) async fn subscribe(ws: &mut Ws, ticket_id: &str) {
    send(ws, json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    let ack = wait_for(ws, "subscribed", Duration::from_secs(2)).await.expect("subscription acknowledged");
    assert_eq!(ack["ticket_id"], ticket_id);
}

#[tokio::test]
async fn an_agent_sees_a_patch_within_two_seconds_with_the_changed_fields() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Live").await;
    let tid = ticket["id"].as_str().unwrap();
    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, tid).await;

    send(&mut ws, json!({"action": "ping"})).await;
    assert!(wait_for(&mut ws, "pong", Duration::from_secs(2)).await.is_some());

    let other_agent = app.staff(Role::Agent).await;
    assert_eq!(
        app.patch(&format!("/tickets/{tid}"), Some(&other_agent.token), json!({"priority": "urgent"}))
            .await
            .status,
        200
    );
    let frame =
        wait_for(&mut ws, "ticket.updated", Duration::from_secs(2)).await.expect("ticket.updated within 2 s");
    assert_eq!(frame["ticket_id"], tid);
    assert_eq!(frame["data"]["priority"], "urgent");
    assert_eq!(frame["changes"]["priority"], json!({"old": "normal", "new": "urgent"}));
    assert!(frame["changes"].get("updated_stamp").is_none());
    assert!(helpdesk::clock::parse(frame["at"].as_str().unwrap()).is_some());

    // Viewers: another agent opening the ticket shows up (collision detection).
    app.post(&format!("/tickets/{tid}/view"), Some(&other_agent.token), json!({})).await;
    let viewers =
        wait_for(&mut ws, "viewers.changed", Duration::from_secs(2)).await.expect("viewers.changed");
    assert_eq!(viewers["data"]["user_id"], other_agent.id.as_str());
}

#[tokio::test]
async fn customers_get_public_replies_only_and_only_for_their_tickets() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&alice.token, "Mine").await;
    let tid = ticket["id"].as_str().unwrap();
    let bobs = app.ticket(&bob.token, "Bob's").await;

    let mut ws = connect(&app, &alice).await;
    subscribe(&mut ws, tid).await;
    send(&mut ws, json!({"action": "subscribe", "ticket_id": bobs["id"]})).await;
    let refused = wait_for(&mut ws, "error", Duration::from_secs(2)).await.expect("error frame");
    assert_eq!(refused["data"]["message"], "Not found.");
    send(&mut ws, json!({"action": "subscribe", "channel": "tickets"})).await;
    assert!(
        wait_for(&mut ws, "error", Duration::from_secs(2)).await.is_some(),
        "customers cannot watch the queue"
    );

    let path = format!("/tickets/{tid}/comments");
    app.post(&path, Some(&agent.token), json!({"content": "SECRET internal note", "is_internal": true}))
        .await;
    app.post(&path, Some(&agent.token), json!({"content": "Public reply"})).await;
    app.patch(
        &format!("/tickets/{}", bobs["id"].as_str().unwrap()),
        Some(&agent.token),
        json!({"priority": "high"}),
    )
    .await;

    let frames = drain(&mut ws, Duration::from_millis(1500)).await;
    let comments: Vec<&Value> = frames.iter().filter(|f| f["type"] == "comment.created").collect();
    assert_eq!(comments.len(), 1, "{frames:?}");
    assert_eq!(comments[0]["data"]["content"], "Public reply");
    let text = serde_json::to_string(&frames).unwrap();
    assert!(!text.contains("SECRET"), "no internal note in any frame");
    assert!(!text.contains(bobs["id"].as_str().unwrap()), "nothing about Bob's ticket");
    let updates: Vec<&Value> = frames.iter().filter(|f| f["type"] == "ticket.updated").collect();
    assert!(!updates.is_empty(), "the reply opened the ticket: {frames:?}");
    assert!(updates.iter().all(|f| f.get("changes").is_none()), "customers get no audit changes");
}

#[tokio::test]
async fn the_tickets_channel_shows_new_tickets_to_agents() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let mut ws = connect(&app, &agent).await;
    send(&mut ws, json!({"action": "subscribe", "channel": "tickets"})).await;
    assert!(wait_for(&mut ws, "subscribed", Duration::from_secs(2)).await.is_some());
    let ticket = app.ticket(&customer.token, "Brand new").await;
    let frame = wait_for(&mut ws, "ticket.created", Duration::from_secs(2)).await.expect("ticket.created");
    assert_eq!(frame["data"]["subject"], "Brand new");
    assert_eq!(frame["ticket_id"], ticket["id"]);
}

#[tokio::test]
async fn bad_missing_and_revoked_tokens_cannot_connect() {
    let app = TestApp::spawn().await;
    let user = app.customer().await;
    for url in [format!("{}/", app.ws_url), format!("{}/?token=garbage", app.ws_url)] {
        let err = tokio_tungstenite::connect_async(url.as_str()).await.expect_err("refused");
        assert!(err.to_string().contains("401"), "{err}");
    }
    let (ok, _) = tokio_tungstenite::connect_async(format!("{}/?token={}", app.ws_url, user.token))
        .await
        .expect("valid token connects");
    drop(ok);
    app.post("/auth/logout", Some(&user.token), json!({})).await;
    let err = tokio_tungstenite::connect_async(format!("{}/?token={}", app.ws_url, user.token))
        .await
        .expect_err("revoked");
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn closed_and_gone_connections_are_cleaned_up() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Bye").await;
    let tid = ticket["id"].as_str().unwrap().to_owned();
    let mut ws = connect(&app, &customer).await;
    subscribe(&mut ws, &tid).await;
    assert_eq!(app.state.store.subscribers(&tid).await.unwrap().len(), 1);
    ws.close(None).await.unwrap();
    let mut left = 1;
    for _ in 0..40 {
        left = app.state.store.subscribers(&tid).await.unwrap().len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "$disconnect removed the subscription");

    // A subscription whose connection vanished without $disconnect: the broadcaster's post gets
    // 410 and forgets it.
    let ghost = helpdesk::store::realtime::Subscription {
        connection_id: "ghost".into(),
        topic: tid.clone(),
        user_id: customer.id.parse().unwrap(),
        session_id: app.state.tokens.verify(&customer.token).unwrap().sid,
    };
    app.state.store.subscribe(&ghost, helpdesk::clock::now().unix_timestamp()).await.unwrap();
    app.patch(
        &format!("/tickets/{tid}"),
        Some(&app.staff(Role::Agent).await.token),
        json!({"priority": "low"}),
    )
    .await;
    app.run_stream(StreamConsumer::Broadcaster).await;
    assert!(app.state.store.subscribers(&tid).await.unwrap().is_empty(), "gone connection forgotten");
}

#[tokio::test]
async fn a_failing_record_is_reported_and_the_others_are_not_lost() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Batch").await;
    let tid = ticket["id"].as_str().unwrap();
    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, tid).await;
    app.post(&format!("/tickets/{tid}/comments"), Some(&agent.token), json!({"content": "first"})).await;
    app.post(&format!("/tickets/{tid}/comments"), Some(&agent.token), json!({"content": "third"})).await;

    // The real stream records of this table, with a broken ticket record put in the middle.
    let endpoint = helpdesk_local::dynamodb_local::endpoint(
        std::env::var("HELPDESK_TEST_DDB_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8100),
    );
    let mut feeder = helpdesk_local::streams::StreamFeeder::new(
        app.state.store.client(),
        helpdesk_local::streams::client(&endpoint),
        &app.table,
    )
    .await
    .unwrap();
    let mut records = Vec::new();
    feeder
        .poll_once(|event| {
            records.extend(event.records.into_iter().filter(|r| {
                matches!(r.change.new_image.get("entity"), Some(serde_dynamo::AttributeValue::S(e)) if e == "comment")
            }));
            async { aws_lambda_events::streams::DynamoDbEventResponse::default() }
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    let mut broken = records[0].clone();
    broken.change.new_image = serde_dynamo::Item::from(std::collections::HashMap::from([(
        "entity".to_owned(),
        serde_dynamo::AttributeValue::S("ticket".into()),
    )]));
    broken.event_name = "INSERT".into();
    broken.change.sequence_number = Some("broken-seq".into());
    let mut event = aws_lambda_events::dynamodb::Event::default();
    event.records = vec![records[0].clone(), broken, records[1].clone()];

    let response = helpdesk::consumers::broadcast::handle(&app.state, &event).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(
        failed,
        [Some("broken-seq".to_owned())],
        "the failing record is reported, so it and the rest are retried"
    );
    let delivered = wait_for(&mut ws, "comment.created", Duration::from_secs(2))
        .await
        .expect("the record before it went out");
    assert_eq!(delivered["data"]["content"], "first");

    // The retry (from the failed record on, as Lambda does) with the record fixed delivers the rest.
    let mut retry = aws_lambda_events::dynamodb::Event::default();
    retry.records = vec![records[1].clone()];
    assert!(helpdesk::consumers::broadcast::handle(&app.state, &retry).await.batch_item_failures.is_empty());
    let third = wait_for(&mut ws, "comment.created", Duration::from_secs(2)).await.expect("nothing lost");
    assert_eq!(third["data"]["content"], "third");
}
