//! `/views`: the default views and their counts, restrictions, validation, every order, paging
//! while tickets change, the read bound on selective views, counts by counters and by walks,
//! and preview.
use crate::helpers::{Actor, TestApp};
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

const UNSOLVED: &str = r#"{"field": "status", "operator": "less_than", "value": "solved"}"#;

fn unsolved() -> Value {
    serde_json::from_str(UNSOLVED).unwrap()
}

async fn staff_ticket(app: &TestApp, staff: &Actor, requester: &str, subject: &str, extra: Value) -> Value {
    let mut body = json!({"subject": subject, "description": "d", "requester_id": requester});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app.post("/tickets", Some(&staff.token), body).await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body
}

async fn view(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.post("/views", Some(token), body).await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["view"]["id"].as_str().unwrap().to_owned()
}

/// Every page of a view's tickets (ids, in order), and how many pages it took.
async fn all_pages(app: &TestApp, token: &str, path: &str, per_page: usize) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut url = format!("{path}?per_page={per_page}");
    let mut pages = 0;
    loop {
        let res = app.get(&url, Some(token)).await;
        assert_eq!(res.status, 200, "{res:?}");
        pages += 1;
        ids.extend(res.body["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match res.body["next_page_url"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return (ids, pages),
        }
        assert!(pages < 200, "paging ends");
    }
}

async fn count(app: &TestApp, token: &str, id: &str) -> Value {
    let res = app.get(&format!("/views/{id}/count"), Some(token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["view_count"].clone()
}

#[tokio::test]
async fn a_new_desk_has_the_six_default_views_with_counts() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let res = app.get("/views", Some(&agent.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let views: HashMap<String, String> = res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["title"].as_str().unwrap().to_owned(), v["id"].as_str().unwrap().to_owned()))
        .collect();
    let titles: Vec<&str> =
        res.body["data"].as_array().unwrap().iter().map(|v| v["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Your unsolved tickets",
            "Unassigned tickets",
            "All unsolved tickets",
            "Recently updated tickets",
            "Pending tickets",
            "Recently solved tickets"
        ]
    );
    // Asking again creates nothing more.
    assert_eq!(app.get("/views", Some(&agent.token)).await.body["data"].as_array().unwrap().len(), 6);

    let mine = staff_ticket(&app, &agent, &customer.id, "Mine", json!({"assignee_id": agent.id})).await;
    staff_ticket(&app, &agent, &customer.id, "Nobody's", json!({})).await;
    let pending = staff_ticket(&app, &agent, &customer.id, "Waiting", json!({})).await;
    let res = app
        .patch(
            &format!("/tickets/{}", pending["id"].as_str().unwrap()),
            Some(&agent.token),
            json!({"status": "pending"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    app.run_stream_indexer().await;
    // A second pass over the same stream records (a redelivery) changes no count.
    app.run_stream_indexer().await;

    let expect = [
        ("Your unsolved tickets", 1),
        ("Unassigned tickets", 2),
        ("All unsolved tickets", 3),
        ("Recently updated tickets", 3),
        ("Pending tickets", 1),
        ("Recently solved tickets", 0),
    ];
    for (title, n) in expect {
        let c = count(&app, &agent.token, &views[title]).await;
        assert_eq!(c["value"], n, "{title}: {c}");
        assert_eq!(c["view_id"], views[title].as_str());
    }
    let ids: Vec<&str> = expect.iter().map(|(t, _)| views[*t].as_str()).collect();
    let res = app.get(&format!("/views/count_many?ids={}", ids.join(",")), Some(&agent.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let values: Vec<&Value> =
        res.body["view_counts"].as_array().unwrap().iter().map(|c| &c["value"]).collect();
    assert_eq!(values, [1, 2, 3, 3, 1, 0].map(Value::from).iter().collect::<Vec<_>>());

    let (yours, _) =
        all_pages(&app, &agent.token, &format!("/views/{}/tickets", views["Your unsolved tickets"]), 25)
            .await;
    assert_eq!(yours, [mine["id"].as_str().unwrap()]);
    // "current_user" is whoever looks: another agent has none of their own.
    let other = app.staff(Role::Agent).await;
    assert_eq!(count(&app, &other.token, &views["Your unsolved tickets"]).await["value"], 0);
    let (theirs, _) =
        all_pages(&app, &other.token, &format!("/views/{}/tickets", views["Your unsolved tickets"]), 25)
            .await;
    assert!(theirs.is_empty());
}

#[tokio::test]
async fn who_may_see_use_and_change_a_view() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let other = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let conditions = json!({"all": [unsolved()]});

    let personal = view(&app, &agent.token, json!({"title": "Mine", "conditions": conditions})).await;
    let shared =
        view(&app, &admin.token, json!({"title": "Shared", "conditions": conditions, "position": 9})).await;
    let res = app
        .post(
            "/views",
            Some(&agent.token),
            json!({"title": "x", "conditions": conditions, "restriction": null}),
        )
        .await;
    assert_eq!(res.status, 422, "agents make personal views only: {res:?}");

    // Customers: 403 on every route.
    for (method, path) in [
        ("GET", "/views".to_owned()),
        ("POST", "/views".to_owned()),
        ("GET", format!("/views/{shared}")),
        ("PATCH", format!("/views/{shared}")),
        ("DELETE", format!("/views/{shared}")),
        ("GET", format!("/views/{shared}/tickets")),
        ("GET", format!("/views/{shared}/count")),
        ("GET", format!("/views/count_many?ids={shared}")),
        ("POST", "/views/preview".to_owned()),
    ] {
        let body =
            (method == "POST" || method == "PATCH").then(|| json!({"title": "x", "conditions": conditions}));
        let res = app.call(method, &path, Some(&customer.token), body).await;
        assert_eq!(res.status, 403, "{method} {path}: {res:?}");
        let res = app.call(method, &path, None, None).await;
        assert_eq!(res.status, 401, "{method} {path} without a token");
    }

    // A personal view is invisible to another agent, everywhere.
    for path in [
        format!("/views/{personal}"),
        format!("/views/{personal}/tickets"),
        format!("/views/{personal}/count"),
    ] {
        assert_eq!(app.get(&path, Some(&other.token)).await.status, 404, "{path}");
        assert_eq!(app.get(&path, Some(&agent.token)).await.status, 200, "{path}");
    }
    let res = app.get(&format!("/views/count_many?ids={personal},{shared}"), Some(&other.token)).await;
    assert_eq!(res.body["view_counts"].as_array().unwrap().len(), 1, "{res:?}");
    let titles = |body: &Value| -> Vec<String> {
        body["data"].as_array().unwrap().iter().map(|v| v["title"].as_str().unwrap().to_owned()).collect()
    };
    let res = app.get("/views", Some(&other.token)).await;
    assert!(!titles(&res.body).contains(&"Mine".to_owned()));
    assert!(titles(&app.get("/views", Some(&agent.token)).await.body).contains(&"Mine".to_owned()));

    // Writes: the owner or an admin.
    assert_eq!(
        app.patch(&format!("/views/{shared}"), Some(&agent.token), json!({"title": "no"})).await.status,
        403
    );
    assert_eq!(app.delete(&format!("/views/{shared}"), Some(&agent.token)).await.status, 403);
    let res = app
        .patch(
            &format!("/views/{personal}"),
            Some(&agent.token),
            json!({"title": "Still mine", "active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["view"]["active"], false);
    assert!(!titles(&app.get("/views", Some(&agent.token)).await.body).contains(&"Still mine".to_owned()));
    assert!(titles(&app.get("/views?include_inactive=true", Some(&agent.token)).await.body)
        .contains(&"Still mine".to_owned()));
    for bad in ["", "yes", "1"] {
        let res = app.get(&format!("/views?include_inactive={bad}"), Some(&agent.token)).await;
        assert_eq!(res.status, 422, "include_inactive={bad:?}: {res:?}");
        assert_eq!(
            res.body["errors"]["include_inactive"][0],
            "The include inactive field must be true or false."
        );
    }
    assert_eq!(app.delete(&format!("/views/{personal}"), Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&format!("/views/{personal}"), Some(&agent.token)).await.status, 404);

    // A group's view: its members only.
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Billing"})).await;
    let gid = group.body["group"]["id"].as_str().unwrap().to_owned();
    let res = app
        .post(&format!("/groups/{gid}/memberships"), Some(&admin.token), json!({"user_id": agent.id}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    let billing = view(
        &app,
        &admin.token,
        json!({"title": "Billing queue", "conditions": {"all": [{"field": "group_id", "operator": "is", "value": gid}]}, "restriction": {"type": "group", "id": gid}}),
    )
    .await;
    assert_eq!(app.get(&format!("/views/{billing}"), Some(&agent.token)).await.status, 200);
    assert_eq!(app.get(&format!("/views/{billing}"), Some(&other.token)).await.status, 404);
    assert_eq!(app.get("/views/not-a-uuid", Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn invalid_views_are_422_with_positions() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let cases = [
        // No anchor: `is_not`, `any`, or fields no index serves.
        (
            json!({"title": "t", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "high"}]}}),
            "conditions.all",
        ),
        (json!({"title": "t", "conditions": {"all": [], "any": [unsolved()]}}), "conditions.all"),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "assignee_id", "operator": "is_not", "value": ""}]}}),
            "conditions.all",
        ),
        (
            json!({"title": "t", "conditions": {"all": [unsolved(), {"field": "status", "operator": "includes", "value": "open"}]}}),
            "conditions.all.1.operator",
        ),
        (
            json!({"title": "t", "conditions": {"all": [unsolved()], "any": [{"field": "nope", "operator": "is", "value": 1}]}}),
            "conditions.any.0.field",
        ),
        (
            json!({"title": "t", "conditions": {"all": [{"field": "status", "operator": "is", "value": "done"}]}}),
            "conditions.all.0.value",
        ),
        (
            json!({"title": "t", "conditions": {"all": [unsolved()]}, "execution": {"sort_by": "subject"}}),
            "execution.sort_by",
        ),
        (
            json!({"title": "t", "conditions": {"all": [unsolved()]}, "execution": {"sort_order": "up"}}),
            "execution.sort_order",
        ),
        (
            json!({"title": "t", "conditions": {"all": [unsolved()]}, "execution": {"columns": ["nope"]}}),
            "execution.columns.0",
        ),
        (json!({"title": "t", "conditions": {"all": [unsolved()]}, "execution": null}), "execution"),
        (json!({"conditions": {"all": [unsolved()]}}), "title"),
        (json!({"title": "t"}), "conditions"),
        (json!({"title": "t", "conditions": "status"}), "conditions"),
    ];
    for (body, key) in cases {
        let res = app.post("/views", Some(&admin.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
        assert!(res.body["errors"][key].is_array(), "{body}: {key} in {}", res.body);
        let res = app.post("/views/preview", Some(&admin.token), body.clone()).await;
        if key != "title" {
            assert_eq!(res.status, 422, "preview {body}: {res:?}");
        }
    }
    let res = app.get("/views/count_many?ids=", Some(&admin.token)).await;
    assert_eq!(res.status, 422);
    let many: Vec<String> = (0..21).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    assert_eq!(
        app.get(&format!("/views/count_many?ids={}", many.join(",")), Some(&admin.token)).await.status,
        422
    );
    assert_eq!(app.get("/views/count_many?ids=x", Some(&admin.token)).await.status, 422);
    let id = view(&app, &admin.token, json!({"title": "t", "conditions": {"all": [unsolved()]}})).await;
    let res = app.get(&format!("/views/{id}/tickets?cursor=forged"), Some(&admin.token)).await;
    assert_eq!(res.status, 422);
}

#[tokio::test]
async fn every_order_and_paging_while_tickets_change() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    let priorities = ["low", "normal", "high", "urgent"];
    let mut ids = Vec::new();
    for i in 0..24 {
        let t = staff_ticket(
            &app,
            &admin,
            &customer.id,
            &format!("T{i}"),
            json!({"priority": priorities[i % 4]}),
        )
        .await;
        ids.push(t["id"].as_str().unwrap().to_owned());
    }
    let by = |sort_by: &str, order: &str| json!({"title": format!("{sort_by} {order}"), "conditions": {"all": [unsolved()]}, "execution": {"sort_by": sort_by, "sort_order": order}});
    let newest_first = view(&app, &admin.token, by("updated_at", "desc")).await;
    let oldest_first = view(&app, &admin.token, by("updated_at", "asc")).await;
    let (desc, _) = all_pages(&app, &admin.token, &format!("/views/{newest_first}/tickets"), 5).await;
    let reversed: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(desc, reversed);
    let (asc, _) = all_pages(&app, &admin.token, &format!("/views/{oldest_first}/tickets"), 5).await;
    assert_eq!(asc, ids);

    // Priority, descending: urgent first; ties newest first... by id, descending.
    let by_priority = view(&app, &admin.token, by("priority", "desc")).await;
    let res = app.get(&format!("/views/{by_priority}/tickets?per_page=100"), Some(&admin.token)).await;
    assert_eq!(res.body["truncated"], false);
    let got: Vec<&str> =
        res.body["data"].as_array().unwrap().iter().map(|t| t["priority"].as_str().unwrap()).collect();
    let mut want = got.clone();
    want.sort_by_key(|p| std::cmp::Reverse(priorities.iter().position(|x| x == p)));
    assert_eq!(got, want);
    assert_eq!(got.len(), 24);
    let by_created = view(&app, &admin.token, by("created_at", "asc")).await;
    let (created, pages) = all_pages(&app, &admin.token, &format!("/views/{by_created}/tickets"), 7).await;
    assert_eq!((created, pages), (ids.clone(), 4));
    for sort in ["status", "due_date", "requester", "assignee"] {
        let v = view(&app, &admin.token, by(sort, "asc")).await;
        let (got, _) = all_pages(&app, &admin.token, &format!("/views/{v}/tickets"), 10).await;
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), 24, "{sort}");
    }

    // Paging while tickets change: no ticket twice, every unchanged ticket exactly once.
    for v in [&newest_first, &oldest_first, &by_priority] {
        let mut seen = Vec::new();
        let mut changed = HashSet::new();
        let mut url = format!("/views/{v}/tickets?per_page=5");
        let mut round = 0;
        loop {
            let res = app.get(&url, Some(&admin.token)).await;
            assert_eq!(res.status, 200, "{res:?}");
            seen.extend(
                res.body["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()),
            );
            // Touch one ticket already seen and one not yet seen.
            for id in [seen.first().cloned(), ids.iter().rev().find(|i| !seen.contains(i)).cloned()]
                .into_iter()
                .flatten()
            {
                let res = app
                    .patch(
                        &format!("/tickets/{id}"),
                        Some(&admin.token),
                        json!({"subject": format!("Edit {round}")}),
                    )
                    .await;
                assert_eq!(res.status, 200);
                changed.insert(id);
            }
            round += 1;
            match res.body["next_page_url"].as_str() {
                Some(next) => url = next.to_owned(),
                None => break,
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "a ticket came twice in {v}: {seen:?}");
        for id in ids.iter().filter(|i| !changed.contains(*i)) {
            assert!(seen.contains(id), "unchanged {id} missing from {v}");
        }
    }
}

#[tokio::test]
async fn a_selective_view_reads_a_bounded_part_per_page() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    // One urgent ticket, then 410 normal ones above it in the `updated_at` order (written in
    // bulk, as an import would: the view reads them the same way).
    let rare = staff_ticket(&app, &admin, &customer.id, "Rare", json!({"priority": "urgent"})).await;
    let requester: uuid::Uuid = customer.id.parse().unwrap();
    app.import_tickets(requester, (0..410u64).map(|n| format!("Normal {n}")), 10_000).await;
    let urgent = view(
        &app,
        &admin.token,
        json!({"title": "Urgent", "conditions": {"all": [unsolved(), {"field": "priority", "operator": "is", "value": "urgent"}]}}),
    )
    .await;
    // 4 rounds of 100 index items per partition cannot reach it: a short (empty) page, a cursor.
    let first = app.get(&format!("/views/{urgent}/tickets?per_page=25"), Some(&admin.token)).await;
    assert_eq!(first.status, 200);
    assert!(first.body["data"].as_array().unwrap().is_empty(), "{}", first.body["data"]);
    assert!(first.body["next_cursor"].is_string());
    let (found, pages) = all_pages(&app, &admin.token, &format!("/views/{urgent}/tickets"), 25).await;
    assert_eq!(found, [rare["id"].as_str().unwrap()]);
    assert!(pages >= 2);

    // Its count is walked (priority is no counter): under way, then exact, then cached.
    let mut c = count(&app, &admin.token, &urgent).await;
    let mut asks = 1;
    while c["value"].is_null() {
        assert_eq!(c["fresh"], false);
        c = count(&app, &admin.token, &urgent).await;
        asks += 1;
        assert!(asks < 10, "a walk ends");
    }
    assert_eq!(c["value"], 1, "{c}");
    let again = count(&app, &admin.token, &urgent).await;
    assert_eq!((again["value"].clone(), again["fresh"].clone()), (json!(1), json!(false)), "cached");
}

#[tokio::test]
async fn preview_shows_what_a_view_would_hold() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let other = app.customer().await;
    staff_ticket(&app, &agent, &customer.id, "A", json!({"tags": ["vip"]})).await;
    staff_ticket(&app, &agent, &customer.id, "B", json!({})).await;
    staff_ticket(&app, &agent, &other.id, "C", json!({"tags": ["vip"]})).await;
    let res = app
        .post(
            "/views/preview?per_page=10",
            Some(&agent.token),
            json!({"conditions": {"all": [{"field": "requester_id", "operator": "is", "value": customer.id}], "any": [{"field": "tags", "operator": "includes", "value": "vip"}]}}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let subjects: Vec<&str> =
        res.body["data"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["A"]);
    let before = app.get("/views", Some(&agent.token)).await.body["data"].as_array().unwrap().len();
    assert_eq!(before, 6, "a preview saves nothing");
}
