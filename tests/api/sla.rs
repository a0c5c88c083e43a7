//! SLA clocks on tickets (API.md part 2): the matching policy's metrics start, pause, fulfil
//! and breach in the one change path; breaches are recorded by the timer with nothing else
//! touching the ticket (an injected clock, no sleeping), once, with a change record, a realtime
//! frame for staff, and triggers looking at them; views sort and filter by the next breach.
use crate::helpers::TestApp;
use crate::realtime::{connect, subscribe, wait_for};
use helpdesk::app::sla::sweep;
use helpdesk::clock::parse;
use helpdesk::consumers::StreamConsumer;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::time::Duration;
use time::OffsetDateTime;

fn metric<'a>(ticket: &'a Value, name: &str) -> &'a Value {
    ticket["slas"]["policy_metrics"]
        .as_array()
        .unwrap_or_else(|| panic!("no slas on {ticket}"))
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no {name} in {}", ticket["slas"]))
}

fn at(v: &Value) -> OffsetDateTime {
    parse(v.as_str().unwrap_or_else(|| panic!("not a time: {v}"))).unwrap()
}

fn breach_records(ticket: &Value) -> Vec<Value> {
    ticket["changes"].as_array().unwrap().iter().filter(|c| c["field_name"] == "sla").cloned().collect()
}

async fn policy(app: &TestApp, token: &str) -> String {
    let res = app
        .post(
            "/sla-policies",
            Some(token),
            json!({"title": "Standard", "policy_metrics": [
                {"priority": "normal", "metric": "first_reply_time", "target": 60, "business_hours": false},
                {"priority": "normal", "metric": "next_reply_time", "target": 30, "business_hours": false},
                {"priority": "normal", "metric": "requester_wait_time", "target": 120, "business_hours": false},
                {"priority": "normal", "metric": "resolution_time", "target": 600, "business_hours": false}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["sla_policy"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn clocks_start_breach_on_time_once_and_reply_clocks_follow_public_messages_only() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let policy_id = policy(&app, &admin.token).await;
    // A trigger that looks at breaches: tags the ticket once a clock runs past its target.
    let trigger = app
        .post(
            "/triggers",
            Some(&admin.token),
            json!({"title": "Tag breached", "conditions": {"all": [
                {"field": "hours_until_next_breach", "operator": "less_than", "value": 0}], "any": []},
                "actions": [{"field": "add_tags", "value": "sla_breached"}]}),
        )
        .await;
    assert_eq!(trigger.status, 201, "{trigger:?}");

    let created = app.ticket(&customer.token, "Printer on fire").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/tickets/{id}");
    let t = app.get(&path, Some(&agent.token)).await.body;
    assert_eq!(t["slas"]["policy"], json!({"id": policy_id, "title": "Standard"}));
    let created_at = at(&t["created_at"]);
    let first = metric(&t, "first_reply_time");
    assert_eq!((first["stage"].as_str(), first["target"].as_u64()), (Some("active"), Some(60)));
    assert_eq!(at(&first["breach_at"]), created_at + time::Duration::minutes(60));
    assert_eq!(at(&metric(&t, "resolution_time")["breach_at"]), created_at + time::Duration::minutes(600));
    assert!(t["slas"]["policy_metrics"].as_array().unwrap().iter().all(|m| m["metric"] != "next_reply_time"));
    let mine = app.get(&path, Some(&customer.token)).await.body;
    assert!(mine["slas"].is_null(), "customers never see the clocks: {}", mine["slas"]);

    // The timer before the moment: nothing is due.
    let run = crate::iam::checked("sla-timer", sweep(&app.state, created_at + time::Duration::minutes(59)))
        .await
        .unwrap();
    assert_eq!(run.due, 0);

    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, &id).await;
    // Past the first-reply target with nobody touching the ticket: the timer records it.
    let run = crate::iam::checked("sla-timer", sweep(&app.state, created_at + time::Duration::minutes(61)))
        .await
        .unwrap();
    assert_eq!(run.due, 1);
    let t = app.get(&path, Some(&agent.token)).await.body;
    let first = metric(&t, "first_reply_time");
    assert_eq!(first["stage"], "breached");
    assert_eq!(at(&first["breach_at"]), created_at + time::Duration::minutes(60));
    let records = breach_records(&t);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["via"], "rule");
    assert_eq!(records[0]["rule_id"], policy_id.as_str());
    assert_eq!(records[0]["action"], "SLA first_reply_time (instance 1) breached");
    assert_eq!(at(&records[0]["created_at"]), created_at + time::Duration::minutes(60));
    let frame = wait_for(&mut ws, "ticket.updated", Duration::from_secs(5)).await.expect("a realtime frame");
    assert!(frame["changes"].get("sla").is_some(), "{frame}");
    // The trigger saw the breach ("hours until next breach" is negative while the clock runs).
    assert!(t["tags"].as_array().unwrap().contains(&json!("sla_breached")), "{}", t["tags"]);
    // Timer runs again, later: never a second record for the same breach.
    crate::iam::checked("sla-timer", sweep(&app.state, created_at + time::Duration::minutes(62)))
        .await
        .unwrap();
    crate::iam::checked("sla-timer", sweep(&app.state, created_at + time::Duration::minutes(90)))
        .await
        .unwrap();
    let t = app.get(&path, Some(&agent.token)).await.body;
    assert_eq!(breach_records(&t).len(), 1);

    // An internal note answers nobody; a public reply fulfils the first reply (late: breached).
    let note = json!({"content": "Looking", "is_internal": true});
    assert_eq!(app.post(&format!("{path}/comments"), Some(&agent.token), note).await.status, 201);
    let t = app.get(&path, Some(&agent.token)).await.body;
    assert!(metric(&t, "first_reply_time")["fulfilled_at"].is_null());
    let reply = json!({"content": "On it", "is_internal": false});
    assert_eq!(app.post(&format!("{path}/comments"), Some(&agent.token), reply.clone()).await.status, 201);
    let t = app.get(&path, Some(&agent.token)).await.body;
    let first = metric(&t, "first_reply_time");
    assert_eq!(first["stage"], "breached");
    assert!(!first["fulfilled_at"].is_null());
    assert!(t["slas"]["policy_metrics"].as_array().unwrap().iter().all(|m| m["metric"] != "next_reply_time"));

    // The requester writes: next reply starts from that message; a note does not stop it.
    let ask = json!({"content": "Any news?"});
    let asked = app.post(&format!("{path}/comments"), Some(&customer.token), ask).await;
    assert_eq!(asked.status, 201, "{asked:?}");
    let t = app.get(&path, Some(&agent.token)).await.body;
    let next = metric(&t, "next_reply_time");
    assert_eq!((next["stage"].as_str(), next["instance"].as_u64()), (Some("active"), Some(1)));
    let asked_at = at(&asked.body["created_at"]);
    assert_eq!(at(&next["breach_at"]), asked_at + time::Duration::minutes(30));
    let note = json!({"content": "Still looking", "is_internal": true});
    app.post(&format!("{path}/comments"), Some(&agent.token), note).await;
    let t = app.get(&path, Some(&agent.token)).await.body;
    assert_eq!(metric(&t, "next_reply_time")["stage"], "active");
    app.post(&format!("{path}/comments"), Some(&agent.token), reply).await;
    let t = app.get(&path, Some(&agent.token)).await.body;
    assert_eq!(metric(&t, "next_reply_time")["stage"], "achieved");

    // Requester wait pauses in pending and runs again when the ticket is open.
    let res = app.patch(&path, Some(&agent.token), json!({"status": "pending"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    let wait = metric(&res.body, "requester_wait_time").clone();
    assert_eq!((wait["stage"].as_str(), wait["breach_at"].is_null()), (Some("paused"), true), "{wait}");
    let res = app.patch(&path, Some(&agent.token), json!({"status": "open"})).await;
    assert_eq!(metric(&res.body, "requester_wait_time")["stage"], "active");
}

#[tokio::test]
async fn views_sort_and_filter_by_the_next_breach() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    policy(&app, &admin.token).await;
    let early = app.ticket(&customer.token, "First in line").await;
    let late = app.ticket(&customer.token, "Second in line").await;
    // A low-priority ticket has no target in the policy: no clocks, sorted last.
    let none = app
        .post(
            "/tickets",
            Some(&customer.token),
            json!({"subject": "No hurry", "description": "d", "priority": "low"}),
        )
        .await;
    assert_eq!(none.status, 201, "{none:?}");
    let none = &none.body;
    let ids = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
    };
    let id = |t: &Value| t["id"].as_str().unwrap().to_owned();
    let preview = |order: &str, conditions: Value| json!({"conditions": conditions, "execution": {"sort_by": "next_breach_at", "sort_order": order}});
    let open = json!({"all": [{"field": "status", "operator": "less_than", "value": "solved"}], "any": []});
    let asc = app.post("/views/preview", Some(&admin.token), preview("asc", open.clone())).await;
    assert_eq!(asc.status, 200, "{asc:?}");
    assert_eq!(ids(&asc.body), [id(&early), id(&late), id(none)]);
    // Within the hour: the two with a first-reply target, not the one without clocks.
    let soon = json!({"all": [
        {"field": "status", "operator": "less_than", "value": "solved"},
        {"field": "hours_until_next_breach", "operator": "less_than", "value": 2}], "any": []});
    let res = app.post("/views/preview", Some(&admin.token), preview("desc", soon)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(ids(&res.body), [id(&late), id(&early)]);
}

#[tokio::test]
async fn a_deleted_ticket_leaves_no_timer_behind() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    policy(&app, &admin.token).await;
    let t = app.ticket(&customer.token, "Gone soon").await;
    let created_at = at(&t["created_at"]);
    let later = created_at + time::Duration::days(30);
    assert_eq!(
        app.state.store.tickets_breaching_by(helpdesk::clock::Timestamp(later), 10).await.unwrap().len(),
        1
    );
    let res = app.delete(&format!("/tickets/{}", t["id"].as_str().unwrap()), Some(&admin.token)).await;
    assert_eq!(res.status, 204);
    assert!(app
        .state
        .store
        .tickets_breaching_by(helpdesk::clock::Timestamp(later), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(crate::iam::checked("sla-timer", sweep(&app.state, later)).await.unwrap().due, 0);
}
