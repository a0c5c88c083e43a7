//! A token stops working everywhere at once (API.md part 2): HTTP, and every open WebSocket of
//! its session, on logout, password change and expiry; a role change applies to open
//! connections at once.
use crate::helpers::{TestApp, PASSWORD};
use crate::realtime::{connect, drain, send, subscribe, wait_for, Ws};
use futures::StreamExt;
use helpdesk::consumers::StreamConsumer;
use helpdesk::domain::user::Role;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Whether the server closes the socket within `within` (a close frame or the end of the stream).
async fn closed_within(ws: &mut Ws, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn after_logout_an_open_websocket_gets_no_pong_and_is_closed() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Logout").await;
    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, ticket["id"].as_str().unwrap()).await;

    assert_eq!(app.post("/auth/logout", Some(&agent.token), json!({})).await.status, 200);
    send(&mut ws, json!({"action": "ping"})).await;
    let frames = drain(&mut ws, Duration::from_millis(800)).await;
    assert!(frames.iter().all(|f| f["type"] != "pong"), "no pong after logout: {frames:?}");
    assert!(frames.iter().any(|f| f["type"] == "error" && f["data"]["message"] == "Unauthenticated."));
    assert!(
        app.state.store.connections_of(agent.id.parse().unwrap()).await.unwrap().is_empty(),
        "the connection is forgotten"
    );
}

#[tokio::test]
async fn an_expired_session_gets_no_subscription() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let mut ws = connect(&app, &agent).await;
    let sid = app.state.tokens.verify(&agent.token).unwrap().sid;
    let mut session = app.state.store.get_session(sid).await.unwrap().unwrap();
    session.expires_at = helpdesk::clock::now().unix_timestamp() - 1;
    app.state.store.put_session(&session).await.unwrap();

    send(&mut ws, json!({"action": "subscribe", "channel": "tickets"})).await;
    let frames = drain(&mut ws, Duration::from_millis(800)).await;
    assert!(frames.iter().all(|f| f["type"] != "subscribed"), "{frames:?}");
    assert!(app.state.store.subscribers("tickets").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_password_change_closes_the_other_sessions_websockets_and_silences_them() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let agent = app.staff(Role::Agent).await;
    let other_session = app.login(&agent.email, PASSWORD).await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Password").await;
    let tid = ticket["id"].as_str().unwrap();
    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, tid).await;

    let res = app
        .patch(
            "/auth/me",
            Some(&other_session),
            json!({"password": "a-brand-new-passphrase", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(app.get("/auth/me", Some(&agent.token)).await.status, 401);
    assert_eq!(app.get("/auth/me", Some(&other_session)).await.status, 200, "the changing session lives");

    // A change the old session would have seen: nothing arrives, and the socket is closed.
    app.patch(&format!("/tickets/{tid}"), Some(&other_session), json!({"priority": "high"})).await;
    let mut got_update = false;
    let closed = {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, ws.next()).await {
                Err(_) => break false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => break true,
                Ok(Some(Ok(Message::Text(t)))) => got_update |= t.contains("ticket.updated"),
                Ok(Some(Ok(_))) => {}
            }
        }
    };
    assert!(!got_update, "a revoked session received a ticket frame");
    assert!(closed, "the revoked session's socket is closed");
}

#[tokio::test]
async fn a_session_the_index_has_not_caught_up_with_still_dies_on_password_change() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let fresh = app.login(&customer.email, PASSWORD).await;
    // The fresh session as an eventually consistent index may still see it: not at all.
    let sid = app.state.tokens.verify(&fresh).unwrap().sid;
    let store = &app.state.store;
    let mut item = store
        .get(helpdesk::store::keys::key(
            helpdesk::store::keys::session_pk(sid),
            helpdesk::store::keys::SESSION_SK,
        ))
        .await
        .unwrap()
        .unwrap();
    use helpdesk::store::keys::Index;
    item.remove(Index::Gsi1.pk());
    item.remove(Index::Gsi1.sk());
    store.put(item).await.unwrap();
    assert_eq!(app.get("/auth/me", Some(&fresh)).await.status, 200);

    let res = app
        .patch(
            "/auth/me",
            Some(&customer.token),
            json!({"password": "a-brand-new-passphrase", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(app.get("/auth/me", Some(&fresh)).await.status, 401, "revocation is complete");
    assert_eq!(app.get("/auth/me", Some(&customer.token)).await.status, 200);
}

#[tokio::test]
async fn a_demoted_agent_loses_staff_frames_and_subscriptions_at_once() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let colleague = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Demotion").await;
    let tid = ticket["id"].as_str().unwrap();
    let mut ws = connect(&app, &agent).await;
    subscribe(&mut ws, tid).await;
    send(&mut ws, json!({"action": "subscribe", "channel": "tickets"})).await;
    assert!(wait_for(&mut ws, "subscribed", Duration::from_secs(2)).await.is_some());

    let res = app
        .patch(&format!("/users/{}/assign", agent.id), Some(&admin.token), json!({"role": "customer"}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let mut dropped = false;
    for _ in 0..100 {
        if app.state.store.subscribers("tickets").await.unwrap().is_empty()
            && app.state.store.subscribers(tid).await.unwrap().is_empty()
        {
            dropped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(dropped, "the role change dropped the subscriptions a customer may not hold");

    let note = app
        .post(
            &format!("/tickets/{tid}/comments"),
            Some(&colleague.token),
            json!({"content": "internal only", "is_internal": true}),
        )
        .await;
    assert_eq!(note.status, 201, "{note:?}");
    app.patch(&format!("/tickets/{tid}"), Some(&colleague.token), json!({"priority": "urgent"})).await;
    let frames = drain(&mut ws, Duration::from_secs(2)).await;
    assert!(
        frames.iter().all(|f| f["type"] != "comment.created" && f["type"] != "ticket.updated"),
        "a customer received staff frames: {frames:?}"
    );
    assert!(!closed_within(&mut ws, Duration::from_millis(100)).await, "the session itself lives on");
}

#[tokio::test]
async fn a_frame_too_large_for_api_gateway_becomes_a_fetch_notice() {
    let mut app = TestApp::spawn().await;
    app.keep_consuming(StreamConsumer::Broadcaster).await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Huge").await;
    let tid = ticket["id"].as_str().unwrap();
    let mut ws = connect(&app, &customer).await;
    subscribe(&mut ws, tid).await;
    let res = app
        .patch(&format!("/tickets/{tid}"), Some(&agent.token), json!({"description": "𝒜".repeat(60_000)}))
        .await;
    assert_eq!(res.status, 200);
    let frame = wait_for(&mut ws, "ticket.updated", Duration::from_secs(5)).await.expect("a frame arrives");
    assert_eq!(frame["too_large"], true, "{frame}");
    assert_eq!(frame["ticket_id"], tid);
    assert!(frame["data"].is_null());
}

#[tokio::test]
async fn the_local_connections_api_takes_only_signed_requests() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    let mut ws = connect(&app, &agent).await;
    let conn = app.state.store.connections_of(agent.id.parse().unwrap()).await.unwrap().remove(0);
    let url = format!("{}/@connections/{}", app.ws_url.replace("ws://", "http://"), conn.id);
    let forged = json!({"type": "ticket.updated", "data": {"subject": "forged"}}).to_string();

    // Any local process: unsigned, or signed with a key of its own.
    let (status, _, _) = crate::helpers::http_request("POST", &url, &[], forged.clone().into_bytes()).await;
    assert_eq!(status, 403);
    let stranger = helpdesk_local::ws::management_client(
        &app.ws_url.replace("ws://", "http://"),
        &helpdesk_local::ws::GatewayKey::random(),
    );
    let err = stranger
        .post_to_connection()
        .connection_id(&conn.id)
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(forged.clone()))
        .send()
        .await;
    assert!(err.is_err(), "a foreign key is refused");
    let (status, _, _) = crate::helpers::http_request("DELETE", &url, &[], Vec::new()).await;
    assert_eq!(status, 403);
    assert!(drain(&mut ws, Duration::from_millis(500)).await.is_empty(), "nothing forged arrived");

    // The stack's own signed client still gets through.
    send(&mut ws, json!({"action": "ping"})).await;
    assert!(wait_for(&mut ws, "pong", Duration::from_secs(2)).await.is_some());
}

/// The reset link of the newest reset mail to `to`.
async fn reset_token(app: &TestApp, to: &str) -> String {
    app.deliver_mail().await;
    let mail = app.mail_to(to).await;
    let text = mail
        .iter()
        .find(|m| m["subject"] == "Reset your password")
        .and_then(|m| m["text"].as_str())
        .unwrap_or_else(|| panic!("a reset mail: {mail:?}"));
    text.split("reset-password?token=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().to_owned()
}

#[tokio::test]
async fn password_reset_end_to_end() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let other_session = app.login(&customer.email, PASSWORD).await;

    // Unknown and known addresses get the same answer; only the known one gets mail.
    let unknown = format!("nobody-{}@example.com", uuid::Uuid::new_v4().simple());
    for email in [unknown.as_str(), customer.email.as_str()] {
        let res = app.post("/auth/forgot-password", None, json!({"email": email})).await;
        assert_eq!(res.status, 202, "{res:?}");
        assert_eq!(
            res.body["message"],
            "If the address has an account, a link to reset its password is on its way."
        );
    }
    let token = reset_token(&app, &customer.email).await;
    assert!(app.mail_to(&unknown).await.is_empty());

    let res = app.post("/auth/reset-password", None, json!({"token": token, "password": "short"})).await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["password"].is_array());
    let res = app
        .post(
            "/auth/reset-password",
            None,
            json!({"token": "forged.1.abc", "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body["errors"]["token"].is_array());
    let res = app
        .post("/auth/reset-password", None, json!({"token": token, "password": "a brand new passphrase"}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");

    // Every old session is dead, the old password too; the new one signs in.
    assert_eq!(app.get("/auth/me", Some(&customer.token)).await.status, 401);
    assert_eq!(app.get("/auth/me", Some(&other_session)).await.status, 401);
    let res = app.post("/auth/login", None, json!({"email": customer.email, "password": PASSWORD})).await;
    assert_eq!(res.status, 401);
    app.login(&customer.email, "a brand new passphrase").await;
    // The token is spent: it was bound to the old password.
    let res = app
        .post("/auth/reset-password", None, json!({"token": token, "password": "yet another passphrase"}))
        .await;
    assert_eq!(res.status, 422, "{res:?}");
}
