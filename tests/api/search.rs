//! `GET /search` (API.md part 2, "Search") against DynamoDB Local, with the index kept by the
//! real stream indexer from the table's stream.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::collections::HashSet;

fn q(s: &str) -> String {
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('"', "%22")
        .replace('#', "%23")
        .replace('+', "%2B")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/search?query={}", q(query)), Some(token)).await;
    assert_eq!(res.status, 200, "{query}: {res:?}");
    res.body
}

fn subjects(page: &Value) -> Vec<String> {
    let mut s: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().or(t["name"].as_str()).unwrap_or_default().to_owned())
        .collect();
    s.sort();
    s
}

/// Every page of a search, following `next_cursor`: the ids in order and the page count.
async fn all_pages(app: &TestApp, token: &str, query: &str, extra: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/search?query={}&per_page=100{extra}", q(query));
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = app.get(&path, Some(token)).await;
        assert_eq!(res.status, 200, "{res:?}");
        pages += 1;
        ids.extend(res.body["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match res.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return (ids, pages),
        }
        assert!(pages < 200, "paging ends");
    }
}

#[tokio::test]
async fn words_prefixes_phrases_negation_and_comments() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let fire = app.ticket(&alice.token, "Printer on fire").await;
    app.ticket(&alice.token, "Printers jammed again").await;
    app.ticket(&alice.token, "Fire drill on Friday").await;
    let fire_path = format!("/tickets/{}", fire["id"].as_str().unwrap());
    let res = app
        .post(
            &format!("{fire_path}/comments"),
            Some(&agent.token),
            json!({"content": "Toner smells of smoke"}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    let res = app
        .post(
            &format!("{fire_path}/comments"),
            Some(&agent.token),
            json!({"content": "Vendor escalation zeppelin", "is_internal": true}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert!(app.run_stream_indexer().await > 0);

    let s = |query: &str| {
        let (app, token, query) = (&app, agent.token.clone(), query.to_owned());
        async move { subjects(&search(app, &token, &query).await) }
    };
    assert_eq!(s("printer").await, ["Printer on fire"], "whole words only");
    assert_eq!(s("print*").await, ["Printer on fire", "Printers jammed again"]);
    assert_eq!(s("printers*").await, ["Printers jammed again"], "a stem longer than six characters");
    assert_eq!(s("\"on fire\"").await, ["Printer on fire"]);
    assert_eq!(s("\"fire on\"").await, Vec::<String>::new());
    assert_eq!(s("fire -drill").await, ["Printer on fire"]);
    assert_eq!(s("fire -\"fire drill\"").await, ["Printer on fire"]);
    assert_eq!(s("smoke").await, ["Printer on fire"], "a word of a public comment");
    assert_eq!(s("zeppelin").await, ["Printer on fire"], "staff find internal-note words");
    assert_eq!(s("type:ticket FIRE").await, ["Fire drill on Friday", "Printer on fire"]);
    assert_eq!(s("nothingmatchesthis").await, Vec::<String>::new());
    let number = fire["ticket_number"].as_str().unwrap();
    assert_eq!(s(number).await, ["Printer on fire"]);

    // The requester: public words yes, internal-note words never, others' tickets never.
    assert_eq!(subjects(&search(&app, &alice.token, "smoke").await), ["Printer on fire"]);
    assert!(subjects(&search(&app, &alice.token, "zeppelin").await).is_empty());
    assert!(subjects(&search(&app, &alice.token, "escal*").await).is_empty());
    let bob = app.customer().await;
    assert!(subjects(&search(&app, &bob.token, "printer").await).is_empty());
    let page = search(&app, &agent.token, "printer").await;
    assert_eq!(page["data"][0]["result_type"], "ticket");
    assert_eq!((page["count"].as_i64(), page["count_exact"].as_bool()), (Some(1), Some(true)));

    // `GET /tickets?search=` is the same engine.
    let res = app.get("/tickets?search=print*", Some(&agent.token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(subjects(&res.body), ["Printer on fire", "Printers jammed again"]);
}

#[tokio::test]
async fn field_filters_and_people() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let urgent = app.ticket(&alice.token, "Server down").await;
    let low = app.ticket(&alice.token, "Server slow").await;
    app.ticket(&alice.token, "Server noisy").await;
    let path = |t: &Value| format!("/tickets/{}", t["id"].as_str().unwrap());
    let res = app
        .patch(&path(&urgent), Some(&agent.token), json!({"priority": "urgent", "tags": ["vip", "outage"]}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    app.post(&format!("{}/assign", path(&urgent)), Some(&agent.token), json!({"assignee_id": agent.id}))
        .await;
    app.patch(&path(&low), Some(&agent.token), json!({"priority": "low", "status": "pending"})).await;
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Tier Two"})).await;
    assert_eq!(group.status, 201, "{group:?}");
    let res =
        app.patch(&path(&low), Some(&agent.token), json!({"group_id": group.body["group"]["id"]})).await;
    assert_eq!(res.status, 200, "{res:?}");
    app.run_stream_indexer().await;

    let s = |query: String| {
        let (app, token) = (&app, agent.token.clone());
        async move { subjects(&search(app, &token, &query).await) }
    };
    assert_eq!(s("priority:urgent".into()).await, ["Server down"]);
    assert_eq!(s("priority>normal".into()).await, ["Server down"]);
    assert_eq!(s("priority<normal".into()).await, ["Server slow"]);
    assert_eq!(s("status:pending".into()).await, ["Server slow"]);
    assert_eq!(s("status<pending server".into()).await, ["Server down", "Server noisy"]);
    assert_eq!(s("-status:pending server".into()).await, ["Server down", "Server noisy"]);
    assert_eq!(s("tags:vip".into()).await, ["Server down"]);
    assert_eq!(s("server -tags:vip".into()).await, ["Server noisy", "Server slow"]);
    assert_eq!(s("assignee:me".into()).await, ["Server down"]);
    assert_eq!(s(format!("assignee:{}", agent.email)).await, ["Server down"]);
    assert_eq!(s("assignee:none server".into()).await, ["Server noisy", "Server slow"]);
    assert_eq!(s(format!("requester:{}", alice.email)).await.len(), 3);
    assert!(s("requester:nobody@example.com".into()).await.is_empty());
    assert_eq!(s("group:\"tier two\"".into()).await, ["Server slow"]);
    assert_eq!(s("via:web server".into()).await.len(), 3);
    assert!(s("via:email".into()).await.is_empty());
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(s(format!("type:ticket created:{today}")).await.len(), 3);
    assert!(s(format!("created:{today}")).await.len() >= 6, "three tickets and three people today");
    assert_eq!(s("created>1hours server".into()).await.len(), 3);
    assert!(s("created<1hours server".into()).await.is_empty());
    assert!(s(format!("updated>{today}")).await.is_empty(), "after today");
    assert_eq!(s("type:ticket updated>2026-01-01 server".into()).await.len(), 3);
    assert!(s("solved>2000-01-01".into()).await.is_empty());

    // Sorting: oldest first on request; the updated order when the candidates are few.
    let res = app.get("/search?query=server&sort_by=created_at&sort_order=asc", Some(&agent.token)).await;
    let order: Vec<&str> =
        res.body["data"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(order, ["Server down", "Server slow", "Server noisy"]);
    let res = app.get("/search?query=server&sort_by=updated_at", Some(&agent.token)).await;
    assert_eq!(res.body["sort_by"], "updated_at");
    assert_eq!(res.body["data"][0]["subject"], "Server slow", "changed last");
}

#[tokio::test]
async fn users_and_organizations_by_name_and_email_for_staff_only() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.customer().await;
    let org = app.post("/organizations", Some(&admin.token), json!({"name": "Globex Corporation"})).await;
    assert_eq!(org.status, 201, "{org:?}");
    app.ticket(&customer.token, "Casey's globex ticket").await;
    app.run_stream_indexer().await;

    let page = search(&app, &admin.token, "type:organization globex").await;
    assert_eq!(subjects(&page), ["Globex Corporation"]);
    assert_eq!(page["data"][0]["result_type"], "organization");
    let page = search(&app, &admin.token, "globex").await;
    assert_eq!(subjects(&page), ["Casey's globex ticket", "Globex Corporation"], "every kind without type:");
    let page = search(&app, &admin.token, &format!("type:user {}", customer.email)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["data"][0]["result_type"], "user");
    assert_eq!(page["data"][0]["email"], customer.email.as_str());
    let page = search(&app, &admin.token, &format!("email:{}", customer.email)).await;
    assert_eq!(page["data"][0]["id"], customer.id.as_str());
    let page = search(&app, &admin.token, "type:user cas*").await;
    assert!(page["data"].as_array().unwrap().iter().any(|u| u["id"] == customer.id.as_str()));
    let page = search(&app, &admin.token, "role:customer casey").await;
    assert!(page["data"].as_array().unwrap().iter().all(|u| u["role"] == "customer"));
    // A customer's user and organization searches are empty pages.
    assert!(search(&app, &customer.token, "type:user casey").await["data"].as_array().unwrap().is_empty());
    assert!(search(&app, &customer.token, "type:organization globex").await["data"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(subjects(&search(&app, &customer.token, "globex").await), ["Casey's globex ticket"]);
}

#[tokio::test]
async fn bad_queries_are_422_naming_the_token() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    for (query, token) in [
        ("status:bogus", "status:bogus"),
        ("printer priority>nope", "priority>nope"),
        ("created>soon", "created>soon"),
        ("assignee>me", "assignee>me"),
        ("type:ticketz", "type:ticketz"),
        ("say \"hello", "\"hello"),
        ("a*", "a*"),
    ] {
        let res = app.get(&format!("/search?query={}", q(query)), Some(&agent.token)).await;
        assert_eq!(res.status, 422, "{query}: {res:?}");
        let message = res.body["errors"]["query"][0].as_str().unwrap();
        assert!(message.contains(&format!("`{token}`")), "{query}: {message}");
    }
    let res = app.get("/search", Some(&agent.token)).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.body["errors"]["query"][0], "The query field is required.");
    let eleven = (0..11).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
    let res = app.get(&format!("/search?query={}", q(&eleven)), Some(&agent.token)).await;
    assert_eq!(res.status, 422);
    let res = app.get("/search?query=x&sort_by=priority", Some(&agent.token)).await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["sort_by"].is_array());
    let res = app.get("/search?query=x&cursor=forged", Some(&agent.token)).await;
    assert_eq!(res.status, 422);
    assert_eq!(app.get("/search?query=x", None).await.status, 401);
}

#[tokio::test]
async fn twelve_hundred_matches_page_out_exactly_once_and_a_customers_old_ticket_is_found() {
    let app = TestApp::spawn_private().await;
    let agent = app.staff(Role::Agent).await;
    let old_timer = app.customer().await;
    let others = app.customer().await;
    let old = app.ticket(&old_timer.token, "Wobbly chair in lobby").await;
    let other_id: uuid::Uuid = others.id.parse().unwrap();
    // 1,200 newer tickets from someone else, all sharing "wobbly".
    app.import_tickets(other_id, (0..1200).map(|_| "Wobbly".to_owned()), 100_000).await;
    let indexed = app.run_stream_indexer().await;
    assert!(indexed >= 1200, "{indexed}");

    let (ids, pages) = all_pages(&app, &agent.token, "wobbly", "").await;
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (1201, 1201), "every match once across {pages} pages");
    assert!(pages >= 13);
    let first = search(&app, &agent.token, "wobbly").await;
    assert_eq!((first["count"].as_i64(), first["count_exact"].as_bool()), (Some(1201), Some(true)));
    // A compound query over more than 1,000 candidates: the count is an upper bound.
    let compound = search(&app, &agent.token, "wobbly chair").await;
    assert_eq!(subjects(&compound), ["Wobbly chair in lobby"]);
    // Oldest first walks the other way, still exactly once.
    let (asc, _) = all_pages(&app, &agent.token, "wobbly", "&sort_order=asc").await;
    assert_eq!(asc.len(), 1201);
    assert_eq!(asc[0], old["id"].as_str().unwrap(), "the oldest first");

    // The customer's search reads their own partition: the old ticket, first page.
    let mine = search(&app, &old_timer.token, "wobbly").await;
    assert_eq!(subjects(&mine), ["Wobbly chair in lobby"]);
    assert_eq!(mine["count"], 1);
    let theirs = app.get("/search?query=wobbly&per_page=5", Some(&others.token)).await;
    assert_eq!(theirs.body["data"].as_array().unwrap().len(), 5);
    assert!(theirs.body["data"].as_array().unwrap().iter().all(|t| t["subject"] != "Wobbly chair in lobby"));
}

#[tokio::test]
async fn the_index_follows_writes_edits_and_deletes_within_one_stream_poll() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let t = app.ticket(&customer.token, "Kettle leaking").await;
    let path = format!("/tickets/{}", t["id"].as_str().unwrap());
    // One poll of the stream (every second in AWS and in `make dev`) indexes a write.
    assert!(subjects(&search(&app, &agent.token, "kettle").await).is_empty(), "not before");
    app.run_stream_indexer().await;
    assert_eq!(subjects(&search(&app, &agent.token, "kettle").await), ["Kettle leaking"]);
    app.patch(&path, Some(&agent.token), json!({"subject": "Toaster sparking", "description": "Sparks fly"}))
        .await;
    app.run_stream_indexer().await;
    assert!(subjects(&search(&app, &agent.token, "kettle").await).is_empty());
    assert_eq!(subjects(&search(&app, &agent.token, "toaster").await), ["Toaster sparking"]);
    assert_eq!(search(&app, &agent.token, "toaster").await["count"], 1);
    assert_eq!(search(&app, &agent.token, "kettle").await["count"], 0, "the counter went down");
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status, 204);
    app.run_stream_indexer().await;
    assert!(subjects(&search(&app, &agent.token, "toaster").await).is_empty());
    assert_eq!(search(&app, &agent.token, "toaster").await["count"], 0);
}

#[tokio::test]
async fn a_record_delivered_again_after_a_crash_counts_nothing_twice() {
    use helpdesk::domain::search::doc::{Scope, SearchDoc};
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let t = app.ticket(&customer.token, "Unique frobnicator").await;
    let id: uuid::Uuid = t["id"].as_str().unwrap().parse().unwrap();
    let ticket = app.state.store.get_ticket(id).await.unwrap().unwrap();
    // Over 99 terms: the counters move in two transactions.
    let mut doc = SearchDoc::of_ticket(&ticket, None);
    doc.add_comment(
        uuid::Uuid::now_v7(),
        &(0..60).map(|n| format!("word{n}")).collect::<Vec<_>>().join(" "),
        false,
    );
    assert!(doc.postings().len() > 99);
    app.state.store.reindex(None, Some(&doc)).await.unwrap();
    // The document write was lost (a crash before step 3): the record comes again.
    app.state.store.reindex(None, Some(&doc)).await.unwrap();
    let terms = [(Scope::Tickets, "w:frobnicator".to_owned()), (Scope::Tickets, "w:word59".to_owned())];
    let counts = app.state.store.term_counts(&terms).await.unwrap();
    assert_eq!((counts[&terms[0]], counts[&terms[1]]), (1, 1));
    let stored = app.state.store.search_doc(id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    // The next version moves them again, once.
    let mut next = stored.clone();
    next.base = "renamed".into();
    app.state.store.reindex(Some(&stored), Some(&next)).await.unwrap();
    app.state.store.reindex(Some(&stored), Some(&next)).await.unwrap();
    let counts = app.state.store.term_counts(&terms).await.unwrap();
    assert_eq!((counts[&terms[0]], counts[&terms[1]]), (0, 1));
}
