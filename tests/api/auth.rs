//! `/auth/*` against DynamoDB Local.
use crate::helpers::{unique_email, TestApp, PASSWORD};
use axum::body::Body;
use helpdesk::auth::token::{Claims, AUDIENCE, ISSUER};
use helpdesk::domain::user::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use uuid::Uuid;

fn register_body(email: &str) -> serde_json::Value {
    json!({"name": "Ada Lovelace", "email": email, "password": PASSWORD})
}

#[tokio::test]
async fn register_creates_a_customer_with_a_working_token() {
    let app = TestApp::spawn().await;
    let email = unique_email("ada");
    let res = app.post("/auth/register", None, register_body(&email)).await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["user"]["role"], "customer");
    assert_eq!(res.body["user"]["email"], email);
    assert!(res.body["user"].get("password_hash").is_none());
    assert!(!res.body.to_string().contains("argon2"), "no hash anywhere in the response");
    let expires = helpdesk::clock::parse(res.body["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires > helpdesk::clock::now());

    let me = app.get("/auth/me", res.body["token"].as_str()).await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["user"]["id"], res.body["user"]["id"]);
    assert_eq!(me.body["user"]["is_online"], true);
}

#[tokio::test]
async fn register_refuses_a_taken_email_in_any_letter_case() {
    let app = TestApp::spawn().await;
    let email = unique_email("dup");
    assert_eq!(app.post("/auth/register", None, register_body(&email)).await.status, 201);
    for again in [email.clone(), email.to_uppercase()] {
        let res = app.post("/auth/register", None, register_body(&again)).await;
        assert_eq!(res.status, 422, "{res:?}");
        assert_eq!(res.body["errors"]["email"][0], "The email has already been taken.");
    }
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_create_one_user() {
    let app = TestApp::spawn().await;
    let email = unique_email("race");
    let attempts = (0..8).map(|i| {
        let body = register_body(&if i % 2 == 0 { email.clone() } else { email.to_uppercase() });
        let app = &app;
        async move { app.post("/auth/register", None, body).await.status }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn register_validation_errors() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"name": "A", "email": "not-an-email", "password": PASSWORD}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"name": "A", "email": unique_email("short"), "password": "short"}),
            "password",
            "The password field must be at least 8 characters.",
        ),
        (
            json!({"email": unique_email("noname"), "password": PASSWORD}),
            "name",
            "The name field is required.",
        ),
        (json!({"name": "A", "password": PASSWORD}), "email", "The email field is required."),
        (
            json!({"name": "A", "email": unique_email("nopass")}),
            "password",
            "The password field is required.",
        ),
        (
            json!({"name": 42, "email": unique_email("typed"), "password": PASSWORD}),
            "name",
            "The name field must be a string.",
        ),
    ];
    for (body, field, message) in cases {
        let res = app.post("/auth/register", None, body.clone()).await;
        assert_eq!(res.status, 422, "{body} → {res:?}");
        assert_eq!(res.body["errors"][field][0], message, "{body}");
        assert_eq!(res.body["message"], message);
    }
    let empty = app.post("/auth/register", None, json!({})).await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.body["message"], "The name field is required. (and 2 more errors)");
    for field in ["name", "email", "password"] {
        assert!(empty.body["errors"][field].is_array(), "{field} is reported");
    }
}

#[tokio::test]
async fn non_json_and_oversized_bodies() {
    let app = TestApp::spawn().await;
    let res = app.call_raw("POST", "/auth/register", None, Body::from("name=ada")).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert_eq!(res.body["message"], "The request body is not valid JSON.");
    let res = app.call_raw("POST", "/auth/login", None, Body::from("[1,2]")).await;
    assert_eq!(res.status, 400, "{res:?}");
    let huge = json!({"name": "x".repeat(300 * 1024), "email": unique_email("big"), "password": PASSWORD});
    let res = app.post("/auth/register", None, huge).await;
    assert_eq!(res.status, 413, "{res:?}");
}

#[tokio::test]
async fn login_succeeds_in_any_email_case_and_fails_alike_for_unknown_email_and_wrong_password() {
    let app = TestApp::spawn().await;
    let email = unique_email("login");
    app.post("/auth/register", None, register_body(&email)).await;

    let ok =
        app.post("/auth/login", None, json!({"email": email.to_uppercase(), "password": PASSWORD})).await;
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(ok.body["token_type"], "Bearer");
    assert_eq!(app.get("/auth/me", ok.body["token"].as_str()).await.status, 200);

    let wrong = app.post("/auth/login", None, json!({"email": email, "password": "wrong-password"})).await;
    let unknown =
        app.post("/auth/login", None, json!({"email": unique_email("nobody"), "password": PASSWORD})).await;
    let malformed = app.post("/auth/login", None, json!({"email": "nobody", "password": PASSWORD})).await;
    for res in [&wrong, &unknown, &malformed] {
        assert_eq!(res.status, 401, "{res:?}");
        assert_eq!(res.body, json!({"message": "Unauthenticated."}));
    }
    let missing = app.post("/auth/login", None, json!({"email": email})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["errors"]["password"][0], "The password field is required.");
}

fn sign(claims: &Claims, secret: &[u8]) -> String {
    helpdesk::auth::token::install_crypto();
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn me_refuses_missing_garbage_foreign_and_expired_tokens() {
    let app = TestApp::spawn().await;
    let user = app.customer().await;
    let unauthenticated = json!({"message": "Unauthenticated."});

    let none = app.get("/auth/me", None).await;
    assert_eq!((none.status, &none.body), (401, &unauthenticated));
    let garbage = app.get("/auth/me", Some("not.a.jwt")).await;
    assert_eq!((garbage.status, &garbage.body), (401, &unauthenticated));

    // A real, live session, but claims signed with another key.
    let now = helpdesk::clock::now().unix_timestamp();
    let live = app.state.tokens.verify(&user.token).expect("the app's own token verifies");
    let foreign = sign(&live, b"some-other-secret-that-is-32-bytes!!");
    assert_eq!(app.get("/auth/me", Some(&foreign)).await.status, 401);

    // The app's key and a live session, but expired a second ago.
    let expired = Claims { exp: now - 1, iat: now - 100, nbf: now - 100, ..live.clone() };
    assert_eq!(app.get("/auth/me", Some(&sign(&expired, &app.secret))).await.status, 401);

    // Sanity: the same construction with a future expiry is accepted, so the refusals above
    // are about the key and the expiry, not about how the test builds tokens.
    let fresh = Claims { exp: now + 600, ..live.clone() };
    assert_eq!(app.get("/auth/me", Some(&sign(&fresh, &app.secret))).await.status, 200);

    // A validly signed token whose session never existed.
    let orphan = Claims { sid: Uuid::new_v4(), ..fresh.clone() };
    assert_eq!(app.get("/auth/me", Some(&sign(&orphan, &app.secret))).await.status, 401);
    // ... or that names another user than its session's.
    let other = app.customer().await;
    let swapped = Claims { sub: other.id.parse().unwrap(), ..fresh };
    assert_eq!(app.get("/auth/me", Some(&sign(&swapped, &app.secret))).await.status, 401);
    assert_eq!((ISSUER, AUDIENCE), (live.iss.as_str(), live.aud.as_str()));
}

#[tokio::test]
async fn logout_kills_that_token_only() {
    let app = TestApp::spawn().await;
    let user = app.customer().await;
    let second = app.login(&user.email, PASSWORD).await;

    let res = app.post("/auth/logout", Some(&user.token), json!({})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body, json!({"message": "Logged out."}));
    assert_eq!(app.get("/auth/me", Some(&user.token)).await.status, 401);
    assert_eq!(app.post("/auth/logout", Some(&user.token), json!({})).await.status, 401);
    assert_eq!(app.get("/auth/me", Some(&second)).await.status, 200, "other sessions live on");
    assert_eq!(app.post("/auth/logout", None, json!({})).await.status, 401);
}

#[tokio::test]
async fn update_me_changes_profile_fields() {
    let app = TestApp::spawn().await;
    let user = app.customer().await;
    let res = app
        .patch("/auth/me", Some(&user.token), json!({"name": "  New Name ", "avatar_url": "https://cdn.example.com/a.png", "notify_email": false}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["user"]["name"], "New Name");
    assert_eq!(res.body["user"]["avatar_url"], "https://cdn.example.com/a.png");
    assert_eq!(res.body["user"]["notify_email"], false);
    let me = app.get("/auth/me", Some(&user.token)).await;
    assert_eq!(me.body["user"]["name"], "New Name", "persisted");

    let cleared = app.patch("/auth/me", Some(&user.token), json!({"avatar_url": null})).await;
    assert_eq!(cleared.body["user"]["avatar_url"], serde_json::Value::Null);

    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"avatar_url": "javascript:alert(1)"}), "avatar_url"),
        (json!({"avatar_url": ""}), "avatar_url"),
        (json!({"notify_email": "yes"}), "notify_email"),
    ] {
        let res = app.patch("/auth/me", Some(&user.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body} → {res:?}");
        assert!(res.body["errors"][field].is_array(), "{body} → {res:?}");
    }
    for body in [json!({"role": "admin"}), json!({"organization_id": Uuid::new_v4()})] {
        let res = app.patch("/auth/me", Some(&user.token), body).await;
        assert_eq!(res.status, 403, "{res:?}");
    }
    let me = app.get("/auth/me", Some(&user.token)).await;
    assert_eq!(me.body["user"]["role"], "customer");
    assert_eq!(app.patch("/auth/me", None, json!({"name": "x"})).await.status, 401);
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    let user = app.staff(Role::Agent).await;
    let other_session = app.login(&user.email, PASSWORD).await;

    let missing = app.patch("/auth/me", Some(&user.token), json!({"password": "brand-new-password"})).await;
    assert_eq!(missing.status, 422, "{missing:?}");
    assert_eq!(missing.body["errors"]["current_password"][0], "The current password field is required.");

    let wrong = app
        .patch(
            "/auth/me",
            Some(&user.token),
            json!({"password": "brand-new-password", "current_password": "nope-nope"}),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.body["errors"]["current_password"][0], "The password is incorrect.");

    let short = app
        .patch("/auth/me", Some(&user.token), json!({"password": "short", "current_password": PASSWORD}))
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body["errors"]["password"].is_array());

    // Nothing changed so far.
    app.login(&user.email, PASSWORD).await;

    let ok = app
        .patch(
            "/auth/me",
            Some(&user.token),
            json!({"password": "brand-new-password", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(app.get("/auth/me", Some(&user.token)).await.status, 200, "this session stays");
    assert_eq!(app.get("/auth/me", Some(&other_session)).await.status, 401, "others are revoked");
    let old = app.post("/auth/login", None, json!({"email": user.email, "password": PASSWORD})).await;
    assert_eq!(old.status, 401);
    app.login(&user.email, "brand-new-password").await;
}

#[tokio::test]
async fn unknown_routes_are_404() {
    let app = TestApp::spawn().await;
    let res = app.get("/auth/nothing", None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body, json!({"message": "Not found."}));
}
