//! Attachments through presigned URLs against the real local S3 (s3s-fs, SigV4 checked).
use crate::helpers::{http_request, Actor, TestApp, MAX_UPLOAD};
use helpdesk::consumers::StreamConsumer;
use helpdesk::domain::user::Role;
use serde_json::{json, Value};

/// Asks for an upload URL; returns the response body.
async fn start_upload(app: &TestApp, who: &Actor, ticket_id: &str, filename: &str, size: usize) -> Value {
    let res = app
        .post("/attachments", Some(&who.token), json!({"ticket_id": ticket_id, "filename": filename, "mime_type": "text/plain", "file_size": size}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body
}

async fn put(upload: &Value, bytes: &[u8]) -> u16 {
    let headers: Vec<(String, String)> = upload["upload_headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(upload["upload_method"], "PUT");
    http_request("PUT", upload["upload_url"].as_str().unwrap(), &headers, bytes.to_vec()).await.0
}

/// Uploads bytes for a new attachment of `ticket_id`; returns the attachment id.
async fn upload(app: &TestApp, who: &Actor, ticket_id: &str, filename: &str, bytes: &[u8]) -> String {
    let started = start_upload(app, who, ticket_id, filename, bytes.len()).await;
    assert_eq!(put(&started, bytes).await, 200);
    started["attachment"]["id"].as_str().unwrap().to_owned()
}

async fn object_exists(app: &TestApp, key_prefix: &str) -> bool {
    let (s3, bucket) = app.state.attachments().unwrap();
    let listed = s3.list_objects_v2().bucket(bucket).prefix(key_prefix).send().await.unwrap();
    listed.key_count().unwrap_or(0) > 0
}

#[tokio::test]
async fn upload_link_and_download_round_trip() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "With a file").await;
    let tid = ticket["id"].as_str().unwrap();
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();

    let started = start_upload(&app, &customer, tid, "Scan (1) ü.bin", bytes.len()).await;
    assert_eq!(started["attachment"]["filename"], "Scan (1) ü.bin");
    assert_eq!(started["attachment"]["comment_id"], Value::Null);
    assert!(
        helpdesk::clock::parse(started["expires_at"].as_str().unwrap()).unwrap() > helpdesk::clock::now()
    );
    assert!(started["upload_url"].as_str().unwrap().starts_with(&app.s3_endpoint));
    assert!(!started["upload_url"].as_str().unwrap().contains("ü"), "the object key is sanitised");
    assert_eq!(put(&started, &bytes).await, 200);
    let aid = started["attachment"]["id"].as_str().unwrap().to_owned();

    let comment = app
        .post(
            &format!("/tickets/{tid}/comments"),
            Some(&customer.token),
            json!({"content": "see file", "attachment_ids": [aid]}),
        )
        .await;
    assert_eq!(comment.status, 201, "{comment:?}");
    assert_eq!(comment.body["attachments"][0]["id"], aid.as_str());
    assert_eq!(comment.body["attachments"][0]["comment_id"], comment.body["id"]);
    let page = app.get(&format!("/tickets/{tid}"), Some(&agent.token)).await;
    assert_eq!(page.body["comments"][0]["attachments"][0]["file_size"], bytes.len());
    let list = app.get(&format!("/tickets/{tid}/comments"), Some(&customer.token)).await;
    assert_eq!(list.body["data"][0]["attachments"][0]["filename"], "Scan (1) ü.bin");

    for who in [&customer, &agent] {
        let res = app.get(&format!("/attachments/{aid}"), Some(&who.token)).await;
        assert_eq!(res.status, 302, "{res:?}");
        let location = res.headers["location"].to_str().unwrap().to_owned();
        let (status, headers, downloaded) = http_request("GET", &location, &[], Vec::new()).await;
        assert_eq!(status, 200);
        assert_eq!(downloaded, bytes, "the same bytes come back");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment;")
                && disposition.contains("UTF-8''Scan%20%281%29%20%C3%BC.bin"),
            "{disposition}"
        );
    }
    assert_eq!(app.get(&format!("/attachments/{aid}"), None).await.status, 401);
    assert_eq!(
        app.get("/attachments/0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", Some(&agent.token)).await.status,
        404
    );
}

#[tokio::test]
async fn tampered_expired_and_mismatched_uploads_are_refused_by_the_store() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Tamper").await;
    let tid = ticket["id"].as_str().unwrap();
    let started = start_upload(&app, &customer, tid, "a.txt", 5).await;
    let url = started["upload_url"].as_str().unwrap();
    let headers = vec![
        ("content-type".to_owned(), "text/plain".to_owned()),
        ("content-length".to_owned(), "5".to_owned()),
    ];

    // Flip one character of the signature.
    let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut tampered = url.to_owned();
    let c = if &url[at..at + 1] == "a" { "b" } else { "a" };
    tampered.replace_range(at..at + 1, c);
    assert_eq!(http_request("PUT", &tampered, &headers, b"hello".to_vec()).await.0, 403);
    // Another key under the same signature.
    let other_key = url.replacen("/attachments/", "/attachments/x", 1);
    assert_eq!(http_request("PUT", &other_key, &headers, b"hello".to_vec()).await.0, 403);
    // Other content type, or other length, than declared.
    let html = vec![
        ("content-type".to_owned(), "text/html".to_owned()),
        ("content-length".to_owned(), "5".to_owned()),
    ];
    assert_eq!(http_request("PUT", url, &html, b"hello".to_vec()).await.0, 403);
    let longer = vec![
        ("content-type".to_owned(), "text/plain".to_owned()),
        ("content-length".to_owned(), "6".to_owned()),
    ];
    assert_eq!(http_request("PUT", url, &longer, b"hello!".to_vec()).await.0, 403);
    assert!(!object_exists(&app, &format!("attachments/{tid}")).await, "nothing was stored");

    // An expired presigned URL (same client and key, one second of life).
    let (s3, bucket) = app.state.attachments().unwrap();
    let short = s3
        .get_object()
        .bucket(bucket)
        .key("attachments/whatever")
        .presigned(
            aws_sdk_s3::presigning::PresigningConfig::expires_in(std::time::Duration::from_secs(1)).unwrap(),
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(http_request("GET", short.uri(), &[], Vec::new()).await.0, 403);

    // The untampered URL still works.
    assert_eq!(http_request("PUT", url, &headers, b"hello".to_vec()).await.0, 200);
}

#[tokio::test]
async fn customers_never_download_internal_or_foreign_attachments() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&alice.token, "Private").await;
    let tid = ticket["id"].as_str().unwrap();

    let internal = upload(&app, &agent, tid, "notes.txt", b"internal").await;
    let note = app
        .post(
            &format!("/tickets/{tid}/comments"),
            Some(&agent.token),
            json!({"content": "note", "is_internal": true, "attachment_ids": [internal]}),
        )
        .await;
    assert_eq!(note.status, 201, "{note:?}");
    let public = upload(&app, &alice, tid, "public.txt", b"public").await;
    app.post(
        &format!("/tickets/{tid}/comments"),
        Some(&alice.token),
        json!({"content": "mine", "attachment_ids": [public]}),
    )
    .await;
    let pending = upload(&app, &agent, tid, "draft.txt", b"draft").await;

    assert_eq!(app.get(&format!("/attachments/{internal}"), Some(&alice.token)).await.status, 404);
    assert_eq!(app.get(&format!("/attachments/{pending}"), Some(&alice.token)).await.status, 404);
    assert_eq!(app.get(&format!("/attachments/{public}"), Some(&alice.token)).await.status, 302);
    for id in [&internal, &public, &pending] {
        assert_eq!(app.get(&format!("/attachments/{id}"), Some(&bob.token)).await.status, 404, "bob, {id}");
        assert_eq!(app.get(&format!("/attachments/{id}"), Some(&agent.token)).await.status, 302);
    }
    // The internal note's file is not in anything Alice can read.
    let page = app.get(&format!("/tickets/{tid}"), Some(&alice.token)).await;
    assert!(!page.body.to_string().contains(&internal));
    // Bob cannot even start an upload on Alice's ticket.
    let res = app
        .post(
            "/attachments",
            Some(&bob.token),
            json!({"ticket_id": tid, "filename": "x.txt", "mime_type": "text/plain", "file_size": 1}),
        )
        .await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn upload_requests_are_validated() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let ticket = app.ticket(&customer.token, "Validate").await;
    let tid = ticket["id"].as_str().unwrap();
    let base = json!({"ticket_id": tid, "filename": "a.txt", "mime_type": "text/plain", "file_size": 10});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("file_size", json!(0)), "file_size"),
        (with("file_size", json!(MAX_UPLOAD + 1)), "file_size"),
        (with("file_size", json!(-5)), "file_size"),
        (with("file_size", json!("10")), "file_size"),
        (with("filename", json!("../../etc/passwd")), "filename"),
        (with("filename", json!("a\u{0}b")), "filename"),
        (with("filename", json!("")), "filename"),
        (with("mime_type", json!("not a type")), "mime_type"),
        (with("ticket_id", json!("nope")), "ticket_id"),
        (json!({}), "ticket_id"),
    ] {
        let res = app.post("/attachments", Some(&customer.token), body.clone()).await;
        assert_eq!(res.status, 422, "{body} → {res:?}");
        assert!(res.body["errors"][field].is_array(), "{body} → {res:?}");
    }
    assert_eq!(
        app.post("/attachments", Some(&customer.token), with("file_size", json!(MAX_UPLOAD))).await.status,
        201
    );
    assert_eq!(app.post("/attachments", None, base.clone()).await.status, 401);
    let missing = with("ticket_id", json!("0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506"));
    assert_eq!(app.post("/attachments", Some(&customer.token), missing).await.status, 404);
}

#[tokio::test]
async fn only_own_uploaded_unlinked_attachments_of_the_same_ticket_can_be_linked() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let agent = app.staff(Role::Agent).await;
    let ticket = app.ticket(&customer.token, "Links").await;
    let other_ticket = app.ticket(&customer.token, "Elsewhere").await;
    let tid = ticket["id"].as_str().unwrap();
    let path = format!("/tickets/{tid}/comments");

    let agents_file = upload(&app, &agent, tid, "agent.txt", b"agent").await;
    let elsewhere = upload(&app, &customer, other_ticket["id"].as_str().unwrap(), "e.txt", b"e").await;
    let never_uploaded = start_upload(&app, &customer, tid, "ghost.txt", 5).await["attachment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_size = start_upload(&app, &customer, tid, "size.txt", 5).await;
    let (s3, bucket) = app.state.attachments().unwrap();
    // Bytes put by other means than the presigned URL, with another size than declared.
    let key = format!("attachments/{tid}/{}/size.txt", wrong_size["attachment"]["id"].as_str().unwrap());
    s3.put_object().bucket(bucket).key(key).body(b"abc".to_vec().into()).send().await.unwrap();
    let wrong_size = wrong_size["attachment"]["id"].as_str().unwrap().to_owned();

    for id in [
        agents_file.as_str(),
        elsewhere.as_str(),
        never_uploaded.as_str(),
        wrong_size.as_str(),
        "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
        "not-a-uuid",
    ] {
        let res =
            app.post(&path, Some(&customer.token), json!({"content": "x", "attachment_ids": [id]})).await;
        assert_eq!(res.status, 422, "{id}: {res:?}");
        assert!(res.body["errors"]["attachment_ids"].is_array());
    }
    let mine = upload(&app, &customer, tid, "mine.txt", b"mine").await;
    assert_eq!(
        app.post(&path, Some(&customer.token), json!({"content": "ok", "attachment_ids": [mine]}))
            .await
            .status,
        201
    );
    let again =
        app.post(&path, Some(&customer.token), json!({"content": "again", "attachment_ids": [mine]})).await;
    assert_eq!(again.status, 422, "already linked: {again:?}");
    let comments = app.get(&path, Some(&agent.token)).await;
    assert_eq!(comments.body["data"].as_array().unwrap().len(), 1, "failed links created no comment");
}

#[tokio::test]
async fn deleting_a_ticket_or_a_pending_upload_removes_the_objects() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let admin = app.staff(Role::Admin).await;
    let ticket = app.ticket(&customer.token, "Doomed").await;
    let tid = ticket["id"].as_str().unwrap();
    let linked = upload(&app, &customer, tid, "a.txt", b"aaaa").await;
    app.post(
        &format!("/tickets/{tid}/comments"),
        Some(&customer.token),
        json!({"content": "a", "attachment_ids": [linked]}),
    )
    .await;
    let pending = upload(&app, &customer, tid, "b.txt", b"bbbb").await;
    assert!(object_exists(&app, &format!("attachments/{tid}/{linked}")).await);
    assert!(object_exists(&app, &format!("attachments/{tid}/{pending}")).await);

    assert_eq!(app.delete(&format!("/tickets/{tid}"), Some(&admin.token)).await.status, 204);
    assert!(
        object_exists(&app, &format!("attachments/{tid}/{linked}")).await,
        "not inline: the stream does it"
    );
    app.run_stream(StreamConsumer::AttachmentCleaner).await;
    assert!(!object_exists(&app, &format!("attachments/{tid}/{linked}")).await);
    assert!(!object_exists(&app, &format!("attachments/{tid}/{pending}")).await);

    // A pending upload whose item expires (TTL deletes it in AWS; here the test deletes it the
    // way TTL would) loses its object too.
    let other = app.ticket(&customer.token, "Kept").await;
    let oid = other["id"].as_str().unwrap();
    let stale = upload(&app, &customer, oid, "c.txt", b"cccc").await;
    let key = helpdesk::store::keys::key(
        helpdesk::store::keys::ticket_pk(oid.parse().unwrap()),
        helpdesk::store::keys::attachment_sk(stale.parse().unwrap()),
    );
    app.state.store.delete(key).await.unwrap();
    app.run_stream(StreamConsumer::AttachmentCleaner).await;
    assert!(!object_exists(&app, &format!("attachments/{oid}/{stale}")).await);
}
