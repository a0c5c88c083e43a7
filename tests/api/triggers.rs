//! `/triggers` and the rule engine inside the change path: admin-only CRUD and reorder,
//! validation, order and at-most-once firing, chains, the pass cap, the default notification
//! triggers (deactivating one stops its mail), a custom trigger mailing a group, and internal
//! notes never quoted in mail.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

async fn trigger(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.post("/triggers", Some(token), body).await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["trigger"]["id"].as_str().unwrap().to_owned()
}

fn tags(ticket: &Value) -> Vec<String> {
    ticket["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn admins_manage_triggers_others_cannot() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let res = app.get("/triggers", Some(&admin.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let titles: Vec<&str> =
        res.body["data"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Notify requester of received request",
            "Notify requester of public reply",
            "Notify requester of solved request",
            "Notify assignee of assignment"
        ]
    );
    let body = json!({"title": "Tag urgent", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}]}, "actions": [{"field": "add_tags", "value": "hot"}]});
    let id = trigger(&app, &admin.token, body.clone()).await;
    for token in [&agent.token, &customer.token] {
        for (method, path) in [
            ("GET", "/triggers".to_owned()),
            ("POST", "/triggers".to_owned()),
            ("GET", format!("/triggers/{id}")),
            ("PATCH", format!("/triggers/{id}")),
            ("DELETE", format!("/triggers/{id}")),
            ("PUT", "/triggers/reorder".to_owned()),
        ] {
            let res = app.call(method, &path, Some(token), Some(body.clone())).await;
            assert_eq!(res.status, 403, "{method} {path}");
        }
    }
    assert_eq!(app.get("/triggers/nope", Some(&admin.token)).await.status, 404);
    assert_eq!(app.get(&format!("/triggers/{}", uuid::Uuid::now_v7()), Some(&admin.token)).await.status, 404);

    // Validation: positions in conditions and actions; trigger-only conditions; no comments.
    let cases = [
        (
            json!({"title": "t", "conditions": {"all": []}, "actions": [{"field": "add_tags", "value": "x"}]}),
            "conditions",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "status", "operator": "changed_to", "value": "done"}]}, "actions": [{"field": "add_tags", "value": "x"}]}),
            "conditions.all.0.value",
        ),
        (
            json!({"title": "t", "conditions": {"any": [{"field": "tags", "operator": "changed"}]}, "actions": [{"field": "add_tags", "value": "x"}]}),
            "conditions.any.0.operator",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "later"}]}, "actions": [{"field": "add_tags", "value": "x"}]}),
            "conditions.all.0.value",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]}, "actions": [{"field": "comment", "value": {"body": "hi"}}]}),
            "actions.0.field",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]}, "actions": [{"field": "notify_user", "value": {"to": "nobody", "subject": "s", "body": "b"}}]}),
            "actions.0.value",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]}, "actions": [{"field": "notify_group", "value": {"group_id": "x", "subject": "s", "body": "b"}}]}),
            "actions.0.value",
        ),
        (
            json!({"conditions": {"all": [{"field": "update_type", "operator": "is", "value": "create"}]}, "actions": [{"field": "add_tags", "value": "x"}]}),
            "title",
        ),
    ];
    for (body, key) in cases {
        let res = app.post("/triggers", Some(&admin.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
        assert!(res.body["errors"][key].is_array(), "{body}: {key} in {}", res.body);
    }
    // Trigger-only conditions are refused in views, and notifications in macros.
    let res = app
        .post(
            "/views",
            Some(&admin.token),
            json!({"title": "v", "conditions": {"all": [{"field": "status", "operator": "changed"}]}}),
        )
        .await;
    assert!(res.body["errors"]["conditions.all.0.operator"].is_array(), "{res:?}");
    let res = app
        .post("/macros", Some(&admin.token), json!({"title": "m", "actions": [{"field": "notify_user", "value": {"to": "requester", "subject": "s", "body": "b"}}]}))
        .await;
    assert!(res.body["errors"]["actions.0.field"].is_array(), "{res:?}");

    let res = app
        .patch(&format!("/triggers/{id}"), Some(&admin.token), json!({"title": "Tag it", "active": false}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(
        (res.body["trigger"]["title"].as_str(), res.body["trigger"]["active"].as_bool()),
        (Some("Tag it"), Some(false))
    );

    // Reorder: every trigger once; the new one first.
    let all: Vec<String> = app.get("/triggers", Some(&admin.token)).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let mut order: Vec<String> = vec![id.clone()];
    order.extend(all.iter().filter(|t| **t != id).cloned());
    let res = app.call("PUT", "/triggers/reorder", Some(&admin.token), Some(json!({"ids": order}))).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["data"][0]["id"], id.as_str());
    assert_eq!(app.get("/triggers", Some(&admin.token)).await.body["data"][0]["id"], id.as_str());
    let res = app.call("PUT", "/triggers/reorder", Some(&admin.token), Some(json!({"ids": [id]}))).await;
    assert_eq!(res.status, 422, "a partial order is refused");
    assert_eq!(app.delete(&format!("/triggers/{id}"), Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&format!("/triggers/{id}"), Some(&admin.token)).await.status, 404);
}

#[tokio::test]
async fn triggers_fire_in_order_once_per_update_and_chain() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    app.get("/triggers", Some(&admin.token)).await; // the defaults first
                                                    // B sits before A, but only A's change makes B match: a second pass runs it.
    let b = trigger(
        &app,
        &admin.token,
        json!({"title": "B", "position": 0, "conditions": {"all": [{"field": "tags", "operator": "includes", "value": "b"}]}, "actions": [{"field": "add_tags", "value": "c"}, {"field": "priority", "value": "high"}]}),
    )
    .await;
    let a = trigger(
        &app,
        &admin.token,
        json!({"title": "A", "position": 50, "conditions": {"all": [{"field": "tags", "operator": "includes", "value": "a"}]}, "actions": [{"field": "add_tags", "value": "b"}]}),
    )
    .await;
    // Fires on every change, but once per update.
    let every = trigger(
        &app,
        &admin.token,
        json!({"title": "Count", "position": 60, "conditions": {"all": [{"field": "update_type", "operator": "is", "value": "change"}]}, "actions": [{"field": "add_tags", "value": "touched"}]}),
    )
    .await;
    let res = app
        .post(
            "/tickets",
            Some(&admin.token),
            json!({"subject": "Chain", "description": "d", "requester_id": customer.id, "tags": ["a"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(tags(&res.body), ["a", "b", "c"]);
    assert_eq!(res.body["priority"], "high");
    let id = res.body["id"].as_str().unwrap().to_owned();
    let page = app.get(&format!("/tickets/{id}"), Some(&admin.token)).await;
    let by_rule: Vec<(String, String)> = page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["via"] == "rule")
        .map(|c| (c["rule_id"].as_str().unwrap().to_owned(), c["field_name"].as_str().unwrap().to_owned()))
        .collect();
    assert!(by_rule.contains(&(a.clone(), "tags".into())), "{by_rule:?}");
    assert!(by_rule.contains(&(b.clone(), "priority".into())), "{by_rule:?}");
    assert!(page.body["changes"].as_array().unwrap().iter().any(|c| c["rule_title"] == "B"));

    // An update: "Count" fires once (one more tag), not once per pass.
    let res =
        app.patch(&format!("/tickets/{id}"), Some(&admin.token), json!({"subject": "Chain again"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(tags(&res.body), ["a", "b", "c", "touched"]);
    let page = app.get(&format!("/tickets/{id}"), Some(&admin.token)).await;
    let counted =
        page.body["changes"].as_array().unwrap().iter().filter(|c| c["rule_id"] == every.as_str()).count();
    assert_eq!(counted, 1);
}

#[tokio::test]
async fn a_chain_longer_than_the_pass_cap_is_cut_and_audited() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    app.get("/triggers", Some(&admin.token)).await;
    // s0 → s1 → ... → s12, each trigger placed before the one that enables it, so each pass
    // fires exactly one: the cap (10 passes) stops the chain.
    for i in 0..12 {
        trigger(
            &app,
            &admin.token,
            json!({"title": format!("step {i}"), "position": 100 - i, "conditions": {"all": [{"field": "tags", "operator": "includes", "value": format!("s{i}")}]}, "actions": [{"field": "add_tags", "value": format!("s{}", i + 1)}]}),
        )
        .await;
    }
    let res = app
        .post(
            "/tickets",
            Some(&admin.token),
            json!({"subject": "Loop", "description": "d", "requester_id": customer.id, "tags": ["s0"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    let got = tags(&res.body);
    assert!(got.contains(&"s10".to_owned()) && !got.contains(&"s11".to_owned()), "{got:?}");
    let page = app.get(&format!("/tickets/{}", res.body["id"].as_str().unwrap()), Some(&admin.token)).await;
    assert!(
        page.body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"].as_str().unwrap().contains("stopped after 10 passes")),
        "{}",
        page.body["changes"]
    );
}

#[tokio::test]
async fn notifications_are_triggers_admins_can_change() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.verified_customer().await;
    let triggers = app.get("/triggers", Some(&admin.token)).await;
    let received = triggers.body["data"][0]["id"].as_str().unwrap().to_owned();

    // Deactivating "received request" stops that mail.
    let res = app.patch(&format!("/triggers/{received}"), Some(&admin.token), json!({"active": false})).await;
    assert_eq!(res.status, 200);
    app.ticket(&customer.token, "Quiet").await;
    app.deliver_mail().await;
    assert!(app.ticket_mail_to(&customer.email).await.is_empty(), "no mail from a deactivated trigger");
    app.patch(&format!("/triggers/{received}"), Some(&admin.token), json!({"active": true})).await;
    app.ticket(&customer.token, "Loud").await;
    app.deliver_mail().await;
    assert_eq!(app.ticket_mail_to(&customer.email).await.len(), 1);

    // A custom trigger mails a group, placeholders filled.
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Escalations"})).await;
    let gid = group.body["group"]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/groups/{gid}/memberships"), Some(&admin.token), json!({"user_id": agent.id})).await;
    trigger(
        &app,
        &admin.token,
        json!({"title": "Urgent to escalations", "conditions": {"all": [
            {"field": "priority", "operator": "changed_to", "value": "urgent"}
        ]}, "actions": [{"field": "notify_group", "value": {"group_id": gid, "subject": "Urgent: {{ticket.subject}}", "body": "{{ticket.requester.name}} needs help: {{ticket.url}}"}}]}),
    )
    .await;
    let t = app.ticket(&customer.token, "Server down").await;
    let tid = t["id"].as_str().unwrap();
    let res = app.patch(&format!("/tickets/{tid}"), Some(&admin.token), json!({"priority": "urgent"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    app.deliver_mail().await;
    let mail = app.mail_to(&agent.email).await;
    let urgent: Vec<&Value> = mail.iter().filter(|m| m["subject"] == "Urgent: Server down").collect();
    assert_eq!(urgent.len(), 1, "{mail:?}");
    let text = urgent[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Casey Customer needs help: ")
            && text.contains(&format!("/tickets/{}", t["ticket_number"].as_str().unwrap())),
        "{text}"
    );

    // An internal note is never quoted, whatever the template says.
    trigger(
        &app,
        &admin.token,
        json!({"title": "Leaky?", "conditions": {"all": [
            {"field": "comment_is_public", "operator": "is", "value": "false"}
        ]}, "actions": [{"field": "notify_user", "value": {"to": "requester", "subject": "Note on {{ticket.ticket_number}}", "body": "Latest: {{ticket.latest_public_comment}}"}}]}),
    )
    .await;
    app.post(&format!("/tickets/{tid}/comments"), Some(&agent.token), json!({"content": "Public words"}))
        .await;
    app.post(
        &format!("/tickets/{tid}/comments"),
        Some(&agent.token),
        json!({"content": "SECRET internal", "is_internal": true}),
    )
    .await;
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    let note =
        mail.iter().find(|m| m["subject"].as_str().unwrap().starts_with("Note on")).expect("the rule mailed");
    let text = note["text"].as_str().unwrap();
    assert!(text.contains("Latest: Public words") && !text.contains("SECRET"), "{text}");
    assert!(mail.iter().all(|m| !m["text"].as_str().unwrap().contains("SECRET")));
}
