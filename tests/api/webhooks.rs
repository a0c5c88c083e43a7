//! `/webhooks` and deliveries: admin-only CRUD, the secret shown once, the address rules
//! (metadata, private, loopback, IPv4-mapped, names resolving to them), a rule's signed post to a
//! real local receiver, retries on 500, the dead-letter queue, and a refusal at connect time.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A webhook receiver on 127.0.0.1: records each request and answers the scripted statuses
/// (200 once the script is used up).
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(http::HeaderMap, String)>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(script: &[u16]) -> (Receiver, String) {
        let r =
            Receiver { script: Arc::new(Mutex::new(script.iter().copied().collect())), ..Default::default() };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let served = r.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let r = served.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                            let r = r.clone();
                            async move {
                                let (parts, body) = req.into_parts();
                                let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                                r.got
                                    .lock()
                                    .unwrap()
                                    .push((parts.headers, String::from_utf8_lossy(&bytes).into_owned()));
                                let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
                                Ok::<_, std::convert::Infallible>(
                                    http::Response::builder()
                                        .status(status)
                                        .body(http_body_util::Full::new(hyper::body::Bytes::from_static(
                                            b"ok",
                                        )))
                                        .unwrap(),
                                )
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (r, url)
    }

    fn requests(&self) -> Vec<(http::HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

async fn webhook(app: &TestApp, token: &str, endpoint: &str) -> (String, String) {
    let res = app.post("/webhooks", Some(token), json!({"name": "Receiver", "endpoint": endpoint})).await;
    assert_eq!(res.status, 201, "{res:?}");
    (
        res.body["webhook"]["id"].as_str().unwrap().to_owned(),
        res.body["signing_secret"].as_str().unwrap().to_owned(),
    )
}

/// A trigger that posts every new ticket to the webhook.
async fn post_new_tickets(app: &TestApp, token: &str, webhook_id: &str) {
    let res = app
        .post(
            "/triggers",
            Some(token),
            json!({"title": "Tell the receiver", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]},
                   "actions": [{"field": "notify_webhook", "value": {"webhook_id": webhook_id}}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
}

#[tokio::test]
async fn admins_manage_webhooks_and_private_addresses_are_refused() {
    let app = TestApp::spawn_with(|c| c.allow_loopback_webhooks = false).await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    assert_eq!(app.get("/webhooks", Some(&agent.token)).await.status, 403);
    assert_eq!(
        app.post("/webhooks", Some(&agent.token), json!({"name": "x", "endpoint": "https://a.example"}))
            .await
            .status,
        403
    );
    for endpoint in [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://[fd12::1]/hook",
        "https://127.0.0.1:9/hook",
        "http://127.0.0.1:9/hook",
        // A name is resolved: localhost is loopback.
        "https://localhost:9/hook",
        "https://user:secret@hooks.example/",
        "not a url",
    ] {
        let res = app.post("/webhooks", Some(&admin.token), json!({"name": "x", "endpoint": endpoint})).await;
        assert_eq!(res.status, 422, "{endpoint}: {res:?}");
        assert!(res.body["errors"]["endpoint"].is_array(), "{endpoint}");
    }
    let res = app.post("/webhooks", Some(&admin.token), json!({"name": "x"})).await;
    assert!(res.body["errors"]["endpoint"].is_array());
    // A rule may only post to a webhook the desk has.
    let res = app
        .post(
            "/triggers",
            Some(&admin.token),
            json!({"title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]},
                   "actions": [{"field": "notify_webhook", "value": {"webhook_id": uuid::Uuid::now_v7()}}]}),
        )
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["actions"].is_array());
}

#[tokio::test]
async fn a_rule_posts_a_signed_delivery_a_receiver_can_verify() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    let (receiver, url) = Receiver::start(&[]).await;
    let (id, secret) = webhook(&app, &admin.token, &url).await;
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    // The secret is shown once: never by GET or the list.
    let shown = app.get(&format!("/webhooks/{id}"), Some(&admin.token)).await;
    assert_eq!(shown.status, 200);
    assert!(!shown.body.to_string().contains(&secret));
    assert!(!app.get("/webhooks", Some(&admin.token)).await.body.to_string().contains(&secret));
    post_new_tickets(&app, &admin.token, &id).await;

    let ticket = app.ticket(&customer.token, "Hook me").await;
    assert_eq!(app.deliver_webhooks().await, 1);
    let got = receiver.requests();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    // Verify as a receiver would: recompute the HMAC of "<t>.<body>" with the secret.
    let header = headers["x-helpdesk-signature"].to_str().unwrap();
    let t: i64 = header.trim_start_matches("t=").split(',').next().unwrap().parse().unwrap();
    assert_eq!(header, helpdesk::domain::webhooks::signature(&secret, t, body.as_bytes()));
    assert_ne!(header, helpdesk::domain::webhooks::signature("whsec_wrong", t, body.as_bytes()));
    assert!((helpdesk::clock::now().unix_timestamp() - t).abs() < 60);
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["ticket"]["id"], ticket["id"]);
    assert_eq!(json["trigger"]["title"], "Tell the receiver");
    assert!(headers.contains_key("x-helpdesk-delivery"));

    // An inactive webhook posts nothing.
    let res = app.patch(&format!("/webhooks/{id}"), Some(&admin.token), json!({"status": "inactive"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    app.ticket(&customer.token, "Quiet").await;
    app.deliver_webhooks().await;
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(app.delete(&format!("/webhooks/{id}"), Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&format!("/webhooks/{id}"), Some(&admin.token)).await.status, 404);
}

#[tokio::test]
async fn failed_posts_are_retried_then_dead_lettered() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    // 500 first, then 200: the retry delivers, with the same delivery id.
    let (receiver, url) = Receiver::start(&[500]).await;
    let (id, _) = webhook(&app, &admin.token, &url).await;
    post_new_tickets(&app, &admin.token, &id).await;
    app.ticket(&customer.token, "Flaky").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    assert_eq!(app.poll_webhooks().await, 0, "the 500 is a failure");
    let mut handled = 0;
    for _ in 0..10 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        handled += app.poll_webhooks().await;
        if handled > 0 {
            break;
        }
    }
    assert_eq!(handled, 1, "delivered on the retry");
    let got = receiver.requests();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0["x-helpdesk-delivery"], got[1].0["x-helpdesk-delivery"]);

    // Always 500: after the queue's receive count (2 here), the DLQ.
    let (_, url) = Receiver::start(&[500; 20]).await;
    let res = app.patch(&format!("/webhooks/{id}"), Some(&admin.token), json!({"endpoint": url})).await;
    assert_eq!(res.status, 200, "{res:?}");
    app.ticket(&customer.token, "Down").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    let mut in_dlq = 0;
    for _ in 0..10 {
        // (The helper's stream replay re-queues the first delivery too; its claim is done, so it
        // is handled without a post.)
        app.poll_webhooks().await;
        in_dlq = app.queue_depth(&app.webhook_dlq).await;
        if in_dlq > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    assert_eq!(in_dlq, 1, "the failing delivery is in the DLQ");
    assert_eq!(receiver.requests().len(), 2, "the delivered one was never posted again");
}

/// The webhook delivery as its Lambda builds it (SQS on the first failure) delays the retry of a
/// post the endpoint refused.
#[tokio::test]
async fn the_delivery_as_deployed_delays_the_retry_of_a_failed_post() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    let (receiver, url) = Receiver::start(&[503]).await;
    let (id, _) = webhook(&app, &admin.token, &url).await;
    post_new_tickets(&app, &admin.token, &id).await;
    app.ticket(&customer.token, "Held back").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    let mut config = app.state.config.clone();
    // The first retry waits 30 s; the queue's own visibility timeout is 1 s.
    config.mail_retry_base_seconds = 30;
    let delivery = app.as_deployed(config, helpdesk::consumers::lambda::clients::webhook_delivery);
    let delivery = &delivery;
    let (sqs, _) = app.state.webhook_queue().unwrap();
    let handled = helpdesk_local::moto::poll_queue(sqs, &app.webhook_queue, 0, |event| async move {
        helpdesk::consumers::webhooks::handle(delivery, &event).await
    })
    .await
    .unwrap();
    assert_eq!(handled, 0, "the 503 is a failure");
    assert_eq!(receiver.requests().len(), 1);
    app.assert_retry_delayed(&app.webhook_queue).await;
}

#[tokio::test]
async fn a_delivery_is_refused_at_connect_time_when_the_address_is_not_allowed() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    let (receiver, url) = Receiver::start(&[]).await;
    let (id, _) = webhook(&app, &admin.token, &url).await;
    post_new_tickets(&app, &admin.token, &id).await;
    app.ticket(&customer.token, "Where to?").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    // The same job, handled by a deployment's consumer (loopback refused).
    let mut config = app.state.config.clone();
    config.allow_loopback_webhooks = false;
    let strict = helpdesk::AppState::new(config, app.state.store.client().clone())
        .with_sqs(helpdesk_local::moto::sqs_client(&app.moto_endpoint));
    let (sqs, _) = app.state.webhook_queue().unwrap();
    let handled = helpdesk_local::moto::poll_queue(sqs, &app.webhook_queue, 0, |event| {
        let strict = &strict;
        async move { helpdesk::consumers::webhooks::handle(strict, &event).await }
    })
    .await
    .unwrap();
    assert_eq!(handled, 0, "refused, so kept for a retry");
    assert!(receiver.requests().is_empty(), "nothing reached the address");
}
