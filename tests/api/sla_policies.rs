//! `/sla-policies` (API.md part 2): admins define and order policies, staff read them.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

#[tokio::test]
async fn admins_define_and_order_policies_staff_read_them() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let schedule = app
        .post(
            "/schedules",
            Some(&admin.token),
            json!({"name": "Office", "time_zone": "UTC", "intervals": [{"start_time": 1980, "end_time": 2460}]}),
        )
        .await;
    assert_eq!(schedule.status, 201, "{schedule:?}");
    let schedule_id = schedule.body["schedule"]["id"].as_str().unwrap().to_owned();
    let urgent = json!({"title": "Urgent first",
        "filter": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
        "schedule_id": schedule_id,
        "policy_metrics": [
            {"priority": "urgent", "metric": "first_reply_time", "target": 30, "business_hours": false},
            {"priority": "urgent", "metric": "resolution_time", "target": 480, "business_hours": true}]});
    assert_eq!(app.post("/sla-policies", Some(&agent.token), urgent.clone()).await.status, 403);
    let first = app.post("/sla-policies", Some(&admin.token), urgent).await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(first.body["sla_policy"]["position"], 0);
    assert_eq!(first.body["sla_policy"]["filter"]["all"][0]["value"], "urgent");
    let everyone = json!({"title": "Everyone", "policy_metrics": [
        {"priority": "normal", "metric": "first_reply_time", "target": 240, "business_hours": false}]});
    let second = app.post("/sla-policies", Some(&admin.token), everyone).await;
    assert_eq!(second.status, 201, "{second:?}");
    assert_eq!(second.body["sla_policy"]["position"], 1, "new policies go last");
    assert_eq!(second.body["sla_policy"]["filter"], json!({"all": [], "any": []}));

    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
    };
    let (a, b) = (
        first.body["sla_policy"]["id"].as_str().unwrap().to_owned(),
        second.body["sla_policy"]["id"].as_str().unwrap().to_owned(),
    );
    let list = app.get("/sla-policies", Some(&agent.token)).await;
    assert_eq!(ids(&list.body), [a.clone(), b.clone()]);
    assert_eq!(app.get("/sla-policies", Some(&customer.token)).await.status, 403);
    let res = app.put("/sla-policies/reorder", Some(&admin.token), json!({"ids": [b, a]})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(ids(&app.get("/sla-policies", Some(&agent.token)).await.body), [b.clone(), a.clone()]);
    let res = app.put("/sla-policies/reorder", Some(&admin.token), json!({"ids": [b]})).await;
    assert_eq!(res.status, 422, "every policy exactly once");

    let path = format!("/sla-policies/{a}");
    let res = app.patch(&path, Some(&admin.token), json!({"title": "Urgent tickets"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["sla_policy"]["policy_metrics"].as_array().unwrap().len(), 2, "left alone");
    // Business-hours targets need a schedule.
    let res = app.patch(&path, Some(&admin.token), json!({"schedule_id": null})).await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["schedule_id"].is_array());
    assert_eq!(app.get(&path, Some(&agent.token)).await.body["sla_policy"]["title"], "Urgent tickets");
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&path, Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn bad_policies_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let target =
        json!([{"priority": "low", "metric": "first_reply_time", "target": 60, "business_hours": false}]);
    for (body, field) in [
        (json!({"policy_metrics": target}), "title"),
        (json!({"title": "x"}), "policy_metrics"),
        (
            json!({"title": "x", "policy_metrics": [{"priority": "low", "metric": "speed", "target": 60, "business_hours": false}]}),
            "policy_metrics",
        ),
        (
            json!({"title": "x", "policy_metrics": [{"priority": "low", "metric": "first_reply_time", "target": 0, "business_hours": false}]}),
            "policy_metrics",
        ),
        (
            json!({"title": "x", "policy_metrics": target, "filter": {"all": [{"field": "colour", "operator": "is", "value": "red"}]}}),
            "filter.all.0.field",
        ),
        (json!({"title": "x", "policy_metrics": target, "filter": "urgent"}), "filter"),
        (
            json!({"title": "x", "policy_metrics": target, "schedule_id": "0190f3a4-5c5c-7000-8000-00000000005c"}),
            "schedule_id",
        ),
        (
            json!({"title": "x", "policy_metrics": [{"priority": "low", "metric": "first_reply_time", "target": 60, "business_hours": true}]}),
            "schedule_id",
        ),
    ] {
        let res = app.post("/sla-policies", Some(&admin.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
        assert!(res.body["errors"][field].is_array(), "{body}: {}", res.body);
    }
}
