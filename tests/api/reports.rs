//! `GET /reports/summary` (API.md part 2): figures from the aggregates the stream reporter keeps
//! equal those computed here from the scripted tickets' own timestamps.
use crate::helpers::{Actor, TestApp};
use helpdesk::clock::{parse, Timestamp};
use helpdesk::consumers::StreamConsumer;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use time::Duration;
use uuid::Uuid;

fn minutes(from: &Value, to: &Value) -> i64 {
    let (a, b) = (parse(from.as_str().unwrap()).unwrap(), parse(to.as_str().unwrap()).unwrap());
    (b - a).whole_seconds() / 60
}

/// Nearest-rank percentile, as documented.
fn rank(values: &[i64], p: f64) -> i64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

/// A ticket of `customer`'s whose creation is moved `ago` into the past (as if it had waited).
async fn waiting(app: &TestApp, customer: &Actor, subject: &str, ago: Duration) -> Value {
    let t = app.ticket(&customer.token, subject).await;
    let id = Uuid::parse_str(t["id"].as_str().unwrap()).unwrap();
    let stored = app.state.store.get_ticket(id).await.unwrap().unwrap();
    let mut older = stored.clone();
    older.created_at = Timestamp(stored.created_at.0 - ago);
    older.updated_stamp = Uuid::now_v7().to_string();
    app.state.store.save_ticket(&stored, &older, vec![]).await.unwrap();
    app.get(&format!("/tickets/{id}"), Some(&customer.token)).await.body
}

#[tokio::test]
async fn summary_figures_equal_those_of_the_scripted_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Tier 2"})).await;
    assert_eq!(group.status, 201, "{group:?}");
    let group_id = group.body["group"]["id"].as_str().unwrap().to_owned();
    let res = app
        .post(&format!("/groups/{group_id}/memberships"), Some(&admin.token), json!({"user_id": agent.id}))
        .await;
    assert!(res.status == 201 || res.status == 200, "{res:?}");

    let t1 = waiting(&app, &customer, "Ninety minutes", Duration::minutes(90)).await;
    let t2 = waiting(&app, &customer, "Half an hour", Duration::minutes(30)).await;
    let t3 = waiting(&app, &customer, "Long wait", Duration::minutes(200)).await;
    // The policy arrives now: first reply within an hour.
    let policy = app
        .post(
            "/sla-policies",
            Some(&admin.token),
            json!({"title": "Hour", "policy_metrics": [
                {"priority": "normal", "metric": "first_reply_time", "target": 60, "business_hours": false}]}),
        )
        .await;
    assert_eq!(policy.status, 201, "{policy:?}");
    let path = |t: &Value| format!("/tickets/{}", t["id"].as_str().unwrap());
    // A policy applies from a ticket's next update (as in Zendesk): T1 and T2 get a tag, T3
    // goes to the group. T1 and T3 are past their hour then (breached at that update).
    for t in [&t1, &t2] {
        let res = app.patch(&path(t), Some(&agent.token), json!({"tags": ["triaged"]})).await;
        assert_eq!(res.status, 200, "{res:?}");
    }
    let res = app.patch(&path(&t3), Some(&agent.token), json!({"group_id": group_id})).await;
    assert_eq!(res.status, 200, "{res:?}");

    let mut first_replies = Vec::new();
    for t in [&t1, &t2, &t3] {
        let reply = app
            .post(
                &format!("{}/comments", path(t)),
                Some(&agent.token),
                json!({"content": "Hello", "is_internal": false}),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        first_replies.push(minutes(&t["created_at"], &reply.body["created_at"]));
    }
    let t3_reply = first_replies[2];
    let mut resolutions = Vec::new();
    for t in [&t1, &t2] {
        let res = app
            .patch(&path(t), Some(&agent.token), json!({"assignee_id": agent.id, "status": "solved"}))
            .await;
        assert_eq!(res.status, 200, "{res:?}");
        resolutions.push(minutes(&t["created_at"], &res.body["updated_at"]));
    }
    // The requester answers T2: reopened.
    let res = app
        .post(&format!("{}/comments", path(&t2)), Some(&customer.token), json!({"content": "Not fixed"}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(app.get(&path(&t2), Some(&agent.token)).await.body["status"], "open");
    // T1 rated good, then bad.
    for score in ["good", "bad"] {
        let res = app
            .post(&format!("{}/satisfaction", path(&t1)), Some(&customer.token), json!({"score": score}))
            .await;
        assert_eq!(res.status, 201, "{res:?}");
    }
    app.run_stream(StreamConsumer::Indexer).await;
    app.run_stream(StreamConsumer::Reporter).await;

    let today = helpdesk::clock::now().date();
    let range = format!("from={}&to={}", today - Duration::days(1), today + Duration::days(1));
    let res = app.get(&format!("/reports/summary?{range}"), Some(&agent.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let r = &res.body;
    assert_eq!(
        (r["created"].as_i64(), r["solved"].as_i64(), r["reopened"].as_i64()),
        (Some(3), Some(2), Some(1)),
        "{r}"
    );
    assert_eq!(
        r["first_reply_minutes"],
        json!({"median": rank(&first_replies, 0.5), "p90": rank(&first_replies, 0.9)})
    );
    assert!(first_replies.iter().all(|m| *m >= 30), "the waits are real: {first_replies:?}");
    assert_eq!(
        r["resolution_minutes"],
        json!({"median": rank(&resolutions, 0.5), "p90": rank(&resolutions, 0.9)})
    );
    // T2 answered within its hour; T1 and T3 had waited longer when the policy arrived.
    assert_eq!(r["sla"]["first_reply_time"], json!({"achieved": 1, "breached": 2}));
    assert_eq!(r["sla"]["resolution_time"], json!({"achieved": 0, "breached": 0}));
    assert_eq!(r["satisfaction"], json!({"good": 1, "bad": 1, "score": 50}));
    assert_eq!(r["backlog"], json!({"new": 0, "open": 2, "on-hold": 0, "pending": 0}));
    let days = r["by_day"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    let sum = |field: &str| days.iter().map(|d| d[field].as_i64().unwrap()).sum::<i64>();
    assert_eq!((sum("created"), sum("solved"), sum("reopened")), (3, 2, 1));

    // The group's report: only what happened while T3 was in it.
    let res = app.get(&format!("/reports/summary?{range}&group_id={group_id}"), Some(&admin.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["created"], 0, "T3 was created before it joined the group");
    assert_eq!(res.body["first_reply_minutes"], json!({"median": t3_reply, "p90": t3_reply}));
    assert_eq!(res.body["backlog"]["open"], 1);

    // Delivered again, a record changes nothing.
    let again = app.get(&format!("/reports/summary?{range}"), Some(&agent.token)).await;
    assert_eq!(again.body["created"], 3);

    // Who and what may be asked.
    assert_eq!(app.get("/reports/summary", Some(&customer.token)).await.status, 403);
    assert_eq!(app.get("/reports/summary?from=yesterday", Some(&agent.token)).await.status, 422);
    assert_eq!(
        app.get("/reports/summary?from=2025-01-01&to=2026-06-01", Some(&agent.token)).await.status,
        422
    );
    assert_eq!(
        app.get("/reports/summary?from=2026-02-01&to=2026-01-01", Some(&agent.token)).await.status,
        422
    );
    assert_eq!(
        app.get(&format!("/reports/summary?group_id={}", Uuid::now_v7()), Some(&agent.token)).await.status,
        422
    );
    let default = app.get("/reports/summary", Some(&agent.token)).await;
    assert_eq!(default.body["by_day"].as_array().unwrap().len(), 30, "the last 30 days by default");
}

#[tokio::test]
async fn a_record_delivered_twice_counts_once() {
    use helpdesk::domain::report::{DayDelta, Scope};
    let app = TestApp::spawn().await;
    let day = helpdesk::clock::now().date();
    let delta = DayDelta { created: 1, first_reply_minutes: vec![42], ..Default::default() };
    let deltas = std::collections::BTreeMap::from([((Scope::Desk, day), delta)]);
    let id = Uuid::now_v7();
    let now = helpdesk::clock::now().unix_timestamp();
    for _ in 0..3 {
        app.state.store.add_report_deltas(id, "v1", &deltas, now).await.unwrap();
    }
    // The next version of the same ticket counts again.
    app.state.store.add_report_deltas(id, "v2", &deltas, now).await.unwrap();
    let rows = app.state.store.report_days(&Scope::Desk, day, day).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].delta.created, rows[0].delta.first_reply_minutes.clone()), (2, vec![42, 42]));
}
