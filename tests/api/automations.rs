//! `/automations` and their runs (the clock injected, never slept): admin-only CRUD,
//! validation (time condition, anchor, nullifying action), and a custom automation that changes
//! each due ticket once, audited `via: rule`, with its notification mailed.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

fn nudge() -> serde_json::Value {
    json!({"title": "Nudge pending", "conditions": {"all": [
        {"field": "status", "operator": "is", "value": "pending"},
        {"field": "hours_since_updated", "operator": "greater_than", "value": 48},
        {"field": "tags", "operator": "not_includes", "value": "nudged"}
    ]}, "actions": [
        {"field": "add_tags", "value": "nudged"},
        {"field": "notify_user", "value": {"to": "requester", "subject": "Still there? {{ticket.ticket_number}}", "body": "We wait for your answer."}}
    ]})
}

#[tokio::test]
async fn admins_manage_automations_and_invalid_ones_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let res = app.get("/automations", Some(&admin.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["data"][0]["title"], "Close ticket 4 days after it is solved");
    assert_eq!(app.get("/automations", Some(&agent.token)).await.status, 403);
    assert_eq!(app.post("/automations", Some(&agent.token), nudge()).await.status, 403);

    let res = app.post("/automations", Some(&admin.token), nudge()).await;
    assert_eq!(res.status, 201, "{res:?}");
    let id = res.body["automation"]["id"].as_str().unwrap().to_owned();
    // A trigger's id is no automation, and the other way round.
    assert_eq!(app.get(&format!("/triggers/{id}"), Some(&admin.token)).await.status, 404);

    let cases = [
        // No time condition.
        (
            json!({"title": "t", "conditions": {"all": [{"field": "status", "operator": "is", "value": "solved"}]}, "actions": [{"field": "status", "value": "closed"}]}),
            "conditions.all",
        ),
        // No action that makes a condition false: it would fire every hour.
        (
            json!({"title": "t", "conditions": {"all": [{"field": "status", "operator": "is", "value": "pending"}, {"field": "hours_since_updated", "operator": "greater_than", "value": 1}]}, "actions": [{"field": "notify_user", "value": {"to": "requester", "subject": "s", "body": "b"}}]}),
            "actions",
        ),
        // No anchor.
        (
            json!({"title": "t", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "low"}, {"field": "hours_since_created", "operator": "greater_than", "value": 1}]}, "actions": [{"field": "priority", "value": "high"}]}),
            "conditions.all",
        ),
        // Trigger-only conditions are not for automations.
        (
            json!({"title": "t", "conditions": {"all": [{"field": "status", "operator": "changed_to", "value": "solved"}]}, "actions": [{"field": "status", "value": "closed"}]}),
            "conditions.all.0.operator",
        ),
    ];
    for (body, key) in cases {
        let res = app.post("/automations", Some(&admin.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
        assert!(res.body["errors"][key].is_array(), "{body}: {key} in {}", res.body);
    }
    // A PATCH is checked against the stored other half.
    let res = app
        .patch(&format!("/automations/{id}"), Some(&admin.token), json!({"actions": [{"field": "notify_user", "value": {"to": "requester", "subject": "s", "body": "b"}}]}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["actions"].is_array());
    let res = app.patch(&format!("/automations/{id}"), Some(&admin.token), json!({"title": "Nudge"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    let ids: Vec<String> = app.get("/automations", Some(&admin.token)).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .rev()
        .collect();
    let res = app.call("PUT", "/automations/reorder", Some(&admin.token), Some(json!({"ids": ids}))).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["data"][0]["id"], id.as_str());
    assert_eq!(app.delete(&format!("/automations/{id}"), Some(&admin.token)).await.status, 204);
}

#[tokio::test]
async fn an_automation_changes_each_due_ticket_once() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.verified_customer().await;
    let res = app.post("/automations", Some(&admin.token), nudge()).await;
    assert_eq!(res.status, 201, "{res:?}");
    let waiting = app.ticket(&customer.token, "Waiting on you").await;
    let open = app.ticket(&customer.token, "Open one").await;
    let path = format!("/tickets/{}", waiting["id"].as_str().unwrap());
    let res = app.patch(&path, Some(&admin.token), json!({"status": "pending"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    app.deliver_mail().await;
    let before = app.ticket_mail_to(&customer.email).await.len();

    let now = helpdesk::clock::now();
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(24)),
    )
    .await
    .unwrap();
    assert_eq!(run.changed, 0, "not 48 hours yet");
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(49)),
    )
    .await
    .unwrap();
    assert_eq!(run.changed, 1);
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(100)),
    )
    .await
    .unwrap();
    assert_eq!(run.changed, 0, "the tag it added keeps it from firing again");

    let page = app.get(&path, Some(&admin.token)).await;
    assert!(page.body["tags"].as_array().unwrap().contains(&json!("nudged")));
    let change =
        page.body["changes"].as_array().unwrap().iter().find(|c| c["field_name"] == "tags").unwrap().clone();
    assert_eq!(
        (change["via"].as_str(), change["rule_title"].as_str()),
        (Some("rule"), Some("Nudge pending"))
    );
    let other = app.get(&format!("/tickets/{}", open["id"].as_str().unwrap()), Some(&admin.token)).await;
    assert!(other.body["tags"].as_array().unwrap().is_empty());

    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    assert_eq!(mail.len(), before + 1, "{mail:?}");
    assert_eq!(mail[0]["subject"], format!("Still there? {}", waiting["ticket_number"].as_str().unwrap()));
}
