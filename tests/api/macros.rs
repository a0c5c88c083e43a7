//! `/macros` and applying them: restrictions, validation, preview writes nothing, apply is one
//! audited change through the ticket-change path.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

#[tokio::test]
async fn restrictions_decide_who_sees_and_who_edits() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let other = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let actions = json!([{"field": "priority", "value": "high"}]);

    assert_eq!(app.get("/macros", Some(&customer.token)).await.status, 403);
    assert_eq!(
        app.post("/macros", Some(&customer.token), json!({"title": "x", "actions": actions})).await.status,
        403
    );

    // An agent's macro is personal by default, and only personal.
    let mine = app.post("/macros", Some(&agent.token), json!({"title": "Mine", "actions": actions})).await;
    assert_eq!(mine.status, 201, "{mine:?}");
    assert_eq!(mine.body["macro"]["restriction"], json!({"type": "user", "id": agent.id}));
    let mine_id = mine.body["macro"]["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            "/macros",
            Some(&agent.token),
            json!({"title": "Shared?", "actions": actions, "restriction": null}),
        )
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["restriction"].is_array());

    // An admin's is shared by default.
    let shared = app
        .post("/macros", Some(&admin.token), json!({"title": "Shared", "actions": actions, "position": 1}))
        .await;
    assert_eq!(shared.status, 201);
    assert!(shared.body["macro"]["restriction"].is_null());
    let shared_id = shared.body["macro"]["id"].as_str().unwrap().to_owned();

    let titles = |token: String| {
        let app = &app;
        async move {
            let res = app.get("/macros", Some(&token)).await;
            res.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(agent.token.clone()).await, ["Mine", "Shared"]);
    assert_eq!(titles(other.token.clone()).await, ["Shared"]);
    assert_eq!(
        app.get(&format!("/macros/{mine_id}"), Some(&other.token)).await.status,
        404,
        "a personal macro is invisible to others"
    );
    assert_eq!(
        app.patch(&format!("/macros/{shared_id}"), Some(&agent.token), json!({"title": "Mine now"}))
            .await
            .status,
        403
    );
    assert_eq!(app.delete(&format!("/macros/{shared_id}"), Some(&agent.token)).await.status, 403);
    let res = app
        .patch(
            &format!("/macros/{mine_id}"),
            Some(&agent.token),
            json!({"title": "Still mine", "active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["macro"]["active"], false);

    // Group macros: members only.
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Tier 2"})).await.body["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/groups/{group}/memberships"), Some(&admin.token), json!({"user_id": other.id})).await;
    let res = app
        .post("/macros", Some(&admin.token), json!({"title": "Tier 2 only", "actions": actions, "restriction": {"type": "group", "id": group}}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert!(titles(other.token.clone()).await.contains(&"Tier 2 only".to_owned()));
    assert!(!titles(agent.token.clone()).await.contains(&"Tier 2 only".to_owned()));

    assert_eq!(app.delete(&format!("/macros/{mine_id}"), Some(&agent.token)).await.status, 204);
    assert_eq!(app.get(&format!("/macros/{mine_id}"), Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn invalid_macros_are_422_with_positions() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let res = app
        .post("/macros", Some(&admin.token), json!({"title": "Bad", "actions": [{"field": "priority", "value": "high"}, {"field": "status", "value": "closed"}]}))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["actions.1.value"].is_array(), "{res:?}");
    let res = app.post("/macros", Some(&admin.token), json!({"title": "No actions"})).await;
    assert!(res.body["errors"]["actions"].is_array(), "{res:?}");
    let res = app
        .post("/macros", Some(&admin.token), json!({"actions": [{"field": "priority", "value": "low"}]}))
        .await;
    assert!(res.body["errors"]["title"].is_array(), "{res:?}");
}

#[tokio::test]
async fn preview_writes_nothing_and_apply_is_one_audited_change() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Printer on fire").await;
    let tid = ticket["id"].as_str().unwrap();
    app.patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"tags": ["old", "keep"]})).await;
    let m = app
        .post(
            "/macros",
            Some(&admin.token),
            json!({"title": "Take it", "actions": [
                {"field": "assignee_id", "value": "current_user"},
                {"field": "status", "value": "pending"},
                {"field": "add_tags", "value": "vip"},
                {"field": "remove_tags", "value": "old"},
                {"field": "comment", "value": {"body": "Hi {{ticket.requester.first_name}}, {{current_user.name}} here about {{ticket.ticket_number}}.", "public": true}}
            ]}),
        )
        .await;
    let mid = m.body["macro"]["id"].as_str().unwrap().to_owned();
    let path = format!("/tickets/{tid}/macros/{mid}/apply");

    let preview = app.get(&path, Some(&agent.token)).await;
    assert_eq!(preview.status, 200, "{preview:?}");
    let result = &preview.body["result"];
    assert_eq!(result["ticket"]["status"], "pending");
    assert_eq!(result["ticket"]["assignee_id"], agent.id.as_str());
    assert_eq!(result["ticket"]["tags"], json!(["keep", "vip"]));
    let number = ticket["ticket_number"].as_str().unwrap();
    assert_eq!(result["comment"]["content"], format!("Hi Casey, Sam Staff here about {number}."));
    let page = app.get(&format!("/tickets/{tid}"), Some(&agent.token)).await;
    assert_eq!(page.body["status"], "new", "the preview wrote nothing");
    assert!(page.body["comments"].as_array().unwrap().is_empty());

    let applied = app.post(&path, Some(&agent.token), json!({})).await;
    assert_eq!(applied.status, 200, "{applied:?}");
    assert_eq!(applied.body["ticket"]["status"], "pending");
    assert_eq!(applied.body["comment"]["is_internal"], false);
    let page = app.get(&format!("/tickets/{tid}"), Some(&agent.token)).await;
    assert_eq!(page.body["tags"], json!(["keep", "vip"]));
    assert_eq!(page.body["comments"].as_array().unwrap().len(), 1);
    let macro_changes: Vec<&Value> =
        page.body["changes"].as_array().unwrap().iter().filter(|c| c["via"] == "macro").collect();
    let fields: Vec<&str> = macro_changes.iter().map(|c| c["field_name"].as_str().unwrap()).collect();
    for f in ["assignee_id", "status", "tags"] {
        assert!(fields.contains(&f), "{f} audited via macro: {fields:?}");
    }
    let used = app.get(&format!("/macros/{mid}"), Some(&agent.token)).await;
    assert_eq!(used.body["macro"]["usage_count"], 1);

    // Not on a closed ticket; not an inactive macro; not a customer.
    assert_eq!(app.post(&path, Some(&customer.token), json!({})).await.status, 403);
    app.post(&format!("/tickets/{tid}/status"), Some(&agent.token), json!({"status": "solved"})).await;
    app.post(&format!("/tickets/{tid}/status"), Some(&agent.token), json!({"status": "closed"})).await;
    let res = app.post(&path, Some(&agent.token), json!({})).await;
    assert_eq!(res.status, 422, "{res:?}");
    assert_eq!(app.get(&path, Some(&agent.token)).await.status, 422);
}
