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

#[tokio::test]
async fn numbers_and_dates_the_store_cannot_hold_are_422_and_use_up_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let first = app.ticket(&customer.token, "First").await;
    assert_eq!(first["ticket_number"], "TKT-000001");
    for fields in [json!({"big": 1e200}), json!({"tiny": 1e-200}), json!({"neg": -1e130})] {
        let res = app
            .post(
                "/tickets",
                Some(&customer.token),
                json!({"subject": "s", "description": "d", "custom_fields": fields}),
            )
            .await;
        assert_eq!(res.status, 422, "{fields}: {res:?}");
        assert!(res.body["errors"]["custom_fields"].is_array(), "{res:?}");
    }
    let ok = app
        .post(
            "/tickets",
            Some(&customer.token),
            json!({"subject": "s", "description": "d", "custom_fields": {"small": 1e-100, "zero": 0.0, "int": 9007199254740993u64}}),
        )
        .await;
    assert_eq!(ok.status, 201, "{ok:?}");
    assert_eq!(ok.body["ticket_number"], "TKT-000002", "the refused creates used up no number");
    let tid = ok.body["id"].as_str().unwrap();
    let agent = app.staff(Role::Agent).await;
    for due in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "10000-01-01"] {
        let res = app.patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"due_date": due})).await;
        assert_eq!(res.status, 422, "{due}: {res:?}");
        assert!(res.body["errors"]["due_date"].is_array(), "{res:?}");
    }
    let res = app
        .patch(
            &format!("/tickets/{tid}"),
            Some(&agent.token),
            json!({"due_date": "9999-12-31T23:59:59+01:00"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["due_date"], "9999-12-31T22:59:59.000Z");
}

#[tokio::test]
async fn organization_settings_are_stored_whatever_their_shape() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let settings = json!({"": "empty key", "nested": {}, "deep": {"": {"": []}}, "n": 1e200});
    let res =
        app.post("/organizations", Some(&admin.token), json!({"name": "Shapes", "settings": settings})).await;
    assert_eq!(res.status, 201, "{res:?}");
    let id = res.body["organization"]["id"].as_str().unwrap();
    let back = app.get(&format!("/organizations/{id}"), Some(&admin.token)).await;
    assert_eq!(back.body["organization"]["settings"], settings);
    let res = app
        .call(
            "PATCH",
            &format!("/organizations/{id}"),
            Some(&admin.token),
            Some(json!({"settings": {"x": {"": {}}}})),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["organization"]["settings"], json!({"x": {"": {}}}));
}

#[tokio::test]
async fn a_long_description_replaced_by_another_is_audited_within_the_item_limit() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Long").await;
    let tid = ticket["id"].as_str().unwrap();
    for ch in ["𝒜", "𝒵"] {
        let res = app
            .patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"description": ch.repeat(60_000)}))
            .await;
        assert_eq!(res.status, 200, "{res:?}");
    }
    let page = app.get(&format!("/tickets/{tid}"), Some(&agent.token)).await;
    assert_eq!(page.body["description"].as_str().unwrap().chars().count(), 60_000);
    let change = page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["field_name"] == "description")
        .unwrap()
        .clone();
    let new = change["new_value"].as_str().unwrap();
    assert!(new.ends_with('…') && new.chars().count() == 10_001, "the audit keeps a bounded excerpt");

    // Too large to store at all: a 422, nothing written.
    let fields: serde_json::Map<String, serde_json::Value> =
        (0..50).map(|i| (format!("f{i}"), json!("𝒜".repeat(1000)))).collect();
    let res =
        app.patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"custom_fields": fields})).await;
    assert_eq!(res.status, 422, "{res:?}");
}

#[tokio::test]
async fn limits_hold_for_the_result_not_just_the_request() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Fields").await;
    let tid = ticket["id"].as_str().unwrap();
    let batch = |from: usize| -> serde_json::Map<String, serde_json::Value> {
        (from..from + 30).map(|i| (format!("k{i}"), json!(i))).collect()
    };
    assert_eq!(
        app.patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"custom_fields": batch(0)}))
            .await
            .status,
        200
    );
    let res =
        app.patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"custom_fields": batch(30)})).await;
    assert_eq!(res.status, 422, "60 custom fields after two PATCHes: {res:?}");
    assert!(res.body["errors"]["custom_fields"].is_array());

    let words: Vec<String> = (0..11).map(|i| format!("word{i}")).collect();
    let res = app.get(&format!("/tickets?search={}", words.join("+")), Some(&customer.token)).await;
    assert_eq!(res.status, 422, "{res:?}");
    let res = app.get(&format!("/tickets?search={}", words[..10].join("+")), Some(&customer.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
}

#[tokio::test]
async fn names_and_filenames_refuse_invisible_and_direction_characters() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/auth/register",
            None,
            json!({"name": "Mallory\u{202E}nimda", "email": crate::helpers::unique_email("m"), "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["name"].is_array());
    let customer = app.customer().await;
    let res = app.patch("/auth/me", Some(&customer.token), json!({"name": "Zero\u{200B}Width"})).await;
    assert_eq!(res.status, 422, "{res:?}");
    let ticket = app.ticket(&customer.token, "Files").await;
    let res = app
        .post(
            "/attachments",
            Some(&customer.token),
            json!({"ticket_id": ticket["id"], "filename": "invoice\u{202E}fdp.exe", "mime_type": "application/pdf", "file_size": 10}),
        )
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["filename"].is_array(), "{res:?}");
    let admin = app.staff(Role::Admin).await;
    let res = app.post("/organizations", Some(&admin.token), json!({"name": "Acme\u{2066}Evil"})).await;
    assert_eq!(res.status, 422, "{res:?}");
}
