//! `/groups` and memberships: staff read, admins write, customers get nothing.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

#[tokio::test]
async fn each_role_gets_what_it_may() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let res =
        app.post("/groups", Some(&admin.token), json!({"name": "Billing", "description": "Money"})).await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["group"]["name"], "Billing");
    assert_eq!(res.body["group"]["is_default"], false);
    let gid = res.body["group"]["id"].as_str().unwrap().to_owned();

    for (method, path) in [
        ("GET", "/groups".to_owned()),
        ("GET", format!("/groups/{gid}")),
        ("GET", format!("/groups/{gid}/memberships")),
        ("POST", "/groups".to_owned()),
        ("PATCH", format!("/groups/{gid}")),
        ("DELETE", format!("/groups/{gid}")),
        ("POST", format!("/groups/{gid}/memberships")),
        ("DELETE", format!("/groups/{gid}/memberships/{}", agent.id)),
    ] {
        let body = (method != "GET" && method != "DELETE").then(|| json!({"name": "X", "user_id": agent.id}));
        assert_eq!(
            app.call(method, &path, Some(&customer.token), body.clone()).await.status,
            403,
            "customer {method} {path}"
        );
        let agent_status = app.call(method, &path, Some(&agent.token), body).await.status;
        assert_eq!(agent_status, if method == "GET" { 200 } else { 403 }, "agent {method} {path}");
    }
    assert_eq!(app.get(&format!("/groups/{gid}"), None).await.status, 401);
    assert_eq!(app.get("/groups/not-a-uuid", Some(&agent.token)).await.status, 404);
    assert_eq!(app.get(&format!("/groups/{}", uuid::Uuid::now_v7()), Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn groups_are_validated_listed_by_name_and_have_one_default() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "x\u{202E}y"}),
        json!({"name": "ok", "is_default": "yes"}),
    ] {
        let res = app.post("/groups", Some(&admin.token), bad.clone()).await;
        assert_eq!(res.status, 422, "{bad}: {res:?}");
    }
    let mut ids = Vec::new();
    for name in ["Zeta", "alpha", "Mid"] {
        let res = app.post("/groups", Some(&admin.token), json!({"name": name, "is_default": true})).await;
        ids.push(res.body["group"]["id"].as_str().unwrap().to_owned());
    }
    let page = app.get("/groups?per_page=2", Some(&admin.token)).await;
    let names: Vec<&str> =
        page.body["data"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "Mid"]);
    let next = page.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/groups?per_page=2&cursor={next}"), Some(&admin.token)).await;
    assert_eq!(rest.body["data"][0]["name"], "Zeta");
    let all = app.get("/groups", Some(&admin.token)).await;
    let defaults: Vec<&str> = all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["is_default"] == true)
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["Mid"], "the last one made default is the only default");

    let res = app
        .patch(
            &format!("/groups/{}", ids[0]),
            Some(&admin.token),
            json!({"name": "Omega", "is_default": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["group"]["name"], "Omega");
    let mid = app.get(&format!("/groups/{}", ids[2]), Some(&admin.token)).await;
    assert_eq!(mid.body["group"]["is_default"], false);
}

#[tokio::test]
async fn memberships_take_staff_only_once_with_one_default_per_user() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let g1 = app.post("/groups", Some(&admin.token), json!({"name": "One"})).await.body["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let g2 = app.post("/groups", Some(&admin.token), json!({"name": "Two"})).await.body["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let add = |g: &str, user: &str, default: bool| {
        let (g, user) = (g.to_owned(), user.to_owned());
        let token = admin.token.clone();
        let app = &app;
        async move {
            app.post(
                &format!("/groups/{g}/memberships"),
                Some(&token),
                json!({"user_id": user, "is_default": default}),
            )
            .await
        }
    };
    let res = add(&g1, &agent.id, true).await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["membership"]["user"]["id"], agent.id.as_str());
    assert_eq!(res.body["membership"]["is_default"], true);
    assert_eq!(add(&g1, &agent.id, false).await.status, 422, "already a member");
    let res = add(&g1, &customer.id, false).await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["user_id"].is_array());
    assert_eq!(add(&g1, &uuid::Uuid::now_v7().to_string(), false).await.status, 422, "unknown user");
    let res =
        app.post(&format!("/groups/{g1}/memberships"), Some(&admin.token), json!({"user_id": "nope"})).await;
    assert_eq!(res.status, 422);
    assert_eq!(add(&uuid::Uuid::now_v7().to_string(), &agent.id, false).await.status, 404, "unknown group");

    // A second default membership takes over.
    assert_eq!(add(&g2, &agent.id, true).await.status, 201);
    assert_eq!(add(&g2, &admin.id, false).await.status, 201);
    let one = app.get(&format!("/groups/{g1}/memberships"), Some(&agent.token)).await;
    assert_eq!(one.body["data"][0]["is_default"], false);
    let two = app.get(&format!("/groups/{g2}/memberships"), Some(&agent.token)).await;
    assert_eq!(two.body["data"].as_array().unwrap().len(), 2);

    let path = format!("/groups/{g2}/memberships/{}", agent.id);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 204);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 404);
    assert_eq!(
        app.get(&format!("/groups/{g2}/memberships"), Some(&agent.token)).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Deleting a group takes its memberships with it.
    assert_eq!(app.delete(&format!("/groups/{g1}"), Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&format!("/groups/{g1}"), Some(&admin.token)).await.status, 404);
    let left = app.state.store.groups_of(agent.id.parse().unwrap()).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
}
