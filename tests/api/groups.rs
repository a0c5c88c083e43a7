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

#[tokio::test]
async fn tickets_carry_a_group_whose_members_alone_may_be_assigned() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let member = app.staff(Role::Agent).await;
    let outsider = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let group = |name: &str| {
        let (name, token) = (name.to_owned(), admin.token.clone());
        let app = &app;
        async move {
            app.post("/groups", Some(&token), json!({"name": name})).await.body["group"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let billing = group("Billing").await;
    let sales = group("Sales").await;
    let add = |g: &str, user: &str, default: bool| {
        let path = format!("/groups/{g}/memberships");
        let body = json!({"user_id": user, "is_default": default});
        let token = admin.token.clone();
        let app = &app;
        async move { assert_eq!(app.post(&path, Some(&token), body).await.status, 201) }
    };
    add(&billing, &member.id, false).await;
    add(&sales, &outsider.id, true).await;

    // Create with a group; a customer may not set one; an unknown group is 422.
    let res = app
        .post("/tickets", Some(&member.token), json!({"subject": "Invoice", "description": "Wrong", "requester_id": customer.id, "group_id": billing}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["group_id"], billing.as_str());
    let tid = res.body["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            "/tickets",
            Some(&customer.token),
            json!({"subject": "s", "description": "d", "group_id": billing}),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = app
        .post(
            "/tickets",
            Some(&member.token),
            json!({"subject": "s", "description": "d", "group_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["group_id"].is_array());

    // Only a member of the ticket's group may be its assignee.
    let res = app
        .post(&format!("/tickets/{tid}/assign"), Some(&member.token), json!({"assignee_id": outsider.id}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["errors"]["assignee_id"].is_array());
    let res = app
        .post(&format!("/tickets/{tid}/assign"), Some(&member.token), json!({"assignee_id": member.id}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    // Moving it to a group its assignee is not in is refused too; with a member it is fine.
    let res = app.patch(&format!("/tickets/{tid}"), Some(&member.token), json!({"group_id": sales})).await;
    assert_eq!(res.status, 422, "{res:?}");
    let res = app
        .patch(
            &format!("/tickets/{tid}"),
            Some(&member.token),
            json!({"group_id": sales, "assignee_id": outsider.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let page = app.get(&format!("/tickets/{tid}"), Some(&admin.token)).await;
    let actions: Vec<&str> = page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field_name"] == "group_id")
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, [format!("Group changed from {billing} to {sales}")], "the group change is audited");

    // An assignee on a ticket without a group brings their default group.
    let plain = app.ticket(&customer.token, "No group yet").await;
    let pid = plain["id"].as_str().unwrap();
    let res = app
        .post(&format!("/tickets/{pid}/assign"), Some(&admin.token), json!({"assignee_id": outsider.id}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["ticket"]["group_id"], sales.as_str(), "{res:?}");

    // Lists by group, and tickets without one.
    let other = app.ticket(&customer.token, "Still no group").await;
    let ids = |path: String| {
        let token = admin.token.clone();
        let app = &app;
        async move {
            let res = app.get(&path, Some(&token)).await;
            assert_eq!(res.status, 200, "{res:?}");
            res.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let in_sales = ids(format!("/tickets?group_id={sales}")).await;
    assert_eq!(in_sales.len(), 2);
    assert!(in_sales.contains(&tid) && in_sales.contains(&pid.to_owned()));
    assert_eq!(ids("/tickets?group_id=none".to_owned()).await, [other["id"].as_str().unwrap().to_owned()]);
    assert!(ids(format!("/tickets?group_id={billing}")).await.is_empty());
    assert_eq!(app.get("/tickets?group_id=nope", Some(&admin.token)).await.status, 422);
    // A customer filtering by group still gets only their own tickets.
    let stranger = app.customer().await;
    let mine = app.get(&format!("/tickets?group_id={sales}"), Some(&stranger.token)).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body["data"].as_array().unwrap().is_empty(), "{mine:?}");

    // A group with tickets cannot be deleted; an empty one can.
    assert_eq!(app.delete(&format!("/groups/{sales}"), Some(&admin.token)).await.status, 422);
    assert_eq!(app.delete(&format!("/groups/{billing}"), Some(&admin.token)).await.status, 204);
}
