//! `/users` and `/organizations`.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

#[tokio::test]
async fn users_directory_for_staff_only() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;

    let all = app.get("/users", Some(&agent.token)).await;
    assert_eq!(all.status, 200, "{all:?}");
    assert_eq!(all.body["data"].as_array().unwrap().len(), 3);
    let agents = app.get("/users?role=agent", Some(&agent.token)).await;
    assert_eq!(agents.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(agents.body["data"][0]["id"], agent.id.as_str());
    let by_email = app.get(&format!("/users?search={}", &customer.email[..12]), Some(&admin.token)).await;
    assert_eq!(by_email.body["data"][0]["id"], customer.id.as_str());
    let by_name = app.get("/users?search=casey", Some(&admin.token)).await;
    assert_eq!(by_name.body["data"].as_array().unwrap().len(), 1);
    let paged = app.get("/users?per_page=2", Some(&agent.token)).await;
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 2);
    let next = paged.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/users?per_page=2&cursor={next}"), Some(&agent.token)).await;
    assert_eq!(rest.body["data"].as_array().unwrap().len(), 1);

    let team = app.get("/users/agents", Some(&agent.token)).await;
    assert_eq!(team.status, 200);
    let team = team.body["data"].as_array().unwrap();
    assert_eq!(team.len(), 2);
    assert!(team.iter().all(|u| u["is_online"] == true), "both just signed in");

    assert_eq!(app.get("/users", Some(&customer.token)).await.status, 403);
    assert_eq!(app.get("/users/agents", Some(&customer.token)).await.status, 403);
    assert_eq!(app.get("/users?role=boss", Some(&agent.token)).await.status, 422);
    assert_eq!(app.get("/users", None).await.status, 401);

    assert_eq!(app.get(&format!("/users/{}", customer.id), Some(&agent.token)).await.status, 200);
    assert_eq!(app.get(&format!("/users/{}", customer.id), Some(&customer.token)).await.status, 200);
    assert_eq!(app.get(&format!("/users/{}", agent.id), Some(&customer.token)).await.status, 404);
    assert_eq!(app.get("/users/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn admin_assigns_roles_and_organizations() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let org = app
        .post("/organizations", Some(&admin.token), json!({"name": "Acme", "domain": "acme.example"}))
        .await;
    assert_eq!(org.status, 201, "{org:?}");
    let org_id = org.body["organization"]["id"].as_str().unwrap().to_owned();

    let path = format!("/users/{}/assign", customer.id);
    assert_eq!(app.patch(&path, Some(&agent.token), json!({"role": "agent"})).await.status, 403);
    assert_eq!(app.patch(&path, Some(&customer.token), json!({"role": "admin"})).await.status, 403);
    assert_eq!(app.patch(&path, Some(&admin.token), json!({"role": "boss"})).await.status, 422);
    assert_eq!(
        app.patch(
            &path,
            Some(&admin.token),
            json!({"organization_id": "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506"})
        )
        .await
        .status,
        422
    );
    let res = app.patch(&path, Some(&admin.token), json!({"role": "agent", "organization_id": org_id})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["user"]["role"], "agent");
    assert_eq!(res.body["user"]["organization_id"], org_id.as_str());
    // The new role takes effect on the very next request.
    assert_eq!(app.get("/users", Some(&customer.token)).await.status, 200);
    assert_eq!(
        app.patch(
            "/users/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506/assign",
            Some(&admin.token),
            json!({"role": "agent"})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn organizations_crud_and_permissions() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    assert_eq!(app.post("/organizations", Some(&agent.token), json!({"name": "X"})).await.status, 403);
    assert_eq!(app.post("/organizations", Some(&admin.token), json!({})).await.status, 422);
    assert_eq!(
        app.post("/organizations", Some(&admin.token), json!({"name": "X", "domain": "not a domain"}))
            .await
            .status,
        422
    );
    assert_eq!(
        app.post("/organizations", Some(&admin.token), json!({"name": "X", "settings": [1]})).await.status,
        422
    );
    let created = app
        .post("/organizations", Some(&admin.token), json!({"name": "Globex", "settings": {"sla": "gold"}}))
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["organization"]["id"].as_str().unwrap().to_owned();
    app.post("/organizations", Some(&admin.token), json!({"name": "Acme"})).await;

    let list = app.get("/organizations", Some(&agent.token)).await;
    let names: Vec<&str> =
        list.body["data"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme", "Globex"]);
    assert_eq!(app.get("/organizations", Some(&customer.token)).await.status, 403);
    let show = app.get(&format!("/organizations/{id}"), Some(&agent.token)).await;
    assert_eq!(show.body["organization"]["settings"], json!({"sla": "gold"}));
    assert_eq!(app.get(&format!("/organizations/{id}"), Some(&customer.token)).await.status, 403);
    assert_eq!(
        app.patch(&format!("/organizations/{id}"), Some(&agent.token), json!({"name": "Y"})).await.status,
        403
    );
    let updated =
        app.patch(&format!("/organizations/{id}"), Some(&admin.token), json!({"name": "Globex Corp"})).await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.body["organization"]["name"], "Globex Corp");
    assert_eq!(
        app.get("/organizations/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", Some(&agent.token)).await.status,
        404
    );
    assert_eq!(app.get("/organizations", None).await.status, 401);
}

#[tokio::test]
async fn the_first_admin_is_promoted_from_a_registered_user() {
    let app = TestApp::spawn().await;
    let first = app.customer().await;
    assert_eq!(app.get("/organizations", Some(&first.token)).await.status, 403);
    helpdesk_local::admin::promote(&app.state.store, &first.email.to_uppercase()).await.unwrap();
    let me = app.get("/auth/me", Some(&first.token)).await;
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(app.post("/organizations", Some(&first.token), json!({"name": "Ours"})).await.status, 201);
    assert!(helpdesk_local::admin::promote(&app.state.store, "nobody@example.com").await.is_err());
}
