//! Mail in, through a real SMTP client (Python's `smtplib`) against the local listener: replies
//! land on their ticket (quoted text gone, status moved), strangers open tickets, suspicious
//! mail is suspended, automatic mail and our own are dropped, a message counts once, and a reply
//! to a closed ticket opens a follow-up.
use crate::helpers::{Actor, TestApp};
use helpdesk::domain::user::Role;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// Sends `message` from `from` to `to` with Python's smtplib, as a user's mail program would
/// (the listener runs on this test's runtime, so the client is awaited, not blocked on).
async fn smtp_send(port: u16, from: &str, to: &str, message: &str) {
    let script = format!(
        "import smtplib, sys\ns = smtplib.SMTP('127.0.0.1', {port}, timeout=20)\ns.sendmail({from:?}, [{to:?}], sys.stdin.buffer.read())\ns.quit()\n"
    );
    let mut child = tokio::process::Command::new("python3")
        .args(["-c", &script])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(message.as_bytes()).await.unwrap();
    drop(stdin);
    let status = child.wait().await.unwrap();
    assert!(status.success(), "smtplib sent the message");
}

fn message(from: &str, to: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@mail.example>\r\n{extra_headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        uuid::Uuid::new_v4()
    )
}

/// The reply address of the newest ticket mail to `to`.
async fn reply_address(app: &TestApp, to: &str) -> String {
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(to).await;
    mail[0]["reply_to"].as_str().expect("ticket mail has a Reply-To").to_owned()
}

async fn comments(app: &TestApp, staff: &Actor, ticket_id: &str) -> Vec<Value> {
    let page = app.get(&format!("/tickets/{ticket_id}"), Some(&staff.token)).await;
    page.body["comments"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_reply_lands_on_its_ticket_without_the_quoted_text() {
    let mut app = TestApp::spawn().await;
    let port = app.smtp().await;
    let customer = app.verified_customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Printer jammed").await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let reply_to = reply_address(&app, &customer.email).await;
    assert!(
        reply_to.starts_with(&format!("reply+{}.", ticket["ticket_number"].as_str().unwrap())),
        "{reply_to}"
    );
    assert!(reply_to.ends_with("@helpdesk.local"));
    // The agent answers and sets it pending; the customer's mail reply reopens it.
    app.post(&format!("/tickets/{id}/assign"), Some(&agent.token), json!({"assignee_id": agent.id})).await;
    let res = app.patch(&format!("/tickets/{id}"), Some(&agent.token), json!({"status": "pending"})).await;
    assert_eq!(res.status, 200, "{res:?}");

    let body = "Still jammed after the reset.\r\n\r\nOn Mon, Desk wrote:\r\n> ##- Please type your reply above this line -##\r\n> Hello, please reset it.";
    let raw = message(&customer.email, &reply_to, "Re: Printer jammed", "", body);
    smtp_send(port, &customer.email, &reply_to, &raw).await;
    let found = comments(&app, &agent, &id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["content"], "Still jammed after the reset.");
    assert_eq!(found[0]["author_id"], customer.id.as_str());
    // The original stays retrievable for staff: a short-lived URL of the raw message.
    let original = found[0]["original_mail"].as_str().expect("a link for staff").to_owned();
    let res = app.get(&original, Some(&agent.token)).await;
    assert_eq!(res.status, 302, "{res:?}");
    let url = res.headers["location"].to_str().unwrap().to_owned();
    let (status, _, bytes) = crate::helpers::http_request("GET", &url, &[], Vec::new()).await;
    assert_eq!(status, 200);
    let raw_back = String::from_utf8_lossy(&bytes);
    assert!(
        raw_back.contains("Subject: Re: Printer jammed") && raw_back.contains("> Hello, please reset it.")
    );
    assert_eq!(app.get(&original, Some(&customer.token)).await.status, 403, "staff only");
    let as_customer = app.get(&format!("/tickets/{id}/comments"), Some(&customer.token)).await;
    assert!(as_customer.body["data"][0]["original_mail"].is_null());
    let typed = app.get(&format!("/tickets/{id}/original-mail"), Some(&agent.token)).await;
    assert_eq!(typed.status, 404, "the ticket was opened on the web, not by mail");
    let bad = app.get(&format!("/tickets/{id}/original-mail?comment_id=nope"), Some(&agent.token)).await;
    assert_eq!(bad.status, 422);
    let page = app.get(&format!("/tickets/{id}"), Some(&agent.token)).await;
    assert_eq!(page.body["status"], "open", "the requester's reply reopens a pending ticket");
    assert!(page.body["changes"].as_array().unwrap().iter().any(|c| c["via"] == "email"));

    // The same message delivered twice makes one comment.
    smtp_send(port, &customer.email, &reply_to, &raw).await;
    assert_eq!(comments(&app, &agent, &id).await.len(), 1);

    // Threading by In-Reply-To alone (a reply sent to the general address): the Message-ID of
    // the agent's reply mail, which the mailer recorded.
    let res = app
        .post(
            &format!("/tickets/{id}/comments"),
            Some(&agent.token),
            json!({"content": "Try the other tray"}),
        )
        .await;
    assert_eq!(res.status, 201);
    app.deliver_mail().await;
    let items = app.state.store.query_all(None, &format!("TICKET#{id}"), false).await.unwrap();
    let newest_notification = items
        .iter()
        .filter(|i| i.get("SK").and_then(|v| v.as_s().ok()).is_some_and(|s| s.starts_with("NOTIFY#")))
        .filter_map(|i| i.get("id").and_then(|v| v.as_s().ok()).cloned())
        .max()
        .unwrap();
    let sent_id = format!("notify.{newest_notification}.{}@helpdesk", customer.id);
    assert!(
        app.state.store.ticket_of_message_id(&sent_id).await.unwrap().is_some(),
        "the mailer recorded {sent_id}"
    );
    let raw = message(
        &customer.email,
        "support@helpdesk.local",
        "Re: your answer",
        &format!("In-Reply-To: <{sent_id}>\r\n"),
        "The other tray works.",
    );
    smtp_send(port, &customer.email, "support@helpdesk.local", &raw).await;
    let found = comments(&app, &agent, &id).await;
    assert_eq!(found.last().unwrap()["content"], "The other tray works.", "{found:?}");
}

#[tokio::test]
async fn strangers_open_tickets_suspicious_mail_is_suspended_and_loops_are_dropped() {
    let mut app = TestApp::spawn().await;
    let port = app.smtp().await;
    let admin = app.staff(Role::Admin).await;
    let customer = app.verified_customer().await;

    // Unknown sender → a customer without a password, and a ticket.
    let stranger = format!("stranger-{}@mail.example", uuid::Uuid::new_v4().simple());
    smtp_send(
        port,
        &stranger,
        "support@helpdesk.local",
        &message(
            &format!("Sam Stranger <{stranger}>"),
            "support@helpdesk.local",
            "Cannot log in",
            "",
            "Help me please",
        ),
    )
    .await;
    let user = app.state.store.user_by_email(&stranger).await.unwrap().expect("a customer was made");
    assert_eq!(user.user.name, "Sam Stranger");
    assert!(user.password_hash.is_empty(), "no password until the reset flow sets one");
    let res = app.post("/auth/login", None, json!({"email": stranger, "password": "anything at all"})).await;
    assert_eq!(res.status, 401);
    let list = app.get(&format!("/tickets?requester_id={}", user.user.id), Some(&admin.token)).await;
    assert_eq!(list.body["data"][0]["subject"], "Cannot log in");
    assert_eq!(list.body["data"][0]["description"], "Help me please");

    let ticket = app.ticket(&customer.token, "Mine").await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let reply_to = reply_address(&app, &customer.email).await;
    // A third party replying, a forged reply address, a failed DKIM check: suspended.
    let third = format!("third-{}@mail.example", uuid::Uuid::new_v4().simple());
    smtp_send(port, &third, &reply_to, &message(&third, &reply_to, "Re: Mine", "", "I am not the requester"))
        .await;
    let (number, _) = reply_to.trim_start_matches("reply+").split_once('.').unwrap();
    let forged = format!("reply+{number}.00000000@helpdesk.local");
    smtp_send(port, &customer.email, &forged, &message(&customer.email, &forged, "Re: Mine", "", "forged"))
        .await;
    smtp_send(
        port,
        &customer.email,
        &reply_to,
        &message(
            &customer.email,
            &reply_to,
            "Re: Mine",
            "Authentication-Results: amazonses.com; spf=pass; dkim=fail\r\n",
            "spoofed?",
        ),
    )
    .await;
    assert!(comments(&app, &admin, &id).await.is_empty(), "nothing reached the ticket");
    let (suspended, _) = app.state.store.suspended_page(None, 10).await.unwrap();
    let reasons: Vec<&str> = suspended.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["the sender is neither the requester nor staff", "bad reply signature", "failed checks: dkim"]
    );

    // Staff see, recover and delete suspended mail; customers cannot.
    assert_eq!(app.get("/suspended-mails", Some(&customer.token)).await.status, 403);
    let listed = app.get("/suspended-mails?per_page=2", Some(&admin.token)).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 2);
    let next = listed.body["next_page_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&next, Some(&admin.token)).await.body["data"].as_array().unwrap().len(), 1);
    let third_party = suspended[0].id;
    let res =
        app.post(&format!("/suspended-mails/{third_party}/recover"), Some(&admin.token), json!({})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["ticket_id"], id.as_str());
    let found = comments(&app, &admin, &id).await;
    assert_eq!(found.len(), 1);
    assert!(found[0]["content"].as_str().unwrap().ends_with("wrote:\n\nI am not the requester"), "{found:?}");
    assert_eq!(
        app.post(&format!("/suspended-mails/{third_party}/recover"), Some(&admin.token), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/suspended-mails/{}", suspended[1].id), Some(&admin.token)).await.status,
        204
    );
    assert_eq!(
        app.get("/suspended-mails", Some(&admin.token)).await.body["data"].as_array().unwrap().len(),
        1
    );

    // An auto-reply and mail from our own address make nothing.
    let before =
        app.get("/tickets?per_page=100", Some(&admin.token)).await.body["data"].as_array().unwrap().len();
    smtp_send(
        port,
        &customer.email,
        "support@helpdesk.local",
        &message(
            &customer.email,
            "support@helpdesk.local",
            "Out of office",
            "Auto-Submitted: auto-replied\r\n",
            "I am away",
        ),
    )
    .await;
    smtp_send(
        port,
        "helpdesk@example.com",
        "support@helpdesk.local",
        &message("helpdesk@example.com", "support@helpdesk.local", "[TKT-000001] loop", "", "our own"),
    )
    .await;
    let after =
        app.get("/tickets?per_page=100", Some(&admin.token)).await.body["data"].as_array().unwrap().len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_opens_a_follow_up() {
    let mut app = TestApp::spawn().await;
    let port = app.smtp().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.verified_customer().await;
    let ticket = app.ticket(&customer.token, "Old problem").await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let reply_to = reply_address(&app, &customer.email).await;
    app.post(&format!("/tickets/{id}/assign"), Some(&agent.token), json!({"assignee_id": agent.id})).await;
    app.post(&format!("/tickets/{id}/status"), Some(&agent.token), json!({"status": "solved"})).await;
    let now = helpdesk::clock::now();
    crate::iam::checked(
        "automations-runner",
        helpdesk::app::automations::run(&app.state, now + time::Duration::days(5)),
    )
    .await
    .unwrap();
    assert_eq!(app.get(&format!("/tickets/{id}"), Some(&agent.token)).await.body["status"], "closed");

    smtp_send(
        port,
        &customer.email,
        &reply_to,
        &message(&customer.email, &reply_to, "Re: Old problem", "", "It is back"),
    )
    .await;
    assert!(comments(&app, &agent, &id).await.is_empty(), "a closed ticket takes no comment");
    let list = app.get(&format!("/tickets?requester_id={}", customer.id), Some(&agent.token)).await;
    let follow_up = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] != id.as_str())
        .expect("a follow-up")
        .clone();
    assert_eq!(follow_up["subject"], "Re: Old problem");
    assert!(follow_up["description"]
        .as_str()
        .unwrap()
        .contains(&format!("Follow-up to {}", ticket["ticket_number"].as_str().unwrap())));
    assert_eq!(follow_up["follow_up_of"], id.as_str(), "it links the closed ticket");
    // The message that opened it is retrievable too.
    let original = follow_up["original_mail"].as_str().expect("opened by mail").to_owned();
    assert_eq!(app.get(&original, Some(&agent.token)).await.status, 302);
}

#[tokio::test]
async fn a_reply_with_a_file_links_it_to_the_comment() {
    let mut app = TestApp::spawn().await;
    let port = app.smtp().await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.verified_customer().await;
    let ticket = app.ticket(&customer.token, "Paper jam").await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let reply_to = reply_address(&app, &customer.email).await;
    let raw = format!(
        "From: {from}\r\nTo: {reply_to}\r\nSubject: Re: Paper jam\r\nMessage-ID: <{mid}@mail.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is a photo of it.\r\n--XYZ\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"jam.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUg==\r\n--XYZ--\r\n",
        from = customer.email,
        mid = uuid::Uuid::new_v4()
    );
    smtp_send(port, &customer.email, &reply_to, &raw).await;
    let found = comments(&app, &agent, &id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["content"], "Here is a photo of it.");
    let attachments = found[0]["attachments"].as_array().expect("the comment lists its attachments");
    assert_eq!(attachments.len(), 1, "{found:?}");
    assert_eq!(attachments[0]["filename"], "jam.png");
    assert_eq!(attachments[0]["mime_type"], "image/png");
    assert_eq!(attachments[0]["file_size"], 16);
    let res = app
        .get(&format!("/attachments/{}", attachments[0]["id"].as_str().unwrap()), Some(&customer.token))
        .await;
    assert_eq!(res.status, 302, "the requester downloads it: {res:?}");
}

#[tokio::test]
async fn files_of_a_new_request_arrive_on_its_first_comment() {
    let mut app = TestApp::spawn().await;
    let port = app.smtp().await;
    let admin = app.staff(Role::Admin).await;
    let sender = format!("new-{}@mail.example", uuid::Uuid::new_v4().simple());
    let raw = format!(
        "From: {sender}\r\nTo: support@helpdesk.local\r\nSubject: Broken screen\r\nMessage-ID: <{mid}@mail.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUg==\r\n--B--\r\n",
        mid = uuid::Uuid::new_v4()
    );
    smtp_send(port, &sender, "support@helpdesk.local", &raw).await;
    let user = app.state.store.user_by_email(&sender).await.unwrap().expect("a customer was made");
    let list = app.get(&format!("/tickets?requester_id={}", user.user.id), Some(&admin.token)).await;
    let ticket = &list.body["data"][0];
    assert_eq!(ticket["description"], "See the photo.");
    assert_eq!(ticket["status"], "new");
    let found = comments(&app, &admin, ticket["id"].as_str().unwrap()).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["attachments"][0]["filename"], "screen.png");
    assert_eq!(found[0]["author_id"], user.user.id.to_string());
}
