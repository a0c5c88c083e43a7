//! Satisfaction ratings (API.md part 2): the requester rates a solved ticket signed in or with
//! the survey link a default automation mails 24 hours after solve; anyone else is refused
//! without learning the ticket exists; closed tickets only within 28 days of solving; admins
//! list the ratings with filters; the ticket's `satisfaction` follows the latest rating, and
//! the older `PATCH {"satisfaction"}` records a rating too.
use crate::helpers::{Actor, TestApp};
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

/// A ticket of `customer`'s, assigned to `agent` and solved.
async fn solved(app: &TestApp, customer: &Actor, agent: &Actor, subject: &str) -> Value {
    let t = app.ticket(&customer.token, subject).await;
    let path = format!("/tickets/{}", t["id"].as_str().unwrap());
    let res =
        app.patch(&path, Some(&agent.token), json!({"assignee_id": agent.id, "status": "solved"})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["satisfaction"], "offered");
    res.body
}

#[tokio::test]
async fn the_requester_rates_signed_in_and_admins_list_ratings_with_filters() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let t = solved(&app, &customer, &agent, "Slow printer").await;
    let id = t["id"].as_str().unwrap();
    let rate = format!("/tickets/{id}/satisfaction");
    let bad = json!({"score": "bad", "comment": "Took a week.", "reason": "too slow"});
    let res = app.post(&rate, Some(&customer.token), bad).await;
    assert_eq!(res.status, 201, "{res:?}");
    let first = &res.body["satisfaction_rating"];
    assert_eq!(
        (first["score"].as_str(), first["comment"].as_str(), first["reason"].as_str()),
        (Some("bad"), Some("Took a week."), Some("too slow"))
    );
    assert_eq!(first["assignee_id"], agent.id.as_str(), "the assignee at rating time");
    assert_eq!(first["requester_id"], customer.id.as_str());
    let page = app.get(&format!("/tickets/{id}"), Some(&agent.token)).await.body;
    assert_eq!(page["satisfaction"], "bad");
    assert!(page["changes"].as_array().unwrap().iter().any(|c| c["action"] == "Satisfaction rated bad"));

    // Changing one's mind: a new rating, the ticket follows the latest. The ticket number
    // works as the id (the survey link carries it).
    let number = t["ticket_number"].as_str().unwrap();
    let res = app
        .post(&format!("/tickets/{number}/satisfaction"), Some(&customer.token), json!({"score": "good"}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(app.get(&format!("/tickets/{id}"), Some(&customer.token)).await.body["satisfaction"], "good");
    // The older form: PATCH by the requester records a rating as well.
    let other = solved(&app, &customer, &agent, "Fast fix").await;
    let res = app
        .patch(
            &format!("/tickets/{}", other["id"].as_str().unwrap()),
            Some(&customer.token),
            json!({"satisfaction": "good"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["satisfaction"], "good");

    let list = app.get("/satisfaction-ratings", Some(&admin.token)).await;
    assert_eq!(list.status, 200, "{list:?}");
    let scores: Vec<&str> =
        list.body["data"].as_array().unwrap().iter().map(|r| r["score"].as_str().unwrap()).collect();
    assert_eq!(scores, ["good", "good", "bad"], "newest first");
    let good = app.get("/satisfaction-ratings?score=good&per_page=1", Some(&admin.token)).await;
    assert_eq!(good.body["data"].as_array().unwrap().len(), 1);
    let next = good.body["next_page_url"].as_str().expect("a second page").to_owned();
    let rest = app.get(&next, Some(&admin.token)).await;
    assert_eq!(rest.body["data"].as_array().unwrap().len(), 1, "{rest:?}");
    assert!(rest.body["next_page_url"].is_null());
    let bad = app.get("/satisfaction-ratings?score=bad", Some(&admin.token)).await;
    assert_eq!(bad.body["data"][0]["comment"], "Took a week.");
    let future = app.get("/satisfaction-ratings?from=2999-01-01", Some(&admin.token)).await;
    assert!(future.body["data"].as_array().unwrap().is_empty());
    let past = app.get("/satisfaction-ratings?to=2000-01-01", Some(&admin.token)).await;
    assert!(past.body["data"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/satisfaction-ratings?score=meh", Some(&admin.token)).await.status, 422);
    assert_eq!(app.get("/satisfaction-ratings?from=yesterday", Some(&admin.token)).await.status, 422);
    assert_eq!(app.get("/satisfaction-ratings", Some(&agent.token)).await.status, 403);
}

#[tokio::test]
async fn anyone_else_is_refused_and_only_solved_or_recently_closed_tickets_are_rated() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let stranger = app.customer().await;
    let t = solved(&app, &customer, &agent, "Mine").await;
    let id = t["id"].as_str().unwrap();
    let rate = format!("/tickets/{id}/satisfaction");
    let good = json!({"score": "good"});
    // Another customer learns nothing: the same 404 as a ticket that does not exist.
    let theirs = app.post(&rate, Some(&stranger.token), good.clone()).await;
    let missing = app
        .post(&format!("/tickets/{}/satisfaction", uuid::Uuid::now_v7()), Some(&stranger.token), good.clone())
        .await;
    assert_eq!((theirs.status, &theirs.body), (404, &missing.body));
    assert_eq!(app.post(&rate, Some(&agent.token), good.clone()).await.status, 403, "agents don't rate");
    assert_eq!(app.post(&rate, None, good.clone()).await.status, 401);
    let forged = app.post(&rate, None, json!({"score": "good", "token": "x.1.y"})).await;
    assert_eq!(forged.status, 404);
    let res = app.post(&rate, Some(&customer.token), json!({"score": "offered"})).await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["score"].is_array(), "{res:?}");
    let long = "x".repeat(2001);
    let res = app.post(&rate, Some(&customer.token), json!({"score": "good", "comment": long})).await;
    assert_eq!(res.status, 422);

    // Not solved yet: no rating.
    let open = app.ticket(&customer.token, "Still open").await;
    let res = app
        .post(
            &format!("/tickets/{}/satisfaction", open["id"].as_str().unwrap()),
            Some(&customer.token),
            good.clone(),
        )
        .await;
    assert_eq!(res.status, 422, "{res:?}");

    // Closed: within 28 days of solving yes, after that no.
    let stored = app.state.store.get_ticket(uuid::Uuid::parse_str(id).unwrap()).await.unwrap().unwrap();
    let mut closed = stored.clone();
    closed.status = helpdesk::domain::ticket::Status::Closed;
    closed.updated_stamp = uuid::Uuid::now_v7().to_string();
    closed.times.solved_at =
        Some(helpdesk::clock::Timestamp(helpdesk::clock::now() - time::Duration::days(27)));
    app.state.store.save_ticket(&stored, &closed, vec![]).await.unwrap();
    assert_eq!(app.post(&rate, Some(&customer.token), good.clone()).await.status, 201);
    let mut old = closed.clone();
    old.updated_stamp = uuid::Uuid::now_v7().to_string();
    old.times.solved_at = Some(helpdesk::clock::Timestamp(helpdesk::clock::now() - time::Duration::days(29)));
    let current = app.state.store.get_ticket(closed.id).await.unwrap().unwrap();
    app.state.store.save_ticket(&current, &old, vec![]).await.unwrap();
    let res = app.post(&rate, Some(&customer.token), good).await;
    assert_eq!(res.status, 422, "{res:?}");
    assert!(res.body["message"].as_str().unwrap().contains("28 days"));
}

#[tokio::test]
async fn the_survey_mail_a_day_after_solve_carries_a_link_that_rates_without_signing_in() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.verified_customer().await;
    let other = app.customer().await;
    let t = solved(&app, &customer, &agent, "Survey me").await;
    let id = t["id"].as_str().unwrap();
    let number = t["ticket_number"].as_str().unwrap();
    let mine = solved(&app, &other, &agent, "Someone else's").await;
    app.deliver_mail().await;
    let before = app.ticket_mail_to(&customer.email).await.len();

    let now = helpdesk::clock::now();
    crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(23)),
    )
    .await
    .unwrap();
    app.deliver_mail().await;
    assert_eq!(app.ticket_mail_to(&customer.email).await.len(), before, "not a day yet");
    crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(25)),
    )
    .await
    .unwrap();
    crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::hours(30)),
    )
    .await
    .unwrap();
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    assert_eq!(mail.len(), before + 1, "one survey, once: {mail:?}");
    let text = mail[0]["text"].as_str().unwrap();
    let link = format!("/tickets/{number}/satisfaction?token=");
    let token = text
        .split(&link)
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_else(|| panic!("a survey link in {text}"))
        .to_owned();
    assert!(text.contains("&score=good") && text.contains("&score=bad"), "{text}");

    // The token rates this ticket, without signing in; not another one.
    let res = app
        .post(
            &format!("/tickets/{}/satisfaction", mine["id"].as_str().unwrap()),
            None,
            json!({"score": "good", "token": token}),
        )
        .await;
    assert_eq!(res.status, 404);
    let res = app
        .post(
            &format!("/tickets/{number}/satisfaction"),
            None,
            json!({"score": "good", "token": token, "comment": "Thanks!"}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["satisfaction_rating"]["ticket_id"], id);
    let page = app.get(&format!("/tickets/{id}"), Some(&agent.token)).await.body;
    assert_eq!(page["satisfaction"], "good");
    assert!(page["tags"].as_array().unwrap().contains(&json!("satisfaction_survey_sent")));
}
