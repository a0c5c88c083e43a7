//! The sample events in events/ (used by `cargo lambda invoke --data-file` and
//! `sam local invoke -e`) are real API Gateway payloads that the handlers answer as expected.
use crate::helpers::TestApp;
use helpdesk::http::routes::{self, ROUTES};
use std::path::PathBuf;

fn events_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../events"))
}

/// The status each sample event must produce against a fresh table.
const EXPECTED: &[(&str, u16)] = &[
    ("auth-register-ok", 201),
    ("auth-register-invalid", 422),
    ("auth-verify-email-invalid", 422),
    ("auth-forgot-password-empty", 422),
    ("auth-reset-password-empty", 422),
    ("auth-login-bad-credentials", 401),
    ("auth-logout-no-token", 401),
    ("auth-me-no-token", 401),
    ("auth-me-garbage-token", 401),
    ("auth-update-me-no-token", 401),
    ("users-list-no-token", 401),
    ("users-agents-no-token", 401),
    ("users-show-no-token", 401),
    ("users-assign-no-token", 401),
    ("orgs-list-no-token", 401),
    ("orgs-create-no-token", 401),
    ("orgs-show-no-token", 401),
    ("orgs-update-no-token", 401),
    ("macros-list-no-token", 401),
    ("macros-create-no-token", 401),
    ("macros-show-no-token", 401),
    ("macros-update-no-token", 401),
    ("macros-delete-no-token", 401),
    ("macros-preview-no-token", 401),
    ("macros-apply-no-token", 401),
    ("views-list-no-token", 401),
    ("views-create-no-token", 401),
    ("views-show-no-token", 401),
    ("views-update-no-token", 401),
    ("views-delete-no-token", 401),
    ("views-tickets-no-token", 401),
    ("views-count-no-token", 401),
    ("views-count-many-no-token", 401),
    ("search-no-token", 401),
    ("schedules-list-no-token", 401),
    ("schedules-create-no-token", 401),
    ("schedules-show-no-token", 401),
    ("schedules-update-no-token", 401),
    ("schedules-delete-no-token", 401),
    ("sla-policies-list-no-token", 401),
    ("satisfaction-create-no-token", 401),
    ("satisfaction-list-no-token", 401),
    ("reports-summary-no-token", 401),
    ("api-tokens-list-no-token", 401),
    ("api-tokens-create-no-token", 401),
    ("api-tokens-delete-no-token", 401),
    ("sla-policies-create-no-token", 401),
    ("sla-policies-show-no-token", 401),
    ("sla-policies-update-no-token", 401),
    ("sla-policies-delete-no-token", 401),
    ("sla-policies-reorder-no-token", 401),
    ("tickets-original-mail-no-token", 401),
    ("views-preview-no-token", 401),
    ("triggers-list-no-token", 401),
    ("triggers-create-no-token", 401),
    ("triggers-show-no-token", 401),
    ("triggers-update-no-token", 401),
    ("triggers-delete-no-token", 401),
    ("triggers-reorder-no-token", 401),
    ("automations-list-no-token", 401),
    ("automations-create-no-token", 401),
    ("automations-show-no-token", 401),
    ("automations-update-no-token", 401),
    ("automations-delete-no-token", 401),
    ("automations-reorder-no-token", 401),
    ("webhooks-list-no-token", 401),
    ("webhooks-create-no-token", 401),
    ("webhooks-show-no-token", 401),
    ("webhooks-update-no-token", 401),
    ("webhooks-delete-no-token", 401),
    ("suspended-mails-list-no-token", 401),
    ("suspended-mails-recover-no-token", 401),
    ("suspended-mails-delete-no-token", 401),
    ("groups-list-no-token", 401),
    ("groups-create-no-token", 401),
    ("groups-show-no-token", 401),
    ("groups-update-no-token", 401),
    ("groups-delete-no-token", 401),
    ("groups-memberships-no-token", 401),
    ("groups-add-member-no-token", 401),
    ("groups-remove-member-no-token", 401),
    ("tickets-list-no-token", 401),
    ("tickets-create-no-token", 401),
    ("tickets-show-no-token", 401),
    ("tickets-update-no-token", 401),
    ("tickets-delete-no-token", 401),
    ("tickets-assign-no-token", 401),
    ("tickets-status-no-token", 401),
    ("tickets-viewers-no-token", 401),
    ("tickets-view-no-token", 401),
    ("comments-list-no-token", 401),
    ("comments-create-no-token", 401),
    ("attachments-create-no-token", 401),
    ("attachments-show-no-token", 401),
    ("zendesk-tags-list-no-token", 401),
    ("zendesk-group-memberships-no-token", 401),
    ("zendesk-orgs-search-no-token", 401),
    ("zendesk-orgs-autocomplete-no-token", 401),
    ("zendesk-users-update-no-token", 401),
    ("zendesk-users-show-many-no-token", 401),
    ("zendesk-ticket-audits-no-token", 401),
    ("zendesk-job-statuses-show-no-token", 401),
    ("zendesk-tickets-update-many-no-token", 401),
    ("zendesk-tickets-create-many-no-token", 401),
    ("zendesk-views-execute-no-token", 401),
    ("zendesk-requests-comments-no-token", 401),
    ("zendesk-requests-update-no-token", 401),
    ("zendesk-requests-show-no-token", 401),
    ("zendesk-requests-create-no-token", 401),
    ("zendesk-requests-list-no-token", 401),
    ("zendesk-tickets-show-many-no-token", 401),
    ("zendesk-tags-set-no-token", 401),
    ("zendesk-tags-add-no-token", 401),
    ("zendesk-tags-remove-no-token", 401),
    ("zendesk-users-create-no-token", 401),
    ("zendesk-users-search-no-token", 401),
    ("zendesk-job-statuses-show-many-no-token", 401),
    ("zendesk-job-statuses-no-token", 401),
    ("zendesk-tickets-merge-no-token", 401),
    ("zendesk-users-create-or-update-no-token", 401),
    ("zendesk-group-memberships-show-no-token", 401),
    ("zendesk-users-group-memberships-no-token", 401),
    ("zendesk-users-tickets-requested-no-token", 401),
    ("zendesk-users-tickets-assigned-no-token", 401),
    ("zendesk-orgs-tickets-no-token", 401),
    ("zendesk-search-count-no-token", 401),
    ("zendesk-incremental-cursor-no-token", 401),
    ("zendesk-incremental-time-no-token", 401),
];

/// Events of the functions that are not HTTP routes, replayed by the tests below.
const NON_HTTP: &[&str] = &[
    "stream-indexer-ticket-insert",
    "automations-runner-schedule",
    "attachment-cleaner-attachment-removed",
    "ws-connect-no-token",
    "ws-connect-bad-token",
    "ws-disconnect-gone",
    "ws-default-ping",
    "broadcaster-ticket-insert",
    "notifier-notification-insert",
    "mailer-agent-reply",
    "webhook-delivery-missing",
    "mail-inbound-outside-prefix",
];

#[tokio::test]
async fn notifier_sample_event_asks_for_the_notification_mail() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("notifier-notification-insert.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&raw).unwrap();
    let jobs = helpdesk::consumers::notifier::jobs_for(&app.state, &event.records[0]).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, helpdesk::mail::MailKind::Notification);
    assert_eq!(
        jobs[0].id,
        "notify:0190f3a4-dddd-7000-8000-000000000004:0190f3a4-0000-7000-8000-0000000000a1"
    );
    assert_eq!(jobs[0].notification_id, Some("0190f3a4-dddd-7000-8000-000000000004".parse().unwrap()));
}

#[tokio::test]
async fn mail_inbound_sample_event_outside_inbound_is_refused() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("mail-inbound-outside-prefix.json")).unwrap();
    let event: aws_lambda_events::s3::S3Event = serde_json::from_str(&raw).unwrap();
    let result = helpdesk::consumers::mail_inbound::handle(&app.state, &event).await;
    assert!(result.is_err(), "only objects under inbound/ are mail");
}

#[tokio::test]
async fn webhook_delivery_sample_event_for_a_missing_delivery_is_skipped_not_failed() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("webhook-delivery-missing.json")).unwrap();
    let event: aws_lambda_events::sqs::SqsEvent = serde_json::from_str(&raw).unwrap();
    let response = helpdesk::consumers::webhooks::handle(&app.state, &event).await;
    assert!(response.batch_item_failures.is_empty(), "nothing to post is not an error to retry");
    let marker = helpdesk::store::keys::key(
        helpdesk::store::keys::mail_pk("webhook:0190f3a4-3333-7000-8000-000000000003"),
        helpdesk::store::keys::MAIL_SK,
    );
    let item = app.state.store.get(marker).await.unwrap().expect("the claim records the outcome");
    assert_eq!(item.get("state").and_then(|v| v.as_s().ok()).map(String::as_str), Some("skipped"));
}

#[tokio::test]
async fn mailer_sample_event_for_a_missing_ticket_is_skipped_not_failed() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("mailer-agent-reply.json")).unwrap();
    let event: aws_lambda_events::sqs::SqsEvent = serde_json::from_str(&raw).unwrap();
    let response = helpdesk::consumers::mailer::handle(&app.state, &event).await;
    assert!(response.batch_item_failures.is_empty(), "nothing to send is not an error to retry");
    let marker = helpdesk::store::keys::key(
        helpdesk::store::keys::mail_pk("c0ffee:agent_reply"),
        helpdesk::store::keys::MAIL_SK,
    );
    let item = app.state.store.get(marker).await.unwrap().expect("the job is marked");
    assert_eq!(item["state"].as_s().unwrap(), "skipped");
}

fn ws_event(name: &str) -> aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest {
    let raw = std::fs::read_to_string(events_dir().join(format!("{name}.json"))).unwrap();
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name} is a WebSocket event: {e}"))
}

#[tokio::test]
async fn websocket_sample_events() {
    use helpdesk::ws::gateway::WsRoute;
    let app = TestApp::spawn().await;
    for name in ["ws-connect-no-token", "ws-connect-bad-token"] {
        let res = WsRoute::Connect.handle(&app.state, &ws_event(name)).await.unwrap();
        assert_eq!(res.status_code, 401, "{name}");
    }
    // A disconnect of an unknown connection is fine (API Gateway may send it after a cleanup).
    let res = WsRoute::Disconnect.handle(&app.state, &ws_event("ws-disconnect-gone")).await.unwrap();
    assert_eq!(res.status_code, 200);
    // $default for a connection that no longer exists: the reply post finds it gone, no error.
    let res = WsRoute::Default.handle(&app.state, &ws_event("ws-default-ping")).await.unwrap();
    assert_eq!(res.status_code, 200);
}

#[tokio::test]
async fn broadcaster_sample_event_with_no_subscribers_succeeds() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("broadcaster-ticket-insert.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&raw).unwrap();
    let response = helpdesk::consumers::broadcast::handle(&app.state, &event).await;
    assert!(response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn attachment_cleaner_sample_event_deletes_the_object() {
    let app = TestApp::spawn().await;
    let raw =
        std::fs::read_to_string(events_dir().join("attachment-cleaner-attachment-removed.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event =
        serde_json::from_str(&raw).expect("a DynamoDB stream event");
    let key = event.records[0].change.old_image.get("object_key").cloned();
    let Some(serde_dynamo::AttributeValue::S(key)) = key else { panic!("the event names its object") };
    let (s3, bucket) = app.state.attachments().unwrap();
    s3.put_object().bucket(bucket).key(&key).body(b"%PDF-".to_vec().into()).send().await.unwrap();
    // The cleaner as its Lambda builds it: deletes by presigned URL, no S3 client.
    let cleaner =
        app.as_deployed(app.state.config.clone(), helpdesk::consumers::lambda::clients::attachment_cleaner);
    let response = helpdesk::consumers::cleanup::handle(&cleaner, &event).await;
    assert!(response.batch_item_failures.is_empty());
    let gone = s3.head_object().bucket(bucket).key(&key).send().await;
    assert!(gone.is_err_and(|e| e.as_service_error().is_some_and(|s| s.is_not_found())));
}

#[tokio::test]
async fn stream_indexer_sample_event_indexes_the_ticket() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("stream-indexer-ticket-insert.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event =
        serde_json::from_str(&raw).expect("a DynamoDB stream event");
    let response = helpdesk::consumers::indexer::handle(&app.state, &event).await;
    assert!(response.batch_item_failures.is_empty());
    use helpdesk::domain::search::doc::Scope;
    let id: uuid::Uuid = "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506".parse().unwrap();
    let doc = app.state.store.search_doc(id).await.unwrap().expect("the ticket is indexed");
    let requester = doc.ticket.as_ref().unwrap().requester_id;
    let terms = [
        (Scope::Tickets, "w:printer".to_owned()),
        (Scope::Tickets, "w:smoke".to_owned()),
        (Scope::Requester(requester), "w:printer".to_owned()),
        (Scope::Requester(uuid::Uuid::nil()), "w:printer".to_owned()),
    ];
    let counts = app.state.store.term_counts(&terms).await.unwrap();
    let n = |i: usize| counts[&terms[i]];
    assert_eq!((n(0), n(1), n(2), n(3)), (1, 1, 1, 0), "another requester's scope does not hold it");
    // The view counters: one new ticket, desk-wide and unassigned; a redelivery counts it once.
    let new = [helpdesk::domain::ticket::Status::New];
    assert_eq!(app.state.store.ticket_count("ALL", &new).await.unwrap(), 1);
    let response = helpdesk::consumers::indexer::handle(&app.state, &event).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(app.state.store.ticket_count("ASSIGNEE#none", &new).await.unwrap(), 1);
    let counts = app.state.store.term_counts(&terms).await.unwrap();
    assert_eq!(counts[&terms[0]], 1, "a redelivered record posts nothing twice");
}

#[tokio::test]
async fn automations_sample_event_is_a_schedule_and_the_run_succeeds() {
    let app = TestApp::spawn().await;
    let raw = std::fs::read_to_string(events_dir().join("automations-runner-schedule.json")).unwrap();
    let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(event["detail-type"], "Scheduled Event");
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, helpdesk::clock::now()),
    )
    .await
    .unwrap();
    assert_eq!(
        (run.automations, run.changed),
        (2, 0),
        "the default automations; nothing solved in a fresh table"
    );
}

#[tokio::test]
async fn sample_events_get_the_expected_answers() {
    let app = TestApp::spawn().await;
    for (name, status) in EXPECTED {
        let raw = std::fs::read_to_string(events_dir().join(format!("{name}.json"))).unwrap();
        if let Some(v2) = helpdesk::http::zendesk::routes::V2_ROUTES
            .iter()
            .find(|r| r.function.starts_with("zendesk-") && *name == format!("{}-no-token", r.function))
        {
            let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
            assert_eq!(event["routeKey"], format!("{} {}", v2.method, v2.path), "{name}");
            let req = lambda_http::request::from_str(&raw).unwrap();
            let (_, method_router) = helpdesk::http::zendesk::routes::all()
                .into_iter()
                .find(|(r, _)| r == v2)
                .expect("every v2 route has a handler");
            let router = helpdesk::http::with_twin(None, (*v2, method_router), app.state.clone());
            let service = helpdesk::http::lambda::without_stage(router);
            let res = tower::ServiceExt::oneshot(service, req).await.expect("the router is infallible");
            assert_eq!(res.status().as_u16(), *status, "{name}");
            assert!(res.headers().contains_key("x-rate-limit-remaining"), "{name}: rate-limit headers");
            continue;
        }
        let route = ROUTES
            .iter()
            .filter(|r| name.starts_with(&format!("{}-", r.function)))
            .max_by_key(|r| r.function.len())
            .unwrap_or_else(|| panic!("{name} names no function"));
        let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(event["routeKey"], format!("{} {}", route.method, route.path), "{name}");
        let req = lambda_http::request::from_str(&raw)
            .unwrap_or_else(|e| panic!("{name} is an API Gateway event: {e}"));
        // The function's own router (one route), as its Lambda serves it.
        let (_, method_router) =
            routes::all().into_iter().find(|(r, _)| r == route).expect("every route has a handler");
        let router = helpdesk::http::single(*route, method_router, app.state.clone());
        let service = helpdesk::http::lambda::without_stage(router);
        let res = tower::ServiceExt::oneshot(service, req).await.expect("the router is infallible");
        let code = res.status().as_u16();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        assert_eq!(code, *status, "{name}: {body:?}");
    }
}

#[test]
fn every_function_has_a_sample_event_and_every_event_is_checked() {
    let files: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for r in ROUTES.iter().chain(helpdesk::http::zendesk::routes::V2_ROUTES) {
        assert!(
            files.iter().any(|f| f.starts_with(&format!("{}-", r.function))),
            "no sample event for {}",
            r.function
        );
    }
    for f in &files {
        let stem = f.trim_end_matches(".json");
        let checked = EXPECTED.iter().any(|(n, _)| *n == stem) || NON_HTTP.contains(&stem);
        assert!(checked, "{f} is not exercised by a test");
    }
}
