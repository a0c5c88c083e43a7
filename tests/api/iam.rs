//! Every request the tests make is checked against the IAM policy template.yaml gives the
//! function that serves it: the DynamoDB calls the request made (each call's action, and the
//! index a Query or Scan read; each item's action in a transaction), its S3 calls and the
//! presigned URLs it signed (their actions, on the object's key), and its SQS, SES and
//! `@connections` calls (their actions) must be allowed, or the
//! function would fail with AccessDenied once deployed. [`check`] runs inside
//! `TestApp::send`, and [`checked`] around the stream and queue consumers the tests run, so
//! the whole suite is the check; the test below shows it catches a missing permission.
use helpdesk::http::log::Served;
use helpdesk::telemetry::Access;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

type Policies = HashMap<String, BTreeSet<(String, String)>>;

/// Each function's (action, resource) pairs, by binary name.
fn policies() -> &'static Policies {
    static POLICIES: OnceLock<Policies> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let t = crate::stack::template();
        crate::stack::resources(&t)
            .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
            .map(|(name, r)| {
                (
                    crate::stack::binary_of(name, r).to_owned(),
                    crate::stack::function_permissions(r).into_iter().collect(),
                )
            })
            .collect()
    })
}

/// The resource a DynamoDB permission names in template.yaml: the table, or one of its indexes.
fn resource(access: &Access) -> String {
    match &access.resource {
        None => "!GetAtt Table.Arn".to_owned(),
        Some(index) => format!("!Sub ${{Table.Arn}}/index/{index}"),
    }
}

/// Whether a template resource (`!Sub ${AttachmentsBucket.Arn}/attachments/*`) covers the
/// object `key` of the attachments bucket (a trailing `*` matches any rest).
fn covers_object(resource: &str, key: &str) -> bool {
    let Some(pattern) = resource.strip_prefix("!Sub ${AttachmentsBucket.Arn}/") else { return false };
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => key == pattern,
    }
}

/// What `served` needed that its function's policy does not allow. A DynamoDB action must be
/// allowed on the table or index it used; an SQS or SES action on some resource (which queue
/// or identity is the template's to name).
fn missing(served: &Served, policies: &Policies) -> Vec<String> {
    let Some(allowed) = policies.get(served.function) else {
        return vec![format!("no function {} in template.yaml", served.function)];
    };
    served
        .access
        .iter()
        .filter(|a| {
            if a.action.starts_with("dynamodb:") {
                !allowed.contains(&(a.action.clone(), resource(a)))
            } else if a.action.starts_with("s3:") {
                let key = a.resource.as_deref().unwrap_or_default();
                !allowed.iter().any(|(action, r)| *action == a.action && covers_object(r, key))
            } else {
                !allowed.iter().any(|(action, _)| *action == a.action)
            }
        })
        .map(|a| {
            if a.action.starts_with("dynamodb:") {
                format!("{} on {}", a.action, resource(a))
            } else if a.action.starts_with("s3:") {
                format!("{} on object {}", a.action, a.resource.as_deref().unwrap_or_default())
            } else {
                a.action.clone()
            }
        })
        .collect()
}

/// Runs a consumer's work (`function`'s handler) and panics when its calls need what the
/// function's policy does not allow.
pub async fn checked<F: std::future::Future>(function: &'static str, work: F) -> F::Output {
    let (out, metrics) = helpdesk::telemetry::measured(work).await;
    check(&Served { function, access: metrics.access() }, "consumer", function);
    out
}

/// Panics when the function that served a request may not make the calls it made.
pub fn check(served: &Served, method: &str, path: &str) {
    if served.function.is_empty() {
        return; // no route: nothing was called
    }
    let missing = missing(served, policies());
    assert!(
        missing.is_empty(),
        "{method} {path}: function {} needs {missing:?}, which its policy in template.yaml does not allow",
        served.function
    );
}

#[test]
fn a_call_the_policy_does_not_allow_is_caught() {
    let get =
        |index: Option<&str>| Access { action: "dynamodb:Query".into(), resource: index.map(str::to_owned) };
    let policies: Policies = HashMap::from([(
        "tickets-show".to_owned(),
        BTreeSet::from([("dynamodb:Query".to_owned(), "!Sub ${Table.Arn}/index/GSI1".to_owned())]),
    )]);
    let served = |access| Served { function: "tickets-show", access: vec![access] };
    assert!(missing(&served(get(Some("GSI1"))), &policies).is_empty());
    assert_eq!(
        missing(&served(get(Some("GSI2"))), &policies),
        ["dynamodb:Query on !Sub ${Table.Arn}/index/GSI2"]
    );
    assert_eq!(missing(&served(get(None)), &policies), ["dynamodb:Query on !GetAtt Table.Arn"]);
    let send = |action: &str| Served {
        function: "tickets-show",
        access: vec![Access { action: action.to_owned(), resource: None }],
    };
    let with_queue = HashMap::from([(
        "tickets-show".to_owned(),
        BTreeSet::from([("sqs:SendMessage".to_owned(), "!GetAtt MailQueue.Arn".to_owned())]),
    )]);
    assert!(missing(&send("sqs:SendMessage"), &with_queue).is_empty());
    assert_eq!(missing(&send("ses:SendEmail"), &with_queue), ["ses:SendEmail"]);
    let object = |action: &str, key: &str| Served {
        function: "tickets-show",
        access: vec![Access { action: action.to_owned(), resource: Some(key.to_owned()) }],
    };
    let with_uploads = HashMap::from([(
        "tickets-show".to_owned(),
        BTreeSet::from([(
            "s3:PutObject".to_owned(),
            "!Sub ${AttachmentsBucket.Arn}/attachments/*".to_owned(),
        )]),
    )]);
    assert!(missing(&object("s3:PutObject", "attachments/t/a/file.txt"), &with_uploads).is_empty());
    assert_eq!(
        missing(&object("s3:PutObject", "inbound/mail.eml"), &with_uploads),
        ["s3:PutObject on object inbound/mail.eml"],
        "another prefix of the bucket"
    );
    assert_eq!(
        missing(&object("s3:GetObject", "attachments/t/a/file.txt"), &with_uploads),
        ["s3:GetObject on object attachments/t/a/file.txt"]
    );
    let elsewhere = Served { function: "nope", access: vec![] };
    assert_eq!(missing(&elsewhere, &policies).len(), 1);
}

#[tokio::test]
async fn requests_record_the_permissions_their_calls_needed() {
    use tower::ServiceExt;
    let app = crate::helpers::TestApp::spawn().await;
    let customer = app.customer().await;
    let made = app.ticket(&customer.token, "Printer").await;
    let req = http::Request::builder()
        .uri(format!("/tickets/{}", made["id"].as_str().unwrap()))
        .header("authorization", format!("Bearer {}", customer.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = helpdesk_local::router::router(app.state.clone(), None).oneshot(req).await.unwrap();
    let served = res.extensions().get::<Served>().expect("the request log says who served it").clone();
    assert_eq!(served.function, "tickets-show");
    assert!(
        served.access.iter().any(|a| a.action == "dynamodb:BatchGetItem" || a.action == "dynamodb:GetItem"),
        "{served:?}"
    );
    // And the template allows them (what `TestApp::send` checks on every request).
    check(&served, "GET", "/tickets/{id}");
}

#[tokio::test]
async fn queue_calls_are_recorded_too() {
    use std::sync::{Arc, Mutex};
    let app = crate::helpers::TestApp::spawn().await;
    app.customer().await; // a sign-up: the notifier queues its verification mail
    let notifier =
        Arc::new(app.as_deployed(app.state.config.clone(), helpdesk::consumers::lambda::clients::notifier));
    let mut feeder = helpdesk_local::streams::StreamFeeder::new(
        app.state.store.client(),
        helpdesk_local::streams::client(&app.ddb_endpoint),
        &app.table,
    )
    .await
    .unwrap();
    let seen: Arc<Mutex<Vec<Access>>> = Arc::default();
    let handled = feeder
        .poll_once(|event| {
            let (notifier, seen) = (notifier.clone(), seen.clone());
            async move {
                let consumer = helpdesk::consumers::StreamConsumer::Notifier;
                let (out, metrics) = helpdesk::telemetry::measured(consumer.handle(&notifier, &event)).await;
                seen.lock().unwrap().extend(metrics.access());
                out
            }
        })
        .await
        .unwrap();
    assert!(handled > 0);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|a| a.action == "sqs:SendMessage"),
        "the notifier's queueing is recorded: {seen:?}"
    );
}

#[tokio::test]
async fn presigned_urls_and_connection_posts_are_recorded_too() {
    use tower::ServiceExt;
    let app = crate::helpers::TestApp::spawn().await;
    let customer = app.customer().await;
    let made = app.ticket(&customer.token, "Scan").await;
    let body = serde_json::json!({"ticket_id": made["id"], "filename": "scan.txt", "mime_type": "text/plain", "file_size": 5});
    let req = http::Request::builder()
        .method("POST")
        .uri("/attachments")
        .header("authorization", format!("Bearer {}", customer.token))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let res = helpdesk_local::router::router(app.state.clone(), None).oneshot(req).await.unwrap();
    assert_eq!(res.status(), 201);
    let served = res.extensions().get::<Served>().unwrap().clone();
    let upload =
        served.access.iter().find(|a| a.action == "s3:PutObject").expect("the upload URL is recorded");
    assert!(upload.resource.as_deref().unwrap().starts_with("attachments/"), "{upload:?}");
    check(&served, "POST", "/attachments");
    // The broadcaster's posts to `@connections`: a subscriber, then a change to broadcast.
    let agent = app.staff(helpdesk::domain::user::Role::Agent).await;
    let tid = made["id"].as_str().unwrap();
    let mut ws = crate::realtime::connect(&app, &agent).await;
    crate::realtime::subscribe(&mut ws, tid).await;
    app.patch(&format!("/tickets/{tid}"), Some(&agent.token), serde_json::json!({"priority": "high"})).await;
    let mut feeder = helpdesk_local::streams::StreamFeeder::new(
        app.state.store.client(),
        helpdesk_local::streams::client(&app.ddb_endpoint),
        &app.table,
    )
    .await
    .unwrap();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Access>>> = Default::default();
    loop {
        let handled = feeder
            .poll_once(|event| {
                let (state, seen) = (app.state.clone(), seen.clone());
                async move {
                    let consumer = helpdesk::consumers::StreamConsumer::Broadcaster;
                    let (out, metrics) = helpdesk::telemetry::measured(consumer.handle(&state, &event)).await;
                    seen.lock().unwrap().extend(metrics.access());
                    out
                }
            })
            .await
            .unwrap();
        if handled == 0 {
            break;
        }
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|a| a.action == "execute-api:ManageConnections"),
        "the broadcaster's posts are recorded: {seen:?}"
    );
}
