//! Holes a review and a fuzzer found (issue 12), each pinned by a test.
use crate::helpers::{TestApp, PASSWORD};
use axum::body::Body;
use helpdesk::domain::user::Role;
use serde_json::json;

/// The DynamoDB calls one request makes, counted by the SDK interceptor the benchmark uses.
async fn calls_for(app: &TestApp, path: &str, token: &str) -> (u16, u32) {
    let req = http::Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let ((status, _, _), metrics) = helpdesk::telemetry::measured(app.send(req)).await;
    (status, metrics.dynamodb_calls())
}

#[tokio::test]
async fn a_customers_404_costs_the_same_for_a_missing_and_a_large_foreign_ticket() {
    let app = TestApp::spawn().await;
    let owner = app.customer().await;
    let stranger = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&owner.token, "Large").await;
    let tid = ticket["id"].as_str().unwrap();
    // More than 1 MB in the collection: reading it takes several Query pages.
    let long = "x".repeat(60_000);
    for _ in 0..20 {
        let res =
            app.post(&format!("/tickets/{tid}/comments"), Some(&agent.token), json!({"content": long})).await;
        assert_eq!(res.status, 201, "{res:?}");
    }
    let missing = uuid::Uuid::now_v7();
    let (status_missing, calls_missing) =
        calls_for(&app, &format!("/tickets/{missing}"), &stranger.token).await;
    let (status_foreign, calls_foreign) = calls_for(&app, &format!("/tickets/{tid}"), &stranger.token).await;
    assert_eq!((status_missing, status_foreign), (404, 404));
    assert_eq!(calls_foreign, calls_missing, "a foreign ticket's 404 reads no more than a missing one's");
    let (status_own, _) = calls_for(&app, &format!("/tickets/{tid}"), &owner.token).await;
    assert_eq!(status_own, 200);
}

#[tokio::test]
async fn an_idempotency_key_dies_with_its_ticket() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let admin = app.staff(Role::Admin).await;
    let body = json!({"subject": "Once", "description": "Only once"});
    let first = app.post_with_key("/tickets", &customer.token, "key-1", body.clone()).await;
    assert_eq!(first.status, 201, "{first:?}");
    let tid = first.body["id"].as_str().unwrap().to_owned();
    // A comment with its own key on the same ticket.
    let comment = app
        .post_with_key(
            &format!("/tickets/{tid}/comments"),
            &customer.token,
            "key-2",
            json!({"content": "hi"}),
        )
        .await;
    assert_eq!(comment.status, 201, "{comment:?}");
    assert_eq!(app.post_with_key("/tickets", &customer.token, "key-1", body.clone()).await.body["id"], tid);

    assert_eq!(app.delete(&format!("/tickets/{tid}"), Some(&admin.token)).await.status, 204);
    let again = app.post_with_key("/tickets", &customer.token, "key-1", body).await;
    assert_eq!(again.status, 201, "{again:?}");
    assert_ne!(again.body["id"], tid, "the replay does not return the deleted ticket");
    assert_eq!(
        app.get(&format!("/tickets/{}", again.body["id"].as_str().unwrap()), Some(&customer.token))
            .await
            .status,
        200
    );
    let _ = PASSWORD;
}

#[tokio::test]
async fn ticket_numbers_are_taken_in_the_write_so_a_failed_create_leaves_no_gap() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let body = json!({"subject": "Raced", "description": "Eight tries, one ticket"});
    // Eight concurrent creates with one Idempotency-Key: one ticket, seven replays (whose
    // transactions fail on the key).
    let tries = (0..8).map(|_| app.post_with_key("/tickets", &customer.token, "same-key", body.clone()));
    let results = futures::future::join_all(tries).await;
    let ids: std::collections::HashSet<_> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{r:?}");
            r.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(results[0].body["ticket_number"], "TKT-000001");
    let next = app.ticket(&customer.token, "Next").await;
    assert_eq!(next["ticket_number"], "TKT-000002", "no number was used up by the failed creates");

    // Concurrent creates without keys: every number once, none skipped.
    let creates = (0..6).map(|i| {
        app.post("/tickets", Some(&customer.token), json!({"subject": format!("C{i}"), "description": "d"}))
    });
    let mut numbers: Vec<String> = futures::future::join_all(creates)
        .await
        .into_iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{r:?}");
            r.body["ticket_number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (3..=8).map(|n| format!("TKT-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_even_by_two_admins_at_once() {
    let app = TestApp::spawn().await;
    let a = app.staff(Role::Admin).await;
    let b = app.staff(Role::Admin).await;
    // Two admins demote each other at the same moment: the desk keeps at least one.
    let (path_a, path_b) = (format!("/users/{}/assign", a.id), format!("/users/{}/assign", b.id));
    let (ra, rb) = tokio::join!(
        app.patch(&path_b, Some(&a.token), json!({"role": "agent"})),
        app.patch(&path_a, Some(&b.token), json!({"role": "agent"})),
    );
    let admins = app.get("/users?role=admin", Some(&a.token)).await;
    let admins =
        if admins.status == 200 { admins } else { app.get("/users?role=admin", Some(&b.token)).await };
    let left: Vec<_> = admins.body["data"].as_array().unwrap().iter().map(|u| u["id"].clone()).collect();
    assert!(!left.is_empty(), "no admin left after {ra:?} / {rb:?}");
    assert!([ra.status, rb.status].contains(&200), "{ra:?} / {rb:?}");

    let survivor = if left[0] == a.id.as_str() { &a } else { &b };
    let res = app
        .patch(&format!("/users/{}/assign", survivor.id), Some(&survivor.token), json!({"role": "customer"}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["role"][0].as_str().unwrap().contains("last admin"));
    assert_eq!(app.get("/auth/me", Some(&survivor.token)).await.body["user"]["role"], "admin");
}
