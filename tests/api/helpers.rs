//! The test harness: an isolated app (fresh table) per test, and request helpers.
use axum::body::Body;
use helpdesk::config::Config;
use helpdesk::domain::user::Role;
use helpdesk::AppState;
use helpdesk_local::{dynamodb_local, s3, ws};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

pub const PASSWORD: &str = "correct-horse-battery";
/// The upload limit the test apps run with (small, so the limit is cheap to test).
pub const MAX_UPLOAD: u64 = 1024 * 1024;

pub struct TestApp {
    pub state: Arc<AppState>,
    pub table: String,
    pub secret: Vec<u8>,
    /// The in-process S3 (s3s-fs) of this test: endpoint, and its folder (removed on drop).
    pub s3_endpoint: String,
    s3_root: std::path::PathBuf,
    s3_task: tokio::task::JoinHandle<()>,
    /// moto (SQS + SES v2), shared by the test processes; this test's own mail queue.
    pub moto_endpoint: String,
    pub mail_queue: String,
    pub mail_dlq: String,
    /// This test's webhook delivery queue (2 receives, 1 s apart, then its DLQ).
    pub webhook_queue: String,
    pub webhook_dlq: String,
    /// The local WebSocket API of this test: `ws://127.0.0.1:<port>`.
    pub ws_url: String,
    background: Vec<tokio::task::JoinHandle<()>>,
    /// The DynamoDB Local this test's table lives in (the shared one, or its own).
    pub ddb_endpoint: String,
    _private_ddb: Option<dynamodb_local::DynamoDbLocal>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.s3_task.abort();
        self.background.iter().for_each(|t| t.abort());
        let _ = std::fs::remove_dir_all(&self.s3_root);
    }
}

pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl std::fmt::Debug for TestResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// A signed-in user of the app under test.
pub struct Actor {
    pub id: String,
    pub email: String,
    pub token: String,
}

pub fn test_port() -> u16 {
    std::env::var("HELPDESK_TEST_DDB_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8100)
}

fn moto_port() -> u16 {
    std::env::var("HELPDESK_TEST_MOTO_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8101)
}

pub const SENDER: &str = "helpdesk@example.com";

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", Uuid::new_v4().simple())
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// An app whose configuration `tune` adjusts (limits, for instance).
    pub async fn spawn_with(tune: impl FnOnce(&mut Config)) -> TestApp {
        let endpoint = dynamodb_local::ensure_shared(test_port())
            .await
            .expect("DynamoDB Local is reachable or can be started");
        Self::spawn_on(endpoint, None, tune).await
    }

    /// An app on a DynamoDB Local of its own (in memory, stopped when the app is dropped), for
    /// tests that load thousands of items: the shared instance slows down as it fills, and
    /// these would slow every test after them.
    pub async fn spawn_private() -> TestApp {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let private = dynamodb_local::start(port, dynamodb_local::Storage::InMemory)
            .await
            .expect("a private DynamoDB Local starts");
        let endpoint = dynamodb_local::endpoint(port);
        Self::spawn_on(endpoint, Some(private), |_| {}).await
    }

    async fn spawn_on(
        endpoint: String,
        private: Option<dynamodb_local::DynamoDbLocal>,
        tune: impl FnOnce(&mut Config),
    ) -> TestApp {
        let client = dynamodb_local::client(&endpoint);
        let table = format!("test-{}", Uuid::new_v4().simple());
        dynamodb_local::ensure_table(&client, &table).await.expect("table is created");
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).expect("OS random source");
        let secret: Vec<u8> = raw.iter().map(|b| format!("{b:02x}")).collect::<String>().into_bytes();
        let moto_endpoint = helpdesk_local::moto::ensure_shared(moto_port())
            .await
            .expect("moto is reachable or can be started");
        let sqs = helpdesk_local::moto::sqs_client(&moto_endpoint);
        let ses = helpdesk_local::moto::ses_client(&moto_endpoint);
        // Two receives, one second apart, before a message goes to the DLQ: quick to test.
        let (mail_queue, mail_dlq) =
            helpdesk_local::moto::setup_mail(&sqs, &ses, &format!("{table}-mail"), 2, 1, SENDER)
                .await
                .expect("mail queue");
        let (webhook_queue, webhook_dlq) =
            helpdesk_local::moto::setup_queue(&sqs, &format!("{table}-webhooks"), 2, 1)
                .await
                .expect("webhook queue");
        let mut config = Config::new(&table, secret.clone()).expect("secret is long enough");
        config.mail_queue_url = Some(mail_queue.clone());
        config.webhook_queue_url = Some(webhook_queue.clone());
        config.allow_loopback_webhooks = true;
        config.inbound_domain = Some("helpdesk.local".to_owned());
        config.sender_email = Some(SENDER.to_owned());
        config.mail_retry_base_seconds = 1;
        config.attachments_bucket = Some(s3::DEFAULT_BUCKET.to_owned());
        config.max_attachment_bytes = MAX_UPLOAD;
        tune(&mut config);

        let s3_root = std::env::temp_dir().join(format!("helpdesk-test-s3-{}", Uuid::new_v4().simple()));
        s3::ensure_bucket(&s3_root, s3::DEFAULT_BUCKET).expect("bucket folder");
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("a free port");
        let s3_endpoint = format!("http://{}", listener.local_addr().unwrap());
        let s3_task = tokio::spawn(s3::serve(listener, &s3_root).await.expect("s3 serves"));
        let ws_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("a free port");
        let ws_addr = ws_listener.local_addr().unwrap();
        let ws_key = ws::GatewayKey::random();
        let state = Arc::new(
            AppState::new(config, client)
                .with_s3(s3::client(&s3_endpoint))
                .with_presigner(s3::presigner(&s3_endpoint, s3::DEFAULT_BUCKET))
                .with_ws(ws::management_client(&format!("http://{ws_addr}"), &ws_key))
                .with_sqs(sqs)
                .with_ses(ses),
        );
        let gateway = tokio::spawn({
            let state = state.clone();
            let gateway_key = ws_key.clone();
            async move {
                let _ = ws::serve(ws_listener, state, gateway_key).await;
            }
        });
        TestApp {
            state,
            table,
            secret,
            s3_endpoint,
            s3_root,
            s3_task,
            ws_url: format!("ws://{ws_addr}"),
            moto_endpoint,
            mail_queue,
            mail_dlq,
            webhook_queue,
            webhook_dlq,
            background: vec![gateway],
            ddb_endpoint: endpoint,
            _private_ddb: private,
        }
    }

    /// Sends a request through the local stack's router (the same axum handlers the Lambdas
    /// serve).
    pub async fn send(&self, req: http::Request<Body>) -> (u16, http::HeaderMap, Vec<u8>) {
        use tower::ServiceExt;
        let router = helpdesk_local::router::router(self.state.clone(), None);
        let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
        let res = router.oneshot(req).await.expect("the router is infallible");
        if let Some(served) = res.extensions().get::<helpdesk::http::log::Served>() {
            crate::iam::check(served, &method, &path);
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes =
            axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("a response body").to_vec();
        (status, headers, bytes)
    }

    /// Sends a request through the local stack's router, with a raw body.
    pub async fn call_raw(&self, method: &str, path: &str, token: Option<&str>, body: Body) -> TestResponse {
        let mut req =
            http::Request::builder().method(method).uri(path).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let (status, headers, bytes) = self.send(req.body(body).unwrap()).await;
        let bytes: &[u8] = &bytes;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(bytes)
                .unwrap_or_else(|_| panic!("response is JSON: {:?}", String::from_utf8_lossy(bytes)))
        };
        TestResponse { status, headers, body }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
        self.call_raw(method, path, token, body).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call("POST", path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call("PUT", path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call("PATCH", path, token, Some(body)).await
    }

    /// Registers a new customer through the API.
    pub async fn customer(&self) -> Actor {
        let email = unique_email("customer");
        let res = self
            .post(
                "/auth/register",
                None,
                serde_json::json!({"name": "Casey Customer", "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status, 201, "{res:?}");
        Actor {
            id: res.body["user"]["id"].as_str().unwrap().to_owned(),
            email,
            token: res.body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A user with a staff role (created the way the local seed creates them), signed in.
    pub async fn staff(&self, role: Role) -> Actor {
        let email = unique_email(role.as_str());
        let record = helpdesk_local::seed::ensure_user(&self.state, "Sam Staff", &email, PASSWORD, role)
            .await
            .expect("user is created");
        let token = self.login(&email, PASSWORD).await;
        Actor { id: record.user.id.to_string(), email, token }
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let res =
            self.post("/auth/login", None, serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(res.status, 200, "{res:?}");
        res.body["token"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// Creates a ticket through the API and returns its JSON.
    pub async fn ticket(&self, token: &str, subject: &str) -> Value {
        let res = self
            .post(
                "/tickets",
                Some(token),
                serde_json::json!({"subject": subject, "description": format!("About {subject}")}),
            )
            .await;
        assert_eq!(res.status, 201, "{res:?}");
        res.body
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call("DELETE", path, token, None).await
    }

    /// A request with an `Idempotency-Key` header.
    pub async fn post_with_key(&self, path: &str, token: &str, key: &str, body: Value) -> TestResponse {
        let req = http::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, headers, bytes) = self.send(req).await;
        TestResponse { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }
}

impl TestApp {
    /// Keeps a stream consumer running in the background (as `make dev` does), polling
    /// DynamoDB Local's stream every 50 ms, for as long as this app lives.
    pub async fn keep_consuming(&mut self, consumer: helpdesk::consumers::StreamConsumer) {
        let feeder = self.feeder().await;
        self.follow(feeder, consumer);
    }

    /// A feeder of this table's stream from its start (DynamoDB Local's real stream).
    async fn feeder(&self) -> helpdesk_local::streams::StreamFeeder {
        helpdesk_local::streams::StreamFeeder::new(
            self.state.store.client(),
            helpdesk_local::streams::client(&self.ddb_endpoint),
            &self.table,
        )
        .await
        .expect("table has a stream")
    }

    /// Feeds `consumer` from `feeder` in the background, every 50 ms, for the app's life.
    fn follow(
        &mut self,
        mut feeder: helpdesk_local::streams::StreamFeeder,
        consumer: helpdesk::consumers::StreamConsumer,
    ) {
        let state = self.state.clone();
        self.background.push(tokio::spawn(async move {
            loop {
                let _ = feeder
                    .poll_once(|event| {
                        let state = state.clone();
                        async move { consumer.handle(&state, &event).await }
                    })
                    .await;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }));
    }

    /// The stream indexer from now on, in the background: what is in the stream already is
    /// read past without indexing (cheap: no posting is written for it), then one feeder
    /// follows new writes, as deployed. For tests that load many records they never search.
    pub async fn keep_indexing_from_now(&mut self) {
        let mut feeder = self.feeder().await;
        while feeder.poll_once(|_| async { Default::default() }).await.expect("stream polls") > 0 {}
        self.follow(feeder, helpdesk::consumers::StreamConsumer::Indexer);
    }

    /// Runs the stream indexer over everything in this table's stream so far.
    /// Writes open tickets straight to the table as an import would (numbered from `first`,
    /// each a millisecond newer than the last); the stream indexer then sees them like any other.
    pub async fn import_tickets(&self, requester: Uuid, subjects: impl Iterator<Item = String>, first: u64) {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        use helpdesk::clock::Timestamp;
        use helpdesk::domain::ticket::{Status, Ticket};
        let writes: Vec<WriteRequest> = subjects
            .enumerate()
            .map(|(i, subject)| {
                let at = Timestamp(Timestamp::now().0 + time::Duration::milliseconds(i as i64 + 1));
                let t = Ticket {
                    subject,
                    status: Status::Open,
                    ..Ticket::blank(first + i as u64, requester, at)
                };
                let item = helpdesk::store::tickets::ticket_item(&t).expect("a ticket item");
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().expect("an item"))
                    .build()
            })
            .collect();
        self.state.store.batch_write(writes).await.expect("the import is written");
    }

    pub async fn run_stream_indexer(&self) -> usize {
        self.run_stream(helpdesk::consumers::StreamConsumer::Indexer).await
    }

    /// A consumer's state as its Lambda builds it ([`helpdesk::consumers::lambda::state`]): the
    /// SDK configuration a Lambda environment implies ([`helpdesk::state::lambda_sdk_config`],
    /// one set of credentials for every service, `AWS_ENDPOINT_URL_<SERVICE>` pointing each at
    /// this test's emulator), with the emulators' timeouts, and only the clients the function's
    /// entry in [`helpdesk::consumers::lambda::clients`] adds. A consumer run on this state
    /// fails here as it would in Lambda if its entry lacks a client its handler uses.
    pub fn as_deployed(&self, config: Config, clients: helpdesk::consumers::lambda::Clients) -> AppState {
        let env = [
            ("AWS_REGION", "us-east-1".to_owned()),
            // The local S3 checks signatures by this key; DynamoDB Local and moto take any.
            ("AWS_ACCESS_KEY_ID", s3::ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", s3::SECRET_KEY.to_owned()),
            ("AWS_ENDPOINT_URL_DYNAMODB", self.ddb_endpoint.clone()),
            ("AWS_ENDPOINT_URL_SQS", self.moto_endpoint.clone()),
            ("AWS_ENDPOINT_URL_SESV2", self.moto_endpoint.clone()),
            ("AWS_ENDPOINT_URL_S3", self.s3_endpoint.clone()),
        ];
        let sdk = helpdesk::state::lambda_sdk_config(|name| {
            env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
        })
        .expect("a Lambda environment")
        .into_builder()
        .timeout_config(helpdesk_local::sdk::timeouts())
        .build();
        helpdesk::consumers::lambda::state(config, &sdk, clients)
    }

    /// The state a stream consumer runs on: its Lambda's ([`Self::as_deployed`]), except the
    /// broadcaster's (the local `@connections` API checks its own key, which no Lambda
    /// environment carries; its entry adds that one client).
    fn consumer_state(&self, consumer: helpdesk::consumers::StreamConsumer) -> Arc<AppState> {
        use helpdesk::consumers::{lambda::clients, StreamConsumer};
        let clients = match consumer {
            StreamConsumer::Broadcaster => return self.state.clone(),
            StreamConsumer::Notifier => clients::notifier,
            StreamConsumer::AttachmentCleaner => clients::attachment_cleaner,
            StreamConsumer::Indexer | StreamConsumer::Reporter => clients::dynamodb_only,
        };
        Arc::new(self.as_deployed(self.state.config.clone(), clients))
    }

    /// Runs a stream consumer, on the state its Lambda builds, over everything in this table's
    /// stream so far, through the same feeder the local stack uses (DynamoDB Local's real
    /// stream).
    pub async fn run_stream(&self, consumer: helpdesk::consumers::StreamConsumer) -> usize {
        let state = self.consumer_state(consumer);
        let state = &state;
        let endpoint = self.ddb_endpoint.clone();
        let mut feeder = helpdesk_local::streams::StreamFeeder::new(
            self.state.store.client(),
            helpdesk_local::streams::client(&endpoint),
            &self.table,
        )
        .await
        .expect("table has a stream");
        let function = match consumer {
            helpdesk::consumers::StreamConsumer::Indexer => "stream-indexer",
            helpdesk::consumers::StreamConsumer::AttachmentCleaner => "attachment-cleaner",
            helpdesk::consumers::StreamConsumer::Broadcaster => "broadcaster",
            helpdesk::consumers::StreamConsumer::Notifier => "notifier",
            helpdesk::consumers::StreamConsumer::Reporter => "stream-reporter",
        };
        let mut total = 0;
        loop {
            let n = feeder
                .poll_once(|event| async move {
                    crate::iam::checked(function, consumer.handle(state, &event)).await
                })
                .await
                .expect("stream polls");
            total += n;
            if n == 0 {
                break total;
            }
        }
    }
}

/// A plain HTTP request to a URL (the presigned S3 URLs), as curl would send it.
pub async fn http_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (u16, http::HeaderMap, Vec<u8>) {
    use http_body_util::{BodyExt, Full};
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<hyper::body::Bytes>>();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let res = client.request(req.body(Full::new(body.into())).unwrap()).await.expect("S3 answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, bytes)
}

impl TestApp {
    /// Runs the mail path as the deployment does: the notifier over the stream so far, then
    /// the mailer over everything on the queue. Returns how many queue messages were handled.
    pub async fn deliver_mail(&self) -> usize {
        self.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
        self.drain_mail_queue().await
    }

    /// Runs the webhook path as the deployment does: the notifier over the stream so far, then
    /// one poll of the delivery consumer over the webhook queue. Returns deliveries handled.
    pub async fn deliver_webhooks(&self) -> usize {
        self.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
        self.poll_webhooks().await
    }

    /// One poll of the delivery consumer, on the state its Lambda builds, over the webhook
    /// queue (no new jobs queued).
    pub async fn poll_webhooks(&self) -> usize {
        let (sqs, _) = self.state.webhook_queue().unwrap();
        let deployed = self
            .as_deployed(self.state.config.clone(), helpdesk::consumers::lambda::clients::webhook_delivery);
        let deployed = &deployed;
        helpdesk_local::moto::poll_queue(sqs, &self.webhook_queue, 0, |event| async move {
            crate::iam::checked("webhook-delivery", helpdesk::consumers::webhooks::handle(deployed, &event))
                .await
        })
        .await
        .expect("queue polls")
    }

    /// Starts this test's SMTP listener (the local stack's, on a free port); returns its port.
    pub async fn smtp(&mut self) -> u16 {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("a free port");
        let port = listener.local_addr().unwrap().port();
        self.background.push(tokio::spawn(helpdesk_local::smtp::serve(listener, self.state.clone())));
        port
    }

    /// After a consumer failed the one message of `queue` and asked SQS to hold it back for
    /// longer than the queue's own visibility timeout (1 s here): waits past that timeout, then
    /// checks the message is still there but not receivable (its retry was delayed, as
    /// `consumers::mailer::back_off` asks).
    pub async fn assert_retry_delayed(&self, queue: &str) {
        tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
        let (sqs, _) = self.state.mail_queue().unwrap();
        let again = sqs.receive_message().queue_url(queue).send().await.unwrap();
        assert!(
            again.messages.unwrap_or_default().is_empty(),
            "the failed message is held back past the queue's visibility timeout"
        );
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(queue)
            .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap();
        let held: usize = attrs
            .attributes()
            .and_then(|a| a.get(&A::ApproximateNumberOfMessagesNotVisible))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert_eq!(held, 1, "the message is kept for its retry");
    }

    /// Messages waiting in a queue now.
    pub async fn queue_depth(&self, queue: &str) -> usize {
        let (sqs, _) = self.state.mail_queue().unwrap();
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(queue)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        attrs
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// Runs the mailer, on the state its Lambda builds, until the mail queue is empty.
    pub async fn drain_mail_queue(&self) -> usize {
        let (sqs, _) = self.state.mail_queue().unwrap();
        let deployed =
            self.as_deployed(self.state.config.clone(), helpdesk::consumers::lambda::clients::mailer);
        let deployed = &deployed;
        let mut total = 0;
        loop {
            let n = helpdesk_local::moto::poll_queue(sqs, &self.mail_queue, 0, |event| async move {
                crate::iam::checked("mailer", helpdesk::consumers::mailer::handle(deployed, &event)).await
            })
            .await
            .expect("queue polls");
            total += n;
            if n == 0 {
                break total;
            }
        }
    }

    /// A customer who followed the verification link of their sign-up mail (through the real
    /// path: stream, notifier, queue, mailer, SES, then `POST /auth/verify-email`).
    pub async fn verified_customer(&self) -> Actor {
        let customer = self.customer().await;
        self.deliver_mail().await;
        let mail = self.mail_to(&customer.email).await;
        let text = mail
            .iter()
            .find(|m| m["subject"] == "Verify your email address")
            .and_then(|m| m["text"].as_str())
            .unwrap_or_else(|| panic!("a verification mail: {mail:?}"));
        let token = text
            .split("verify-email?token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the mail carries the link");
        let res = self.post("/auth/verify-email", None, serde_json::json!({"token": token})).await;
        assert_eq!(res.status, 200, "{res:?}");
        assert_eq!(res.body["user"]["email_verified"], true);
        customer
    }

    /// Mail about tickets sent to `to` (the sign-up verification mail left out), newest first.
    pub async fn ticket_mail_to(&self, to: &str) -> Vec<Value> {
        let mut mail = self.mail_to(to).await;
        mail.retain(|m| m["subject"] != "Verify your email address");
        mail
    }

    /// Mail sent to `to`, newest first, as the local mail sink shows it.
    pub async fn mail_to(&self, to: &str) -> Vec<Value> {
        helpdesk_local::moto::sent_mail(&self.moto_endpoint)
            .await
            .expect("moto answers")
            .into_iter()
            .filter(|m| m["to"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }
}
