//! Throttling (API.md part 2): 429 `{"message": "Too Many Attempts."}` with `Retry-After`.
use crate::helpers::{unique_email, TestApp, TestResponse, PASSWORD};
use helpdesk::config::Limit;
use serde_json::json;

fn assert_throttled(res: &TestResponse) {
    assert_eq!(res.status, 429, "{res:?}");
    assert_eq!(res.body, json!({"message": "Too Many Attempts."}));
    let retry: i64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60 * 60).contains(&retry), "Retry-After {retry} is within the longest window");
}

#[tokio::test]
async fn ten_failed_logins_lock_the_account_not_the_others() {
    let app = TestApp::spawn().await;
    let victim = app.customer().await;
    let bystander = app.customer().await;
    for _ in 0..10 {
        let res = app
            .post("/auth/login", None, json!({"email": victim.email, "password": "wrong-guess-123"}))
            .await;
        assert_eq!(res.status, 401, "{res:?}");
    }
    // Now even the right password waits: guessing stopped being free.
    let res = app
        .post("/auth/login", None, json!({"email": victim.email.to_uppercase(), "password": PASSWORD}))
        .await;
    assert_throttled(&res);
    let res = app.post("/auth/login", None, json!({"email": bystander.email, "password": PASSWORD})).await;
    assert_eq!(res.status, 200, "another account from the same source: {res:?}");
    // Unknown accounts are counted the same way (no enumeration through the limit).
    let ghost = unique_email("ghost");
    for _ in 0..10 {
        app.post("/auth/login", None, json!({"email": ghost, "password": "x"})).await;
    }
    assert_throttled(&app.post("/auth/login", None, json!({"email": ghost, "password": "x"})).await);
}

#[tokio::test]
async fn five_wrong_current_passwords_are_429() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let change =
        |current: &'static str| json!({"password": "another-long-passphrase", "current_password": current});
    for _ in 0..5 {
        let res = app.patch("/auth/me", Some(&customer.token), change("not-my-password")).await;
        assert_eq!(res.status, 422, "{res:?}");
    }
    assert_throttled(&app.patch("/auth/me", Some(&customer.token), change(PASSWORD)).await);
    // Profile changes without a password check are not affected.
    assert_eq!(
        app.patch("/auth/me", Some(&customer.token), json!({"notify_email": false})).await.status,
        200
    );
}

#[tokio::test]
async fn sign_ups_per_source_tickets_per_customer_and_failed_verifications_are_limited() {
    // Hour-long windows: a fixed window that rolled over mid-test would restart its count.
    let app = TestApp::spawn_with(|c| {
        c.limits.signups_per_source = Limit::new(3, 3_600);
        c.limits.tickets_per_customer = Limit::new(2, 3_600);
        c.limits.failed_verifications = Limit::new(2, 3_600);
    })
    .await;
    let first = app.customer().await;
    app.customer().await;
    app.customer().await;
    let res = app
        .post(
            "/auth/register",
            None,
            json!({"name": "Fourth", "email": unique_email("c"), "password": PASSWORD}),
        )
        .await;
    assert_throttled(&res);

    app.ticket(&first.token, "one").await;
    app.ticket(&first.token, "two").await;
    let res = app.post("/tickets", Some(&first.token), json!({"subject": "three", "description": "d"})).await;
    assert_throttled(&res);

    for _ in 0..2 {
        assert_eq!(app.post("/auth/verify-email", None, json!({"token": "forged"})).await.status, 422);
    }
    assert_throttled(&app.post("/auth/verify-email", None, json!({"token": "forged"})).await);
}
