//! The one ticket-change path: concurrent comments and edits all land with their audit; the
//! status transition table holds on every route that sets a status.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::collections::HashSet;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn ten_concurrent_comments_all_land() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Busy ticket").await;
    let path = format!("/tickets/{}", id(&ticket));
    let comments = format!("{path}/comments");
    let posts = (0..10).map(|i| {
        let (token, internal) =
            if i % 2 == 0 { (&agent.token, i % 4 == 0) } else { (&customer.token, false) };
        app.post(&comments, Some(token), json!({"content": format!("c{i}"), "is_internal": internal}))
    });
    let results = futures::future::join_all(posts).await;
    for r in &results {
        assert_eq!(r.status, 201, "every concurrent comment lands: {r:?}");
    }
    let page = app.get(&path, Some(&agent.token)).await;
    let contents: HashSet<&str> =
        page.body["comments"].as_array().unwrap().iter().map(|c| c["content"].as_str().unwrap()).collect();
    assert_eq!(
        contents,
        (0..10).map(|i| format!("c{i}")).collect::<HashSet<_>>().iter().map(String::as_str).collect()
    );
    // The first public agent reply opened the ticket, audited once.
    assert_eq!(page.body["status"], "open");
    let opened = page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field_name"] == "status" && c["new_value"] == "open")
        .count();
    assert_eq!(opened, 1, "{}", page.body["changes"]);
}

#[tokio::test]
async fn ten_concurrent_patches_of_different_fields_all_land_with_their_audit() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let org =
        app.post("/organizations", Some(&app.staff(Role::Admin).await.token), json!({"name": "Acme"})).await;
    assert_eq!(org.status, 201, "{org:?}");
    let org_id = org.body["organization"]["id"].as_str().expect("organization id").to_owned();
    let ticket = app.ticket(&customer.token, "Race").await;
    let path = format!("/tickets/{}", id(&ticket));
    let updates = [
        ("priority", json!({"priority": "urgent"})),
        ("subject", json!({"subject": "Race renamed"})),
        ("tags", json!({"tags": ["x", "y"]})),
        ("due_date", json!({"due_date": "2027-01-01"})),
        ("description", json!({"description": "New description"})),
        ("assignee_id", json!({"assignee_id": agent.id})),
        ("custom_fields", json!({"custom_fields": {"plan": "pro"}})),
        ("organization_id", json!({"organization_id": org_id})),
        ("status", json!({"status": "pending"})),
        ("requester_id", json!({"requester_id": agent.id})),
    ];
    let results = futures::future::join_all(
        updates.iter().map(|(_, b)| app.patch(&path, Some(&agent.token), b.clone())),
    )
    .await;
    for r in &results {
        assert_eq!(r.status, 200, "every concurrent edit lands: {r:?}");
    }
    let page = app.get(&path, Some(&agent.token)).await;
    let t = &page.body;
    assert_eq!(t["priority"], "urgent");
    assert_eq!(t["subject"], "Race renamed");
    assert_eq!(t["tags"], json!(["x", "y"]));
    assert_eq!(t["due_date"], "2027-01-01T23:59:59.000Z");
    assert_eq!(t["description"], "New description");
    assert_eq!(t["assignee_id"], agent.id.as_str());
    assert_eq!(t["custom_fields"], json!({"plan": "pro"}));
    assert_eq!(t["organization_id"], org_id.as_str());
    assert_eq!(t["status"], "pending");
    assert_eq!(t["requester_id"], agent.id.as_str());
    let audited: Vec<&str> =
        t["changes"].as_array().unwrap().iter().map(|c| c["field_name"].as_str().unwrap()).collect();
    for (field, _) in &updates {
        assert_eq!(audited.iter().filter(|f| *f == field).count(), 1, "{field} audited once: {audited:?}");
    }
}

#[tokio::test]
async fn a_stale_stamp_is_still_a_conflict_under_contention() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Guarded").await;
    let path = format!("/tickets/{}", id(&ticket));
    let stamp = ticket["updated_stamp"].as_str().unwrap();
    let guarded = (0..5).map(|i| {
        app.patch(&path, Some(&agent.token), json!({"subject": format!("s{i}"), "updated_stamp": stamp}))
    });
    let results = futures::future::join_all(guarded).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "exactly one safe update wins: {results:?}");
    assert!(results.iter().all(|r| r.status == 200 || r.status == 409), "{results:?}");
}

#[tokio::test]
async fn status_transitions_follow_the_table_on_every_route() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Transitions").await;
    let path = format!("/tickets/{}", id(&ticket));

    // An unassigned new ticket cannot be closed, by either route.
    let res = app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "closed"})).await;
    assert_eq!(res.status, 422, "{res:?}");
    assert_eq!(res.body["message"], "A ticket must be solved before it can be closed.");
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"status": "closed"})).await.status, 422);
    // Open it, then `new` is gone for good.
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"status": "open"})).await.status, 200);
    let res = app.patch(&path, Some(&agent.token), json!({"status": "new"})).await;
    assert_eq!(res.status, 422, "{res:?}");
    assert_eq!(res.body["errors"]["status"][0], "A ticket cannot be set back to new.");
    // Solving needs an assignee on every route; assigning and solving together is fine.
    assert_eq!(
        app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "solved"})).await.status,
        422
    );
    let res =
        app.patch(&path, Some(&agent.token), json!({"status": "solved", "assignee_id": agent.id})).await;
    assert_eq!(res.status, 200, "{res:?}");
    // Unassigning a solved ticket is refused.
    let res = app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": null})).await;
    assert_eq!(res.status, 422, "{res:?}");
    // Closed only from solved, and then final.
    assert_eq!(
        app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "closed"})).await.status,
        200
    );
    assert_eq!(
        app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "solved"})).await.status,
        422
    );

    // Creating: closed is refused, solved needs an assignee, even for staff.
    let res = app
        .post("/tickets", Some(&agent.token), json!({"subject": "s", "description": "d", "status": "closed"}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    let res = app
        .post("/tickets", Some(&agent.token), json!({"subject": "s", "description": "d", "status": "solved"}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    let res = app
        .post(
            "/tickets",
            Some(&agent.token),
            json!({"subject": "s", "description": "d", "status": "solved", "assignee_id": agent.id}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["satisfaction"], "offered");
}

#[tokio::test]
async fn the_change_path_records_the_channel() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Via").await;
    let path = format!("/tickets/{}", id(&ticket));
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"priority": "high"})).await.status, 200);
    let page = app.get(&path, Some(&agent.token)).await;
    for c in page.body["changes"].as_array().unwrap() {
        assert_eq!(c["via"], "web", "{c}");
    }
}
