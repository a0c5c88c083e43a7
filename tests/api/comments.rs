//! Comments and internal notes; viewers.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

#[tokio::test]
async fn internal_notes_never_reach_customers() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Secret stuff").await;
    let path = format!("/tickets/{}", ticket["id"].as_str().unwrap());

    let note = app
        .post(
            &format!("{path}/comments"),
            Some(&agent.token),
            json!({"content": "INTERNAL-ONLY: customer is cranky", "is_internal": true}),
        )
        .await;
    assert_eq!(note.status, 201, "{note:?}");
    assert_eq!(note.body["is_internal"], true);
    let reply =
        app.post(&format!("{path}/comments"), Some(&agent.token), json!({"content": "We are on it"})).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["author"]["id"], agent.id.as_str());

    let staff_page = app.get(&path, Some(&agent.token)).await;
    assert_eq!(staff_page.body["comments"].as_array().unwrap().len(), 2);
    let staff_list = app.get(&format!("{path}/comments"), Some(&agent.token)).await;
    assert_eq!(staff_list.body["data"].as_array().unwrap().len(), 2);

    let responses = [
        app.get(&path, Some(&customer.token)).await,
        app.get(&format!("{path}/comments"), Some(&customer.token)).await,
        app.get("/tickets", Some(&customer.token)).await,
        app.get("/tickets?search=TKT-000001", Some(&customer.token)).await,
    ];
    for res in &responses {
        assert_eq!(res.status, 200, "{res:?}");
        let text = res.body.to_string();
        assert!(!text.contains("INTERNAL-ONLY"), "{text}");
    }
    assert_eq!(responses[0].body["comments"].as_array().unwrap().len(), 1);
    assert_eq!(responses[1].body["data"].as_array().unwrap().len(), 1);
    // Customers see the agent as a public user only.
    let author = &responses[0].body["comments"][0]["author"];
    assert_eq!(author["id"], agent.id.as_str());
    assert!(author.get("email").is_none(), "{author}");

    let res = app
        .post(
            &format!("{path}/comments"),
            Some(&customer.token),
            json!({"content": "x", "is_internal": true}),
        )
        .await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn comments_move_the_status_and_validate() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Moves").await;
    let path = format!("/tickets/{}", ticket["id"].as_str().unwrap());
    app.post(
        &format!("{path}/comments"),
        Some(&agent.token),
        json!({"content": "note", "is_internal": true}),
    )
    .await;
    assert_eq!(app.get(&path, Some(&agent.token)).await.body["status"], "new", "notes move nothing");
    app.post(&format!("{path}/comments"), Some(&agent.token), json!({"content": "reply"})).await;
    assert_eq!(app.get(&path, Some(&agent.token)).await.body["status"], "open");
    app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "pending"})).await;
    app.post(&format!("{path}/comments"), Some(&customer.token), json!({"content": "more info"})).await;
    let page = app.get(&path, Some(&agent.token)).await;
    assert_eq!(page.body["status"], "open");
    assert!(page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["action"] == "Status changed from pending to open"));

    for body in [
        json!({}),
        json!({"content": ""}),
        json!({"content": 5}),
        json!({"content": "x", "is_internal": "yes"}),
        json!({"content": "x", "attachment_ids": ["0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506"]}),
    ] {
        let res = app.post(&format!("{path}/comments"), Some(&agent.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
    }
    assert_eq!(app.post(&format!("{path}/comments"), None, json!({"content": "x"})).await.status, 401);
}

#[tokio::test]
async fn comment_list_paginates_oldest_first() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Chatty").await;
    let path = format!("/tickets/{}/comments", ticket["id"].as_str().unwrap());
    for i in 0..5 {
        assert_eq!(
            app.post(&path, Some(&customer.token), json!({"content": format!("c{i}")})).await.status,
            201
        );
    }
    let first = app.get(&format!("{path}?per_page=2"), Some(&customer.token)).await;
    let contents = |v: &serde_json::Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["content"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(contents(&first.body), ["c0", "c1"]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app.get(&format!("{path}?per_page=2&cursor={cursor}"), Some(&customer.token)).await;
    assert_eq!(contents(&second.body), ["c2", "c3"]);
    let cursor = second.body["next_cursor"].as_str().unwrap();
    let third = app.get(&format!("{path}?per_page=2&cursor={cursor}"), Some(&customer.token)).await;
    assert_eq!(contents(&third.body), ["c4"]);
    assert_eq!(third.body["next_cursor"], serde_json::Value::Null);
    assert_eq!(app.get(&format!("{path}?cursor=forged"), Some(&customer.token)).await.status, 422);
}

#[tokio::test]
async fn viewers_show_who_looked_recently() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let ticket = app.ticket(&customer.token, "Watched").await;
    let path = format!("/tickets/{}", ticket["id"].as_str().unwrap());
    let res = app.post(&format!("{path}/view"), Some(&agent.token), json!({})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, json!({"message": "Marked as viewed."}));
    app.post(&format!("{path}/view"), Some(&admin.token), json!({})).await;
    let viewers = app.get(&format!("{path}/viewers"), Some(&agent.token)).await;
    assert_eq!(viewers.status, 200);
    let mut who: Vec<String> = viewers.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    who.sort();
    let mut expected = vec![agent.id.clone(), admin.id.clone()];
    expected.sort();
    assert_eq!(who, expected);
    assert_eq!(app.post(&format!("{path}/view"), Some(&customer.token), json!({})).await.status, 403);
    assert_eq!(app.get(&format!("{path}/viewers"), Some(&customer.token)).await.status, 403);
    assert_eq!(app.get(&format!("{path}/viewers"), None).await.status, 401);
    assert_eq!(
        app.get("/tickets/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506/viewers", Some(&agent.token)).await.status,
        404
    );
}
