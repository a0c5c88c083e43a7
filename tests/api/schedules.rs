//! `/schedules` (API.md part 2): business-hours schedules, admins write, staff read.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::json;

#[tokio::test]
async fn admins_define_business_hours_staff_read_them() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    // Monday to Friday 09:00-17:00, Berlin time, closed on New Year's Day.
    let week: Vec<_> =
        (1..=5).map(|d| json!({"start_time": d * 1440 + 540, "end_time": d * 1440 + 1020})).collect();
    let body = json!({"name": "Berlin office", "time_zone": "Europe/Berlin", "intervals": week,
                      "holidays": [{"name": "New Year", "start_date": "2027-01-01", "end_date": "2027-01-01"}]});
    assert_eq!(app.post("/schedules", Some(&agent.token), body.clone()).await.status, 403);
    assert_eq!(app.post("/schedules", Some(&customer.token), body.clone()).await.status, 403);
    let res = app.post("/schedules", Some(&admin.token), body).await;
    assert_eq!(res.status, 201, "{res:?}");
    let s = &res.body["schedule"];
    assert_eq!(s["time_zone"], "Europe/Berlin");
    assert_eq!(s["intervals"].as_array().unwrap().len(), 5);
    assert_eq!(s["holidays"][0]["start_date"], "2027-01-01");
    let path = format!("/schedules/{}", s["id"].as_str().unwrap());

    assert_eq!(app.get(&path, Some(&agent.token)).await.body["schedule"]["name"], "Berlin office");
    assert_eq!(app.get(&path, Some(&customer.token)).await.status, 403);
    let list = app.get("/schedules", Some(&agent.token)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["data"][0]["name"], "Berlin office");

    let res =
        app.patch(&path, Some(&admin.token), json!({"time_zone": "America/New_York", "holidays": []})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["schedule"]["time_zone"], "America/New_York");
    assert!(res.body["schedule"]["holidays"].as_array().unwrap().is_empty());
    assert_eq!(res.body["schedule"]["intervals"].as_array().unwrap().len(), 5, "left alone");

    assert_eq!(app.delete(&path, Some(&agent.token)).await.status, 403);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 204);
    assert_eq!(app.get(&path, Some(&agent.token)).await.status, 404);
}

#[tokio::test]
async fn bad_schedules_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let ok_week = json!([{"start_time": 1980, "end_time": 2460}]);
    for (body, field) in [
        (json!({"time_zone": "UTC", "intervals": ok_week}), "name"),
        (json!({"name": "x", "intervals": ok_week}), "time_zone"),
        (json!({"name": "x", "time_zone": "UTC"}), "intervals"),
        (json!({"name": "x", "time_zone": "Mars/Olympus", "intervals": ok_week}), "time_zone"),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": [{"start_time": 600, "end_time": 500}]}),
            "intervals",
        ),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": [{"start_time": 0, "end_time": 10081}]}),
            "intervals",
        ),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": [{"start_time": 0, "end_time": 600}, {"start_time": 500, "end_time": 900}]}),
            "intervals",
        ),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": [{"start_time": "9am", "end_time": 900}]}),
            "intervals",
        ),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": ok_week, "holidays": [{"name": "h", "start_date": "2027-01-02", "end_date": "2027-01-01"}]}),
            "holidays",
        ),
        (
            json!({"name": "x", "time_zone": "UTC", "intervals": ok_week, "holidays": [{"name": "h", "start_date": "soon", "end_date": "2027-01-01"}]}),
            "holidays",
        ),
        (json!({"name": "x", "time_zone": "UTC", "intervals": "weekdays"}), "intervals"),
    ] {
        let res = app.post("/schedules", Some(&admin.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body}: {res:?}");
        assert!(res.body["errors"][field].is_array(), "{body}: {}", res.body);
    }
}
