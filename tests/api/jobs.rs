//! Off-request work: the stream-fed search index and the automations schedule.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

fn subjects(v: &Value) -> Vec<String> {
    v["data"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn search_finds_words_from_the_stream_index_with_visibility() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let printer = app.ticket(&alice.token, "Printer on FIRE").await;
    app.ticket(&alice.token, "Coffee machine broken").await;
    app.ticket(&bob.token, "Bob's printer jammed").await;
    assert!(app.run_stream_indexer().await > 0);

    let res = app.get("/tickets?search=printer", Some(&agent.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let mut found = subjects(&res.body);
    found.sort();
    assert_eq!(found, ["Bob's printer jammed", "Printer on FIRE"]);
    assert_eq!(
        subjects(&app.get("/tickets?search=fire%20PRINTER", Some(&agent.token)).await.body),
        ["Printer on FIRE"]
    );
    assert_eq!(
        subjects(&app.get("/tickets?search=printer", Some(&alice.token)).await.body),
        ["Printer on FIRE"],
        "customers search their own tickets only"
    );
    assert!(
        subjects(&app.get("/tickets?search=nothing-matches-this", Some(&agent.token)).await.body).is_empty()
    );
    assert_eq!(
        subjects(&app.get("/tickets?search=TKT-000002", Some(&agent.token)).await.body),
        ["Coffee machine broken"]
    );
    assert!(
        subjects(&app.get("/tickets?search=TKT-000003", Some(&alice.token)).await.body).is_empty(),
        "bob's ticket by number"
    );

    // Editing the subject re-indexes it; deleting drops it.
    let path = format!("/tickets/{}", printer["id"].as_str().unwrap());
    app.patch(&path, Some(&agent.token), json!({"subject": "Scanner smoking", "description": "no more"}))
        .await;
    app.run_stream_indexer().await;
    assert_eq!(
        subjects(&app.get("/tickets?search=printer", Some(&agent.token)).await.body),
        ["Bob's printer jammed"]
    );
    assert_eq!(
        subjects(&app.get("/tickets?search=scanner", Some(&agent.token)).await.body),
        ["Scanner smoking"]
    );
    let admin = app.staff(Role::Admin).await;
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 204);
    app.run_stream_indexer().await;
    assert!(subjects(&app.get("/tickets?search=scanner", Some(&agent.token)).await.body).is_empty());
}

#[tokio::test]
async fn the_default_automation_closes_only_tickets_solved_long_enough() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let solved = app.ticket(&customer.token, "Solved").await;
    let open = app.ticket(&customer.token, "Still open").await;
    let path = format!("/tickets/{}", solved["id"].as_str().unwrap());
    app.post(&format!("{path}/assign"), Some(&agent.token), json!({"assignee_id": agent.id})).await;
    app.post(&format!("{path}/status"), Some(&agent.token), json!({"status": "solved"})).await;

    // The clock is injected: three days on, then five.
    let now = helpdesk::clock::now();
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::days(3)),
    )
    .await
    .unwrap();
    // The other default automation mails the survey a day after solve (it changes the ticket).
    assert_eq!((run.automations, run.changed), (2, 1), "the survey, but not yet four days");
    let run = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::days(5)),
    )
    .await
    .unwrap();
    assert_eq!(run.changed, 1);
    let again = crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::days(6)),
    )
    .await
    .unwrap();
    assert_eq!(again.changed, 0, "a closed ticket no longer matches");
    let page = app.get(&path, Some(&agent.token)).await;
    assert_eq!(page.body["status"], "closed");
    let change =
        page.body["changes"].as_array().unwrap().iter().find(|c| c["new_value"] == "closed").unwrap();
    assert_eq!(change["agent_id"], Value::Null);
    assert!(change["action"].as_str().unwrap().starts_with("Status changed from solved to closed"));
    assert_eq!(
        (change["via"].as_str(), change["rule_title"].as_str()),
        (Some("rule"), Some("Close ticket 4 days after it is solved"))
    );
    let other = app.get(&format!("/tickets/{}", open["id"].as_str().unwrap()), Some(&agent.token)).await;
    assert_eq!(other.body["status"], "new");
}
