//! `make dev`: the whole help desk on loopback, no AWS account needed.
//!
//! Flags: `--in-memory` (throwaway data). Environment: `HELPDESK_HTTP_PORT` (3000),
//! `HELPDESK_DDB_PORT` (8000), `HELPDESK_TABLE` (helpdesk), `HELPDESK_DATA_DIR` (.local/data).
use helpdesk::config::Config;
use helpdesk::consumers::StreamConsumer;
use helpdesk::{AppState, BoxError};
use helpdesk_local::dynamodb_local::{self, Storage};
use helpdesk_local::streams::{self, StreamFeeder};
use helpdesk_local::{moto, paths, s3, seed, server, ws};
use std::sync::Arc;

fn port(var: &str, default: u16) -> Result<u16, BoxError> {
    match std::env::var(var) {
        Ok(v) => v.parse().map_err(|_| format!("{var} must be a port number, got {v:?}").into()),
        Err(_) => Ok(default),
    }
}

/// The token secret: `JWT_SECRET` if set, else generated once and kept in the data folder
/// (a throwaway one for in-memory runs).
fn jwt_secret(persistent: bool) -> Result<Vec<u8>, BoxError> {
    if let Ok(s) = std::env::var("JWT_SECRET") {
        return Ok(s.into_bytes());
    }
    let fresh = || -> Result<Vec<u8>, BoxError> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(|e| format!("no OS random source: {e}"))?;
        Ok(raw.iter().map(|b| format!("{b:02x}")).collect::<String>().into_bytes())
    };
    if !persistent {
        return fresh();
    }
    let path = paths::data_dir().join("jwt-secret");
    if let Ok(existing) = std::fs::read(&path) {
        return Ok(existing);
    }
    let secret = fresh()?;
    std::fs::create_dir_all(paths::data_dir())?;
    std::fs::write(&path, &secret)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret)
}

/// The table's stream → the stream consumers (the search indexer), polled like Lambda's event
/// source mapping would.
async fn run_stream_consumer(mut feeder: StreamFeeder, state: Arc<AppState>, consumer: StreamConsumer) {
    loop {
        let state = state.clone();
        if let Err(e) = feeder
            .poll_once(|event| {
                let state = state.clone();
                async move { consumer.handle(&state, &event).await }
            })
            .await
        {
            tracing::warn!(error = %e, "stream poll failed; retrying");
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The mail queue → the mailer, as Lambda's SQS event source would (long polling).
async fn run_mailer(state: Arc<AppState>, sqs: aws_sdk_sqs::Client, queue: String) {
    loop {
        let state = state.clone();
        let polled = moto::poll_queue(&sqs, &queue, 1, |event| async move {
            helpdesk::consumers::mailer::handle(&state, &event).await
        })
        .await;
        if let Err(e) = polled {
            tracing::warn!(error = %e, "mail queue poll failed; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}

/// The webhook queue → the delivery consumer, as Lambda's SQS event source would.
async fn run_webhook_delivery(state: Arc<AppState>, sqs: aws_sdk_sqs::Client, queue: String) {
    loop {
        let state = state.clone();
        let polled = moto::poll_queue(&sqs, &queue, 1, |event| async move {
            helpdesk::consumers::webhooks::handle(&state, &event).await
        })
        .await;
        if let Err(e) = polled {
            tracing::warn!(error = %e, "webhook queue poll failed; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}

/// The automations schedule (hourly EventBridge in AWS), every `seconds`.
async fn run_automations(state: Arc<AppState>, seconds: u16) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(seconds.max(1).into())).await;
        if let Err(e) = helpdesk::app::automations::run(&state, helpdesk::clock::now()).await {
            tracing::warn!(error = ?e, "automations run failed");
        }
    }
}

/// The SLA breach timer (a one-minute EventBridge schedule in AWS), every `seconds`.
async fn run_sla_timer(state: Arc<AppState>, seconds: u16) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(seconds.max(1).into())).await;
        if let Err(e) = helpdesk::app::sla::sweep(&state, helpdesk::clock::now()).await {
            tracing::warn!(error = ?e, "SLA breach timer failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler installs");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    helpdesk::telemetry::init();
    let in_memory = std::env::args().skip(1).any(|a| a == "--in-memory");
    if let Some(other) = std::env::args().skip(1).find(|a| a != "--in-memory") {
        return Err(format!("unknown argument {other:?}; usage: helpdesk-local [--in-memory]").into());
    }
    let http_port = port("HELPDESK_HTTP_PORT", 3000)?;
    let ddb_port = port("HELPDESK_DDB_PORT", 8000)?;
    let table = std::env::var("HELPDESK_TABLE").unwrap_or_else(|_| "helpdesk".into());

    let storage =
        if in_memory { Storage::InMemory } else { Storage::Dir(paths::data_dir().join("dynamodb")) };
    eprintln!("starting DynamoDB Local on port {ddb_port}{}", if in_memory { " (in memory)" } else { "" });
    let ddb = dynamodb_local::start(ddb_port, storage).await?;
    let client = dynamodb_local::client(&ddb.endpoint);
    if dynamodb_local::ensure_table(&client, &table).await? {
        eprintln!("created table {table}");
    }
    let s3_port = port("HELPDESK_S3_PORT", 9000)?;
    let s3_root = if in_memory {
        std::env::temp_dir().join(format!("helpdesk-s3-{}", std::process::id()))
    } else {
        paths::data_dir().join("s3")
    };
    let s3_listener = tokio::net::TcpListener::bind(("127.0.0.1", s3_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{s3_port} ({e}); set HELPDESK_S3_PORT"))?;
    s3::ensure_bucket(&s3_root, s3::DEFAULT_BUCKET)?;
    let s3_server = tokio::spawn(s3::serve(s3_listener, &s3_root).await?);
    let s3_endpoint = format!("http://127.0.0.1:{s3_port}");

    let ws_port = port("HELPDESK_WS_PORT", 3001)?;
    let ws_listener = tokio::net::TcpListener::bind(("127.0.0.1", ws_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{ws_port} ({e}); set HELPDESK_WS_PORT"))?;
    let ws_endpoint = format!("http://127.0.0.1:{ws_port}");

    let moto_port = port("HELPDESK_MOTO_PORT", 4566)?;
    eprintln!("starting moto (SQS, SES v2) on port {moto_port}");
    let moto = moto::start(moto_port).await?;
    let sqs = moto::sqs_client(&moto.endpoint);
    let sender = std::env::var("SENDER_EMAIL").unwrap_or_else(|_| "helpdesk@example.com".into());
    let (mail_queue, _dlq) =
        moto::setup_mail(&sqs, &moto::ses_client(&moto.endpoint), "helpdesk-mail", 5, 10, &sender).await?;
    let (webhook_queue, _webhook_dlq) = moto::setup_queue(&sqs, "helpdesk-webhooks", 8, 10).await?;

    let mut config = Config::new(&table, jwt_secret(!in_memory)?)?.with_env()?;
    config.mail_queue_url = Some(mail_queue.clone());
    // Mail to this domain comes in through the SMTP listener below.
    config.inbound_domain =
        Some(config.inbound_domain.clone().unwrap_or_else(|| "helpdesk.local".to_owned()));
    config.webhook_queue_url = Some(webhook_queue.clone());
    // Webhooks may also post to http://127.0.0.1:* here (never in AWS).
    config.allow_loopback_webhooks = true;
    config.sender_email = Some(sender);
    config.frontend_url = std::env::var("FRONTEND_URL").unwrap_or_else(|_| config.frontend_url.clone());
    config.attachments_bucket = Some(s3::DEFAULT_BUCKET.to_owned());
    config.ws_management_endpoint = Some(ws_endpoint.clone());
    // Scripts register many users from 127.0.0.1: only the per-source sign-up limit is raised
    // (unless THROTTLE_SIGNUPS_PER_SOURCE says otherwise); per-account limits stay as in AWS.
    if std::env::var("THROTTLE_SIGNUPS_PER_SOURCE").is_err() {
        config.limits.signups_per_source = helpdesk::config::Limit::new(10_000, 600);
    }
    let ws_key = ws::GatewayKey::random();
    let state = Arc::new(
        AppState::new(config, client)
            .with_s3(s3::client(&s3_endpoint))
            .with_presigner(s3::presigner(&s3_endpoint, s3::DEFAULT_BUCKET))
            .with_ws(ws::management_client(&ws_endpoint, &ws_key))
            .with_sqs(sqs.clone())
            .with_ses(moto::ses_client(&moto.endpoint)),
    );
    let ws_server = tokio::spawn(ws::serve(ws_listener, state.clone(), ws_key.clone()));
    seed::seed_demo_accounts(&state).await?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", http_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{http_port} ({e}); set HELPDESK_HTTP_PORT"))?;
    let http = tokio::spawn(server::serve(listener, state.clone(), Some(moto.endpoint.clone())));
    let mailer = tokio::spawn(run_mailer(state.clone(), sqs.clone(), mail_queue));
    let webhooks = tokio::spawn(run_webhook_delivery(state.clone(), sqs, webhook_queue));
    let smtp_port = port("HELPDESK_SMTP_PORT", 2525)?;
    let smtp_listener = tokio::net::TcpListener::bind(("127.0.0.1", smtp_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{smtp_port} ({e}); set HELPDESK_SMTP_PORT"))?;
    let smtp = tokio::spawn(helpdesk_local::smtp::serve(smtp_listener, state.clone()));
    let mut consumers = Vec::new();
    for consumer in StreamConsumer::ALL {
        let feeder = StreamFeeder::new(state.store.client(), streams::client(&ddb.endpoint), &table).await?;
        consumers.push(tokio::spawn(run_stream_consumer(feeder, state.clone(), consumer)));
    }
    let automations_every = port("HELPDESK_AUTOMATION_INTERVAL", 60)?;
    let automations = tokio::spawn(run_automations(state.clone(), automations_every));
    let sla_every = port("HELPDESK_SLA_INTERVAL", 15)?;
    let sla_timer = tokio::spawn(run_sla_timer(state.clone(), sla_every));

    println!();
    println!("  Help desk is running (local stack)");
    println!("  HTTP API        http://127.0.0.1:{http_port}");
    println!(
        "  WebSocket       ws://127.0.0.1:{ws_port}/?token=<token>  (@connections API on {ws_endpoint})"
    );
    println!("  DynamoDB Local  {}  (table {table})", ddb.endpoint);
    println!("  S3 (s3s-fs)     {s3_endpoint}  (bucket {}, SigV4 checked)", s3::DEFAULT_BUCKET);
    println!(
        "  Mail            http://127.0.0.1:{http_port}/_local/mail  (SQS + SES v2: moto on {})",
        moto.endpoint
    );
    println!("  Mail in (SMTP)  127.0.0.1:{smtp_port}  (support@helpdesk.local; replies to reply+...@helpdesk.local)");
    println!(
        "  Data            {}",
        if in_memory {
            "in memory (lost on exit)".to_owned()
        } else {
            paths::data_dir().display().to_string()
        }
    );
    println!("  Demo accounts   (password: {})", seed::DEMO_PASSWORD);
    for (_, email, role) in seed::DEMO_ACCOUNTS {
        println!("                  {email:<22} {}", role.as_str());
    }
    println!();
    println!("  Try: curl -s -X POST http://127.0.0.1:{http_port}/auth/login -H 'Content-Type: application/json' \\");
    println!("         -d '{{\"email\":\"agent@example.com\",\"password\":\"{}\"}}'", seed::DEMO_PASSWORD);
    println!("  Ctrl-C stops everything.");

    shutdown_signal().await;
    eprintln!("stopping");
    http.abort();
    consumers.iter().for_each(|c| c.abort());
    s3_server.abort();
    mailer.abort();
    webhooks.abort();
    smtp.abort();
    ws_server.abort();
    if in_memory {
        let _ = std::fs::remove_dir_all(&s3_root);
    }
    automations.abort();
    sla_timer.abort();
    drop(ddb);
    drop(moto);
    Ok(())
}
