//! `/api-tokens` (API.md part 2): admins make tokens (shown once), `Basic <email>/token:<token>`
//! authenticates as that user with that user's role and visibility, and a deleted token is
//! refused from the next request.
use crate::helpers::TestApp;
use base64::Engine;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

/// A GET with `Authorization: Basic base64(<user>:<secret>)`.
async fn basic(app: &TestApp, path: &str, user: &str, secret: &str) -> (u16, Value) {
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
    let req = http::Request::builder()
        .method("GET")
        .uri(path)
        .header("authorization", format!("Basic {credentials}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, bytes) = app.send(req).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_token_authenticates_as_the_email_it_is_sent_with_until_it_is_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let other = app.customer().await;
    let mine = app.ticket(&customer.token, "Mine").await;
    app.ticket(&other.token, "Theirs").await;

    assert_eq!(app.post("/api-tokens", Some(&agent.token), json!({"description": "x"})).await.status, 403);
    let made = app.post("/api-tokens", Some(&admin.token), json!({"description": "Zendesk scripts"})).await;
    assert_eq!(made.status, 201, "{made:?}");
    let token = made.body["api_token"]["token"].as_str().unwrap().to_owned();
    let id = made.body["api_token"]["id"].as_str().unwrap().to_owned();
    let list = app.get("/api-tokens", Some(&admin.token)).await;
    assert_eq!(list.body["data"][0]["description"], "Zendesk scripts");
    assert!(list.body["data"][0].get("token").is_none(), "shown once: {}", list.body);
    assert!(!list.body.to_string().contains(&token));

    // As the agent: every ticket. As a customer: only their own, as with a session.
    let (status, page) = basic(&app, "/tickets", &format!("{}/token", agent.email), &token).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (status, page) = basic(&app, "/tickets", &format!("{}/token", customer.email), &token).await;
    assert_eq!(status, 200);
    let subjects: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Mine"]);
    let (status, me) = basic(&app, "/auth/me", &format!("{}/token", customer.email), &token).await;
    assert_eq!((status, me["user"]["id"].as_str()), (200, Some(customer.id.as_str())));
    let (status, _) = basic(
        &app,
        &format!("/tickets/{}", mine["id"].as_str().unwrap()),
        &format!("{}/token", other.email),
        &token,
    )
    .await;
    assert_eq!(status, 404, "another customer's ticket stays unknown");

    // What is refused: a wrong token, an unknown email, a password instead of a token.
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(basic(&app, "/tickets", &format!("{}/token", agent.email), &forged).await.0, 401);
    assert_eq!(basic(&app, "/tickets", "nobody@example.com/token", &token).await.0, 401);
    assert_eq!(basic(&app, "/tickets", &agent.email, "helpdesk-demo").await.0, 401);

    // Deleted: refused from the next request.
    assert_eq!(app.delete(&format!("/api-tokens/{id}"), Some(&admin.token)).await.status, 204);
    assert_eq!(basic(&app, "/tickets", &format!("{}/token", agent.email), &token).await.0, 401);
    assert_eq!(app.delete(&format!("/api-tokens/{id}"), Some(&admin.token)).await.status, 404);
    assert_eq!(
        app.post("/api-tokens", Some(&admin.token), json!({})).await.status,
        422,
        "a description is required"
    );
    let long = "x".repeat(256);
    assert_eq!(app.post("/api-tokens", Some(&admin.token), json!({"description": long})).await.status, 422);
}
