//! Email through the real path: stream → notifier → SQS (moto) → mailer → SES v2 (moto).
use crate::helpers::{TestApp, SENDER};
use helpdesk::domain::user::Role;
use helpdesk::mail::{MailJob, MailKind};
use serde_json::json;

#[tokio::test]
async fn a_new_ticket_mails_its_requester_once_with_the_ticket_number() {
    let app = TestApp::spawn().await;
    let customer = app.verified_customer().await;
    let res = app
        .post(
            "/tickets",
            Some(&customer.token),
            json!({"subject": "Printer <b>on</b> fire", "description": "Help & <script>"}),
        )
        .await;
    let number = res.body["ticket_number"].as_str().unwrap().to_owned();
    assert!(app.ticket_mail_to(&customer.email).await.is_empty(), "no mail from the request itself");
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];
    assert_eq!(m["subject"], format!("[{number}] Printer <b>on</b> fire"));
    assert_eq!(m["from"], SENDER);
    // `reply+<number>.<signature>@<receiving domain>`: replies come back to their ticket.
    let reply_to = m["reply_to"].as_str().unwrap();
    assert!(
        reply_to.starts_with(&format!("reply+{number}.")) && reply_to.ends_with("@helpdesk.local"),
        "{reply_to}"
    );
    assert!(m["text"].as_str().unwrap().contains("Help & <script>"));
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("Help &amp; &lt;script&gt;") && !html.contains("<script>"), "{html}");
    assert!(helpdesk::clock::parse(m["sent_at"].as_str().unwrap()).is_some());
    // Running the path again sends nothing more.
    app.deliver_mail().await;
    assert_eq!(app.ticket_mail_to(&customer.email).await.len(), 1);
}

#[tokio::test]
async fn replies_notes_assignment_and_solving() {
    let app = TestApp::spawn().await;
    let customer = app.verified_customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Mail rules").await;
    let tid = ticket["id"].as_str().unwrap();
    app.deliver_mail().await;
    assert_eq!(app.ticket_mail_to(&customer.email).await.len(), 1, "created");

    app.post(
        &format!("/tickets/{tid}/comments"),
        Some(&agent.token),
        json!({"content": "INTERNAL only", "is_internal": true}),
    )
    .await;
    app.post(&format!("/tickets/{tid}/comments"), Some(&customer.token), json!({"content": "my own reply"}))
        .await;
    app.deliver_mail().await;
    assert_eq!(
        app.ticket_mail_to(&customer.email).await.len(),
        1,
        "no mail for a note or the requester's own reply"
    );

    app.post(&format!("/tickets/{tid}/comments"), Some(&agent.token), json!({"content": "Public answer"}))
        .await;
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    assert_eq!(mail.len(), 2);
    assert!(mail[0]["text"].as_str().unwrap().contains("Public answer"));
    assert!(mail.iter().all(|m| !m["text"].as_str().unwrap().contains("INTERNAL")));

    app.post(&format!("/tickets/{tid}/assign"), Some(&agent.token), json!({"assignee_id": agent.id})).await;
    app.post(&format!("/tickets/{tid}/status"), Some(&agent.token), json!({"status": "solved"})).await;
    app.deliver_mail().await;
    let assigned = app.mail_to(&agent.email).await;
    assert_eq!(assigned.len(), 1, "the assignee is told");
    assert!(assigned[0]["text"].as_str().unwrap().contains("assigned to you"));
    let mail = app.ticket_mail_to(&customer.email).await;
    assert_eq!(mail.len(), 3);
    assert!(mail[0]["text"].as_str().unwrap().contains("solved"));
}

#[tokio::test]
async fn a_duplicated_queue_message_sends_one_mail() {
    let app = TestApp::spawn().await;
    let customer = app.verified_customer().await;
    let ticket = app.ticket(&customer.token, "Twice").await;
    let job = MailJob {
        id: format!("dup-{}", uuid::Uuid::new_v4()),
        kind: MailKind::TicketCreated,
        ticket_id: ticket["id"].as_str().unwrap().parse().unwrap(),
        recipient_id: customer.id.parse().unwrap(),
        comment_id: None,
        notification_id: None,
    };
    let (sqs, queue) = app.state.mail_queue().unwrap();
    for _ in 0..2 {
        sqs.send_message()
            .queue_url(queue)
            .message_body(serde_json::to_string(&job).unwrap())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(app.drain_mail_queue().await, 2, "both deliveries handled");
    assert_eq!(app.ticket_mail_to(&customer.email).await.len(), 1);
}

#[tokio::test]
async fn a_message_failing_past_its_retries_reaches_the_dead_letter_queue() {
    let app = TestApp::spawn().await;
    // A staff requester: no sign-up mail in the queue, only the ticket's.
    let customer = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Undeliverable").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    // A mailer whose sender domain SES has not verified: every send is rejected.
    let mut config = app.state.config.clone();
    config.sender_email = Some(format!("helpdesk@unverified-{}.test", uuid::Uuid::new_v4().simple()));
    let broken = app.as_deployed(config, helpdesk::consumers::lambda::clients::mailer);

    let (sqs, _) = app.state.mail_queue().unwrap();
    let mut in_dlq = 0;
    for _ in 0..10 {
        let broken = &broken;
        let handled = helpdesk_local::moto::poll_queue(sqs, &app.mail_queue, 0, |event| async move {
            helpdesk::consumers::mailer::handle(broken, &event).await
        })
        .await
        .unwrap();
        assert_eq!(handled, 0, "the failing message is never deleted as handled");
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&app.mail_dlq)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        in_dlq = attrs
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if in_dlq > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    assert_eq!(in_dlq, 1, "the job for {} is in the DLQ", ticket["ticket_number"]);
    assert!(app.ticket_mail_to(&customer.email).await.is_empty());
    // The failed sends left no claim behind: a fixed mailer can still send the job from the DLQ.
    let msg =
        sqs.receive_message().queue_url(&app.mail_dlq).send().await.unwrap().messages.unwrap_or_default();
    let job: MailJob = serde_json::from_str(msg[0].body().unwrap()).unwrap();
    let key =
        helpdesk::store::keys::key(helpdesk::store::keys::mail_pk(&job.id), helpdesk::store::keys::MAIL_SK);
    assert!(app.state.store.get(key).await.unwrap().is_none());
}

/// The mailer as its Lambda builds it (SES at init, SQS on the first failure) delays the retry of
/// a message SES refused. (Its Lambda once had no SQS client, so the delay was skipped there
/// without a word while the tests, on a state with every client, passed.)
#[tokio::test]
async fn the_mailer_as_deployed_delays_the_retry_of_a_failed_send() {
    let app = TestApp::spawn().await;
    let agent = app.staff(Role::Agent).await;
    app.ticket(&agent.token, "Undeliverable").await;
    app.run_stream(helpdesk::consumers::StreamConsumer::Notifier).await;
    let mut config = app.state.config.clone();
    config.sender_email = Some(format!("helpdesk@unverified-{}.test", uuid::Uuid::new_v4().simple()));
    // The first retry waits 30 s; the queue's own visibility timeout is 1 s.
    config.mail_retry_base_seconds = 30;
    let mailer = app.as_deployed(config, helpdesk::consumers::lambda::clients::mailer);
    let (sqs, _) = app.state.mail_queue().unwrap();
    let mailer = &mailer;
    let handled = helpdesk_local::moto::poll_queue(sqs, &app.mail_queue, 0, |event| async move {
        let response = helpdesk::consumers::mailer::handle(mailer, &event).await;
        assert_eq!(response.batch_item_failures.len(), 1, "SES refused the send");
        response
    })
    .await
    .unwrap();
    assert_eq!(handled, 0);
    app.assert_retry_delayed(&app.mail_queue).await;
}

#[tokio::test]
async fn an_opted_out_user_gets_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.verified_customer().await;
    let agent = app.staff(Role::Agent).await;
    let res = app.patch("/auth/me", Some(&customer.token), json!({"notify_email": false})).await;
    assert_eq!(res.body["user"]["notify_email"], false);
    let ticket = app.ticket(&customer.token, "Quiet please").await;
    app.post(
        &format!("/tickets/{}/comments", ticket["id"].as_str().unwrap()),
        Some(&agent.token),
        json!({"content": "hi"}),
    )
    .await;
    assert!(app.deliver_mail().await >= 2, "the jobs were queued and handled");
    assert!(app.ticket_mail_to(&customer.email).await.is_empty());
}

#[tokio::test]
async fn mail_to_an_unverified_address_carries_no_user_written_text() {
    let app = TestApp::spawn().await;
    // Someone registers a stranger's address with a crafted name and opens a crafted ticket.
    let stranger = crate::helpers::unique_email("stranger");
    let res = app
        .post(
            "/auth/register",
            None,
            json!({"name": "Win a prize at evil.example", "email": stranger, "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["user"]["email_verified"], false);
    let token = res.body["token"].as_str().unwrap();
    let ticket = app.ticket(token, "Claim your prize at evil.example now").await;
    let agent = app.staff(Role::Agent).await;
    app.post(
        &format!("/tickets/{}/comments", ticket["id"].as_str().unwrap()),
        Some(&agent.token),
        json!({"content": "Public answer quoting evil.example"}),
    )
    .await;
    app.deliver_mail().await;
    let mail = app.mail_to(&stranger).await;
    assert_eq!(mail.len(), 3, "verification, created, reply: {mail:?}");
    for m in &mail {
        for part in ["subject", "text", "html"] {
            let s = m[part].as_str().unwrap();
            assert!(!s.contains("evil.example") && !s.contains("prize"), "{part}: {s}");
        }
    }
    let number = ticket["ticket_number"].as_str().unwrap();
    assert!(mail
        .iter()
        .filter(|m| m["subject"] != "Verify your email address")
        .all(|m| m["text"].as_str().unwrap().contains(number)));
}

#[tokio::test]
async fn the_sign_up_link_verifies_the_address_and_only_that_one() {
    let app = TestApp::spawn().await;
    let customer = app.verified_customer().await;
    let me = app.get("/auth/me", Some(&customer.token)).await;
    assert_eq!(me.body["user"]["email_verified"], true);
    // Once verified, mail quotes the ticket again.
    app.ticket(&customer.token, "Printer on fire").await;
    app.deliver_mail().await;
    let mail = app.ticket_mail_to(&customer.email).await;
    assert!(mail[0]["subject"].as_str().unwrap().contains("Printer on fire"), "{mail:?}");

    // Forged, foreign and expired tokens are one 422.
    let other = app.customer().await;
    let now = helpdesk::clock::now().unix_timestamp();
    let links = &app.state.links;
    use helpdesk::auth::link::Purpose;
    let id: uuid::Uuid = other.id.parse().unwrap();
    let wrong_address = links.issue(Purpose::VerifyEmail, id, "someone@else.example", now + 60);
    let expired = links.issue(Purpose::VerifyEmail, id, &other.email.to_lowercase(), now - 1);
    for token in ["garbage".to_owned(), wrong_address, expired] {
        let res = app.post("/auth/verify-email", None, json!({"token": token})).await;
        assert_eq!(res.status, 422, "{res:?}");
        assert!(res.body["errors"]["token"].is_array());
    }
    assert_eq!(app.get("/auth/me", Some(&other.token)).await.body["user"]["email_verified"], false);
}
