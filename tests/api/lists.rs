//! `GET /tickets`: filters, visibility, cursor pagination.
use crate::helpers::TestApp;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use std::collections::HashSet;

fn ids(v: &Value) -> Vec<String> {
    v["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn filters_and_customer_visibility() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let a1 = app.ticket(&alice.token, "a1").await;
    let a2 = app.ticket(&alice.token, "a2").await;
    let b1 = app.ticket(&bob.token, "b1").await;
    let tid = |t: &Value| t["id"].as_str().unwrap().to_owned();
    app.patch(
        &format!("/tickets/{}", tid(&a2)),
        Some(&agent.token),
        json!({"priority": "high", "tags": ["vip"]}),
    )
    .await;
    app.post(&format!("/tickets/{}/assign", tid(&b1)), Some(&agent.token), json!({"assignee_id": agent.id}))
        .await;
    app.post(&format!("/tickets/{}/status", tid(&b1)), Some(&agent.token), json!({"status": "pending"}))
        .await;

    let all = app.get("/tickets", Some(&agent.token)).await;
    assert_eq!(all.status, 200, "{all:?}");
    assert_eq!(ids(&all.body), [tid(&b1), tid(&a2), tid(&a1)], "newest updated first");
    assert_eq!(all.body["path"], "/tickets");
    assert_eq!(all.body["per_page"], 25);
    assert_eq!(all.body["next_cursor"], Value::Null);

    let check = |q: &str, expected: Vec<String>| {
        let app = &app;
        let token = agent.token.clone();
        let q = q.to_owned();
        async move {
            let res = app.get(&format!("/tickets?{q}"), Some(&token)).await;
            assert_eq!(res.status, 200, "{q}: {res:?}");
            assert_eq!(ids(&res.body), expected, "{q}");
        }
    };
    check("status[]=pending", vec![tid(&b1)]).await;
    check("status[]=new&status[]=pending", vec![tid(&b1), tid(&a2), tid(&a1)]).await;
    check("status=new,pending", vec![tid(&b1), tid(&a2), tid(&a1)]).await;
    check("priority[]=high", vec![tid(&a2)]).await;
    check("priority[]=high&status[]=new", vec![tid(&a2)]).await;
    check(&format!("assignee_id={}", agent.id), vec![tid(&b1)]).await;
    check("assignee_id=none", vec![tid(&a2), tid(&a1)]).await;
    check(&format!("requester_id={}", alice.id), vec![tid(&a2), tid(&a1)]).await;
    check(&format!("requester_id={}&priority[]=normal", alice.id), vec![tid(&a1)]).await;
    check("tag=vip", vec![tid(&a2)]).await;

    // Customers see their own tickets whatever they ask for.
    let mine = app.get(&format!("/tickets?requester_id={}", bob.id), Some(&alice.token)).await;
    assert_eq!(ids(&mine.body), [tid(&a2), tid(&a1)]);
    let bobs = app.get("/tickets", Some(&bob.token)).await;
    assert_eq!(ids(&bobs.body), [tid(&b1)]);

    for q in
        ["status[]=bogus", "priority=asap", "assignee_id=nobody", "per_page=0", "per_page=101", "per_page=x"]
    {
        assert_eq!(app.get(&format!("/tickets?{q}"), Some(&agent.token)).await.status, 422, "{q}");
    }
    assert_eq!(app.get("/tickets", None).await.status, 401);
}

#[tokio::test]
async fn paging_is_stable_while_tickets_are_created() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let mut before = HashSet::new();
    for chunk in 0..6 {
        let creates = (0..20).map(|i| {
            app.post(
                "/tickets",
                Some(&customer.token),
                json!({"subject": format!("t{chunk}-{i}"), "description": "d"}),
            )
        });
        for r in futures::future::join_all(creates).await {
            assert_eq!(r.status, 201);
            before.insert(r.body["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(before.len(), 120);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/tickets?per_page=25&cursor={c}"),
            None => "/tickets?per_page=25".to_owned(),
        };
        let res = app.get(&path, Some(&agent.token)).await;
        assert_eq!(res.status, 200, "{res:?}");
        seen.extend(ids(&res.body));
        pages += 1;
        // New tickets arrive between pages.
        app.ticket(&customer.token, &format!("new during page {pages}")).await;
        match res.body["next_cursor"].as_str() {
            Some(c) => {
                assert!(res.body["next_page_url"].as_str().unwrap().contains(c));
                cursor = Some(c.to_owned());
            }
            None => break,
        }
        assert!(pages < 10, "paging terminates");
    }
    let old_seen: Vec<&String> = seen.iter().filter(|i| before.contains(*i)).collect();
    assert_eq!(old_seen.len(), 120, "every old ticket exactly once");
    assert_eq!(old_seen.iter().collect::<HashSet<_>>().len(), 120);
    assert_eq!(pages, 5);
}

#[tokio::test]
async fn forged_cursors_are_422() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    for i in 0..3 {
        app.ticket(&customer.token, &format!("c{i}")).await;
    }
    let page = app.get("/tickets?per_page=1", Some(&agent.token)).await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/tickets?per_page=1&cursor={cursor}"), Some(&agent.token)).await.status,
        200
    );
    let (payload, _) = cursor.split_once('.').unwrap();
    for bad in [format!("{payload}.AAAA"), "garbage".into(), format!("x{cursor}"), cursor.replace('.', "")] {
        let res = app.get(&format!("/tickets?cursor={bad}"), Some(&agent.token)).await;
        assert_eq!(res.status, 422, "{bad}: {res:?}");
        assert!(res.body["errors"]["cursor"].is_array());
    }
    // A cursor from another filter is refused too.
    let res =
        app.get(&format!("/tickets?status[]=open&per_page=1&cursor={cursor}"), Some(&agent.token)).await;
    assert_eq!(res.status, 422);
}

#[tokio::test]
async fn tag_lists_follow_every_change_of_tags() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let admin = app.staff(Role::Admin).await;
    let mut tagged = Vec::new();
    for i in 0..5 {
        let res = app
            .post(
                "/tickets",
                Some(&customer.token),
                json!({"subject": format!("t{i}"), "description": "d", "tags": ["billing"]}),
            )
            .await;
        tagged.push(res.body["id"].as_str().unwrap().to_owned());
    }
    app.ticket(&customer.token, "untagged").await;
    tagged.reverse(); // newest first

    let page1 = app.get("/tickets?tag=billing&per_page=2", Some(&agent.token)).await;
    assert_eq!(ids(&page1.body), tagged[..2]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 =
        app.get(&format!("/tickets?tag=billing&per_page=2&cursor={cursor}"), Some(&agent.token)).await;
    assert_eq!(ids(&page2.body), tagged[2..4]);

    // An update moves the ticket to the top of its tag; removing the tag drops it.
    app.patch(&format!("/tickets/{}", tagged[4]), Some(&agent.token), json!({"priority": "high"})).await;
    let all = app.get("/tickets?tag=billing", Some(&agent.token)).await;
    assert_eq!(ids(&all.body)[0], tagged[4]);
    assert_eq!(ids(&all.body).len(), 5, "no stale entries: {:?}", ids(&all.body));
    let high = app.get("/tickets?tag=billing&priority[]=high", Some(&agent.token)).await;
    assert_eq!(ids(&high.body), [tagged[4].clone()]);
    app.patch(&format!("/tickets/{}", tagged[0]), Some(&agent.token), json!({"tags": ["other"]})).await;
    let after = ids(&app.get("/tickets?tag=billing", Some(&agent.token)).await.body);
    assert_eq!(after.len(), 4);
    assert!(!after.contains(&tagged[0]));
    assert_eq!(ids(&app.get("/tickets?tag=other", Some(&agent.token)).await.body), [tagged[0].clone()]);
    // A comment bumps updated_at: the entry follows.
    app.post(&format!("/tickets/{}/comments", tagged[3]), Some(&agent.token), json!({"content": "hi"})).await;
    assert_eq!(ids(&app.get("/tickets?tag=billing", Some(&agent.token)).await.body)[0], tagged[3]);
    // Deleting the ticket deletes its entries.
    assert_eq!(app.delete(&format!("/tickets/{}", tagged[3]), Some(&admin.token)).await.status, 204);
    assert_eq!(ids(&app.get("/tickets?tag=billing", Some(&agent.token)).await.body).len(), 3);
    let leftover =
        app.state.store.query_all(None, &helpdesk::store::keys::tag_pk("billing"), true).await.unwrap();
    assert_eq!(leftover.len(), 3, "one entry per tagged ticket, none left behind");
    // Customers only ever see their own tickets, also by tag.
    let other = app.customer().await;
    assert!(ids(&app.get("/tickets?tag=billing", Some(&other.token)).await.body).is_empty());
}
