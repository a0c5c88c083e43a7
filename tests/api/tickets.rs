//! `/tickets` routes: rules, permissions, audit, concurrency, pagination.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::collections::HashSet;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn customer_creates_a_ticket_and_gets_sequential_numbers() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let first = app.ticket(&customer.token, "Printer on fire").await;
    let second = app.ticket(&customer.token, "Coffee machine").await;
    assert_eq!(first["ticket_number"], "TKT-000001");
    assert_eq!(second["ticket_number"], "TKT-000002");
    assert_eq!(first["status"], "new");
    assert_eq!(first["priority"], "normal");
    assert_eq!(first["satisfaction"], "unoffered");
    assert_eq!(first["requester_id"], customer.id.as_str());
    assert_eq!(first["requester"]["id"], customer.id.as_str());
    assert_eq!(first["assignee"], Value::Null);
    assert!(first["updated_stamp"].is_string());

    let full = app
        .post(
            "/tickets",
            Some(&customer.token),
            json!({"subject": "Tagged", "description": "d", "priority": "high", "tags": ["Billing", "VIP user"], "custom_fields": {"plan": "pro"}, "due_date": "2026-12-24"}),
        )
        .await;
    assert_eq!(full.status, 201, "{full:?}");
    assert_eq!(full.body["tags"], json!(["billing", "vip_user"]));
    assert_eq!(full.body["custom_fields"], json!({"plan": "pro"}));
    assert_eq!(full.body["due_date"], "2026-12-24T23:59:59.000Z");
}

#[tokio::test]
async fn create_validation_permissions_and_auth() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let t = Some(customer.token.as_str());
    for (body, field) in [
        (json!({"description": "d"}), "subject"),
        (json!({"subject": "s"}), "description"),
        (json!({"subject": "s", "description": "d", "priority": "asap"}), "priority"),
        (json!({"subject": "s", "description": "d", "tags": "billing"}), "tags"),
        (json!({"subject": "s", "description": "d", "custom_fields": [1]}), "custom_fields"),
        (json!({"subject": "s", "description": "d", "due_date": "someday"}), "due_date"),
        (json!({"subject": "x".repeat(256), "description": "d"}), "subject"),
    ] {
        let res = app.post("/tickets", t, body.clone()).await;
        assert_eq!(res.status, 422, "{body} → {res:?}");
        assert!(res.body["errors"][field].is_array(), "{body} → {res:?}");
    }
    for field in
        [json!({"status": "open"}), json!({"assignee_id": agent.id}), json!({"requester_id": agent.id})]
    {
        let mut body = json!({"subject": "s", "description": "d"});
        body.as_object_mut().unwrap().extend(field.as_object().unwrap().clone());
        assert_eq!(app.post("/tickets", t, body).await.status, 403);
    }
    assert_eq!(app.post("/tickets", None, json!({"subject": "s", "description": "d"})).await.status, 401);

    // Agents may set staff fields; the assignee must be staff.
    let res = app
        .post("/tickets", Some(&agent.token), json!({"subject": "s", "description": "d", "requester_id": customer.id, "assignee_id": customer.id}))
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.body["errors"]["assignee_id"][0], "The assignee must be an agent or admin.");
    let res = app
        .post("/tickets", Some(&agent.token), json!({"subject": "s", "description": "d", "requester_id": customer.id, "assignee_id": agent.id, "status": "open"}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["requester_id"], customer.id.as_str());
    assert_eq!(res.body["assignee"]["id"], agent.id.as_str());
    assert_eq!(res.body["status"], "open");
}

#[tokio::test]
async fn show_by_id_and_number_and_hide_other_customers_tickets() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&alice.token, "Alice's problem").await;
    let tid = id(&ticket);

    let by_id = app.get(&format!("/tickets/{tid}"), Some(&alice.token)).await;
    assert_eq!(by_id.status, 200, "{by_id:?}");
    assert_eq!(by_id.body["comments"], json!([]));
    assert!(by_id.body.get("changes").is_none(), "customers get no audit");
    let by_number = app.get("/tickets/TKT-000001", Some(&alice.token)).await;
    assert_eq!(by_number.body["id"], tid.as_str());

    let staff_view = app.get(&format!("/tickets/{tid}"), Some(&agent.token)).await;
    assert_eq!(staff_view.status, 200);
    assert_eq!(staff_view.body["changes"][0]["action"], "Ticket created");
    assert_eq!(staff_view.body["changes"][0]["agent"]["id"], alice.id.as_str());

    let not_found = json!({"message": "Not found."});
    for path in [format!("/tickets/{tid}"), "/tickets/TKT-000001".into(), format!("/tickets/{tid}/comments")]
    {
        let res = app.get(&path, Some(&bob.token)).await;
        assert_eq!((res.status, &res.body), (404, &not_found), "{path}");
    }
    let res = app.post(&format!("/tickets/{tid}/comments"), Some(&bob.token), json!({"content": "hi"})).await;
    assert_eq!(res.status, 404);
    let res = app.patch(&format!("/tickets/{tid}"), Some(&bob.token), json!({"satisfaction": "good"})).await;
    assert_eq!(res.status, 404);
    for path in ["/tickets/TKT-999999", "/tickets/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", "/tickets/nonsense"]
    {
        assert_eq!(app.get(path, Some(&agent.token)).await.status, 404, "{path}");
    }
    assert_eq!(app.get(&format!("/tickets/{tid}"), None).await.status, 401);
}

#[tokio::test]
async fn updates_are_audited_and_follow_the_rules() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Rules").await;
    let path = format!("/tickets/{}", id(&ticket));

    let res = app
        .patch(&path, Some(&agent.token), json!({"priority": "urgent", "tags": ["a"], "subject": "Rules!"}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["priority"], "urgent");
    let page = app.get(&path, Some(&agent.token)).await;
    let actions: Vec<&str> =
        page.body["changes"].as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"Priority changed from normal to urgent"), "{actions:?}");
    assert!(actions.contains(&"Subject changed"), "{actions:?}");
    assert!(actions.contains(&"Tags changed to [a]"), "{actions:?}");
    let priority =
        page.body["changes"].as_array().unwrap().iter().find(|c| c["field_name"] == "priority").unwrap();
    assert_eq!(
        (priority["old_value"].as_str(), priority["new_value"].as_str()),
        (Some("normal"), Some("urgent"))
    );
    assert_eq!(priority["agent_id"], agent.id.as_str());

    // Validation and role rules.
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"status": "bogus"})).await.status, 422);
    let solve = app.patch(&path, Some(&agent.token), json!({"status": "solved"})).await;
    assert_eq!(solve.status, 422);
    assert_eq!(solve.body["message"], "A ticket must be assigned before it can be solved");
    assert_eq!(app.patch(&path, Some(&customer.token), json!({"priority": "low"})).await.status, 403);
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"satisfaction": "good"})).await.status, 403);
    let early = app.patch(&path, Some(&customer.token), json!({"satisfaction": "good"})).await;
    assert_eq!(early.status, 422, "rating needs a solved ticket: {early:?}");

    // Assign, solve (satisfaction offered), customer rates, close; closed is final.
    let res = app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": agent.id})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["message"], "Ticket assigned successfully.");
    let res = app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "solved"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["ticket"]["satisfaction"], "offered");
    assert_eq!(app.patch(&path, Some(&customer.token), json!({"satisfaction": "offered"})).await.status, 422);
    let rated = app.patch(&path, Some(&customer.token), json!({"satisfaction": "good"})).await;
    assert_eq!(rated.status, 200, "{rated:?}");
    assert_eq!(rated.body["satisfaction"], "good");
    assert_eq!(
        app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "closed"})).await.status,
        200
    );
    for (method, p, body) in [
        ("PATCH", path.clone(), json!({"priority": "low"})),
        ("POST", format!("{path}/status"), json!({"status": "open"})),
        ("POST", format!("{path}/comments"), json!({"content": "reopen?"})),
    ] {
        let res = app.call(method, &p, Some(&agent.token), Some(body)).await;
        assert_eq!(res.status, 422, "{method} {p}: {res:?}");
    }
    let rerated = app.patch(&path, Some(&customer.token), json!({"satisfaction": "bad"})).await;
    assert_eq!(rerated.status, 200, "rating stays possible on a closed ticket: {rerated:?}");
}

#[tokio::test]
async fn assign_and_status_permissions() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let ticket = app.ticket(&customer.token, "Perms").await;
    let path = format!("/tickets/{}", id(&ticket));
    assert_eq!(
        app.post(&format!("{path}/assign"), Some(&customer.token), json!({"assignee_id": agent.id}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post(&format!("{path}/status"), Some(&customer.token), json!({"status": "open"})).await.status,
        403
    );
    assert_eq!(app.post(&format!("{path}/assign"), None, json!({"assignee_id": agent.id})).await.status, 401);
    let res =
        app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": customer.id})).await;
    assert_eq!(res.status, 422);
    let res =
        app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": "not-a-uuid"})).await;
    assert_eq!(res.status, 422);
    let res = app.post(&format!("{path}/assign"), Some(&agent.token), json!({})).await;
    assert_eq!(res.status, 422);
    let res = app.post(&format!("{path}/assign"), Some(&admin.token), json!({"assignee_id": admin.id})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["ticket"]["assignee_id"], admin.id.as_str());
    let res = app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": null})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["ticket"]["assignee"], Value::Null);
    assert_eq!(app.post(&format!("{path}/status"), Some(&agent.token), json!({})).await.status, 422);
    let missing = "/tickets/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506";
    assert_eq!(
        app.post(&format!("{missing}/assign"), Some(&agent.token), json!({"assignee_id": agent.id}))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn safe_updates_conflict_when_stale() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Stale").await;
    let path = format!("/tickets/{}", id(&ticket));
    let stamp = ticket["updated_stamp"].as_str().unwrap();
    let first =
        app.patch(&path, Some(&agent.token), json!({"priority": "high", "updated_stamp": stamp})).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_ne!(first.body["updated_stamp"], stamp);
    let stale =
        app.patch(&path, Some(&agent.token), json!({"priority": "low", "updated_stamp": stamp})).await;
    assert_eq!(stale.status, 409, "{stale:?}");
    let page = app.get(&path, Some(&agent.token)).await;
    assert_eq!(page.body["priority"], "high", "the stale write changed nothing");
}

#[tokio::test]
async fn concurrent_updates_never_lose_an_audit_entry() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Race").await;
    let path = format!("/tickets/{}", id(&ticket));
    let updates = [
        json!({"priority": "urgent"}),
        json!({"subject": "Race renamed"}),
        json!({"tags": ["x"]}),
        json!({"due_date": "2027-01-01"}),
    ];
    let results =
        futures::future::join_all(updates.iter().map(|b| app.patch(&path, Some(&agent.token), b.clone())))
            .await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    assert!(results.iter().all(|r| r.status == 200 || r.status == 409), "{results:?}");
    let page = app.get(&path, Some(&agent.token)).await;
    let fields: HashSet<&str> =
        page.body["changes"].as_array().unwrap().iter().map(|c| c["field_name"].as_str().unwrap()).collect();
    let landed = ["priority", "subject", "tags", "due_date"].iter().filter(|f| fields.contains(*f)).count();
    assert_eq!(landed, ok, "every successful update is in the audit, and only those: {fields:?}");
    assert_eq!(page.body["priority"] == "urgent", fields.contains("priority"));
    assert_eq!(page.body["subject"] == "Race renamed", fields.contains("subject"));
}

#[tokio::test]
async fn fifty_concurrent_creates_get_fifty_distinct_numbers() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let creates = (0..50).map(|i| {
        app.post("/tickets", Some(&customer.token), json!({"subject": format!("n{i}"), "description": "d"}))
    });
    let results = futures::future::join_all(creates).await;
    let numbers: HashSet<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{r:?}");
            r.body["ticket_number"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: HashSet<String> = (1..=50).map(|n| format!("TKT-{n:06}")).collect();
    assert_eq!(numbers, expected, "fifty distinct numbers, none skipped");
}

#[tokio::test]
async fn admin_deletes_a_ticket_and_everything_under_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let ticket = app.ticket(&customer.token, "Delete me").await;
    let path = format!("/tickets/{}", id(&ticket));
    app.post(
        &format!("{path}/comments"),
        Some(&agent.token),
        json!({"content": "note", "is_internal": true}),
    )
    .await;
    app.post(&format!("{path}/view"), Some(&agent.token), json!({})).await;
    assert_eq!(app.delete(&path, Some(&customer.token)).await.status, 403);
    assert_eq!(app.delete(&path, Some(&agent.token)).await.status, 403);
    assert_eq!(app.delete(&path, None).await.status, 401);
    let res = app.delete(&path, Some(&admin.token)).await;
    assert_eq!(res.status, 204, "{res:?}");
    assert_eq!(app.get(&path, Some(&admin.token)).await.status, 404);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 404);
    let page = app.state.store.ticket_page(id(&ticket).parse().unwrap()).await.unwrap();
    assert!(
        page.ticket.is_none()
            && page.comments.is_empty()
            && page.changes.is_empty()
            && page.viewers.is_empty()
    );
}

#[tokio::test]
async fn idempotency_key_replays_the_first_result() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let body = json!({"subject": "Once", "description": "only once"});
    let first = app.post_with_key("/tickets", &customer.token, "key-1", body.clone()).await;
    let again = app.post_with_key("/tickets", &customer.token, "key-1", body.clone()).await;
    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(first.body["id"], again.body["id"]);
    let other = app
        .post_with_key("/tickets", &customer.token, "key-1", json!({"subject": "Other", "description": "x"}))
        .await;
    assert_eq!(other.status, 409, "{other:?}");
    let list = app.get("/tickets", Some(&customer.token)).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1, "one ticket created");

    let path = format!("/tickets/{}/comments", id(&first.body));
    let c1 = app.post_with_key(&path, &customer.token, "c-1", json!({"content": "hello"})).await;
    let c2 = app.post_with_key(&path, &customer.token, "c-1", json!({"content": "hello"})).await;
    assert_eq!((c1.status, c2.status), (201, 201));
    assert_eq!(c1.body["id"], c2.body["id"]);
    let comments = app.get(&path, Some(&customer.token)).await;
    assert_eq!(comments.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_ticket_page_is_one_query_and_one_batch_read() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Counted").await;
    let path = format!("/tickets/{}", id(&ticket));
    for i in 0..3 {
        app.post(&format!("{path}/comments"), Some(&agent.token), json!({"content": format!("c{i}")})).await;
    }
    app.get(&path, Some(&agent.token)).await; // presence was just written: no further writes
    let req = http::Request::builder()
        .method("GET")
        .uri(&path)
        .header("authorization", format!("Bearer {}", agent.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let ((status, _, _), metrics) = helpdesk::telemetry::measured(app.send(req)).await;
    assert_eq!(status, 200);
    // The guard's BatchGetItem (session + user), the page's Query, the users' BatchGetItem.
    assert_eq!(metrics.dynamodb_calls(), 3);
    assert_eq!(metrics.user_id().map(|u| u.to_string()), Some(agent.id.clone()));
}
