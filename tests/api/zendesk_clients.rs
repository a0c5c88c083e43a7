//! The Zendesk client libraries, unchanged, against the desk over real HTTP (issue 18): a zenpy
//! script and a node-zendesk script (tests/clients/) written as for Zendesk, with only the URL
//! and the credentials changed. `make test` installs both (infra/bootstrap.sh --clients).
use crate::helpers::{unique_email, TestApp};
use helpdesk::domain::user::Role;
use serde_json::json;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The desk served on a loopback port (the local stack's router), an admin's API token, an
/// agent's number and 105 tickets already there (so listing crosses a page of 100).
async fn desk() -> (TestApp, String, String, String, u64, usize, u64) {
    let mut app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin).await;
    let agent = app.staff(Role::Agent).await;
    let customer = app.customer().await;
    let requester = uuid::Uuid::parse_str(&customer.id).unwrap();
    app.import_tickets(requester, (0..105).map(|i| format!("Old ticket {i}")), 1000).await;
    let made = app.post("/api-tokens", Some(&admin.token), json!({"description": "client tests"})).await;
    let token = made.body["api_token"]["token"].as_str().unwrap().to_owned();
    let group = app.post("/groups", Some(&admin.token), json!({"name": "Second line"})).await;
    let group = group.body["group"]["number"].as_u64().expect("a numbered group");
    let agent_record =
        app.state.store.get_user(uuid::Uuid::parse_str(&agent.id).unwrap()).await.unwrap().unwrap();
    // Search reads the index the stream indexer keeps; the imported tickets are never
    // searched, so indexing starts after them (no thousands of postings to write first).
    app.keep_indexing_from_now().await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(helpdesk_local::server::serve(listener, app.state.clone(), None));
    (
        app,
        format!("127.0.0.1:{}", addr.port()),
        admin.email,
        token,
        agent_record.user.number.unwrap(),
        105,
        group,
    )
}

fn run(mut cmd: std::process::Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what} runs (make test installs it): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{what}: {stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zenpy_script_runs_unchanged() {
    let (_app, netloc, email, token, agent, total, group) = desk().await;
    let mut cmd = std::process::Command::new(root().join(".local/venv/bin/python"));
    cmd.arg(root().join("tests/clients/zenpy_integration.py"))
        .env("ZENPY_FORCE_NETLOC", &netloc)
        .env("ZENPY_FORCE_SCHEME", "http")
        .env("ZD_EMAIL", &email)
        .env("ZD_TOKEN", &token)
        .env("ZD_REQUESTER", unique_email("zenpy"))
        .env("ZD_AGENT_ID", agent.to_string())
        .env("ZD_TOTAL", total.to_string())
        .env("ZD_GROUP_ID", group.to_string());
    tokio::task::spawn_blocking(move || run(cmd, "the zenpy script")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_zendesk_script_runs_unchanged() {
    let (_app, netloc, email, token, agent, total, _) = desk().await;
    let mut cmd = std::process::Command::new("node");
    cmd.arg(root().join("tests/clients/node_zendesk_integration.js"))
        .env("NODE_PATH", root().join(".local/zendesk-node/node_modules"))
        .env("ZD_URL", format!("http://{netloc}/api/v2"))
        .env("ZD_EMAIL", &email)
        .env("ZD_TOKEN", &token)
        .env("ZD_REQUESTER", unique_email("node"))
        .env("ZD_AGENT_ID", agent.to_string())
        .env("ZD_TOTAL", total.to_string());
    tokio::task::spawn_blocking(move || run(cmd, "the node-zendesk script")).await.unwrap();
}
