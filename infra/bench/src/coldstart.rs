//! Sections 3 and 4: cold start of every function binary against a local Lambda Runtime API,
//! peak RSS, and the zipped package size, next to a hello-world lambda_runtime binary.
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Observed {
    first_next: Option<Instant>,
    first_result: Option<Instant>,
    served: bool,
}

/// Serves one invocation of `event` to whoever asks, and records when things happened.
async fn runtime_api(listener: tokio::net::TcpListener, event: Arc<Vec<u8>>, seen: Arc<Mutex<Observed>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (event, seen) = (event.clone(), seen.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let (event, seen) = (event.clone(), seen.clone());
                async move {
                    let path = req.uri().path().to_owned();
                    let now = Instant::now();
                    if path.ends_with("/invocation/next") {
                        let first = {
                            let mut s = seen.lock().unwrap();
                            s.first_next.get_or_insert(now);
                            let first = !s.served;
                            s.served = true;
                            first
                        };
                        if !first {
                            // Park further polls: one invocation is all we measure.
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap()
                            .as_millis();
                        return Ok::<_, std::convert::Infallible>(
                            http::Response::builder()
                                .header("lambda-runtime-aws-request-id", "bench-request-1")
                                .header("lambda-runtime-deadline-ms", deadline.to_string())
                                .header(
                                    "lambda-runtime-invoked-function-arn",
                                    "arn:aws:lambda:us-east-1:123456789012:function:bench",
                                )
                                .header("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000")
                                .body(Full::new(Bytes::from(event.as_ref().clone())))
                                .unwrap(),
                        );
                    }
                    if path.ends_with("/response") || path.ends_with("/error") {
                        let _ = req.into_body().collect().await;
                        seen.lock().unwrap().first_result.get_or_insert(now);
                    }
                    Ok(http::Response::builder().status(202).body(Full::new(Bytes::new())).unwrap())
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The process's major page faults so far (`/proc/<pid>/stat`, field 12).
fn major_faults(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    stat[stat.rfind(')')? + 2..].split_whitespace().nth(9)?.parse().ok()
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

pub struct ColdStart {
    pub name: String,
    pub to_first_request_ms: f64,
    pub to_first_response_ms: f64,
    pub peak_rss_mib: f64,
    /// Starts (of this figure's [`STARTS`]) that took a major page fault: part of the binary was
    /// read from disk rather than the page cache (the machine dropped its caches meanwhile), so
    /// they measured the disk as well as the start. One start: 0 or 1.
    pub starts_reading_disk: usize,
    pub zip_bytes: u64,
    /// The deployed package: `make build`'s arm64 `target/lambda/<function>/bootstrap`, zipped
    /// (when it has been built).
    pub lambda_zip_bytes: Option<u64>,
}

impl ColdStart {
    pub fn json(&self) -> Value {
        json!({"function": self.name, "to_first_request_ms": crate::stats::round(self.to_first_request_ms),
               "to_first_response_ms": crate::stats::round(self.to_first_response_ms),
               "peak_rss_mib": crate::stats::round(self.peak_rss_mib), "starts_reading_disk": self.starts_reading_disk, "zip_bytes": self.zip_bytes,
               "lambda_zip_bytes": self.lambda_zip_bytes})
    }
}

/// Zips `binary` as `bootstrap` (what a provided.al2023 package is), with a function's
/// partition files (`partitions/<id>.json`, as `make build` packages them: template.yaml's
/// `SMITHY_CLIENT_SDK_CUSTOM_PARTITION`) when `function`, deflate level 9; with `unpack_to`,
/// also unpacks that zip there as Lambda unpacks a package (`<dir>/bootstrap`, executable).
/// Returns the zip's size (0 if it could not be made).
fn package(binary: &Path, function: bool, unpack_to: Option<&Path>) -> u64 {
    let out = std::env::temp_dir().join(format!("bench-{}.zip", uuid::Uuid::new_v4().simple()));
    let script = "import glob,os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[3],'w',zipfile.ZIP_DEFLATED,compresslevel=9)\nz.write(sys.argv[1],'bootstrap')\nfor f in (sorted(glob.glob(os.path.join(sys.argv[2],'*.json'))) if sys.argv[2] else []):\n  z.write(f,'partitions/'+os.path.basename(f))\nz.close()\nif len(sys.argv)>4:\n  zipfile.ZipFile(sys.argv[3]).extractall(sys.argv[4])\n  os.chmod(os.path.join(sys.argv[4],'bootstrap'),0o755)";
    let partitions = if function {
        crate::paths::project_root().join("infra/partitions").display().to_string()
    } else {
        String::new()
    };
    let ok = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(binary)
        .arg(partitions)
        .arg(&out)
        .args(unpack_to)
        .status()
        .is_ok_and(|s| s.success());
    let size = if ok { std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) } else { 0 };
    let _ = std::fs::remove_file(&out);
    size
}

/// How many cold starts make one figure: a single start is noise (the hello-world binary
/// measured 3.7 ms in one run and 22.8 ms in another on a 2-core machine, and 3.6 then 1.8 ms
/// as the median of 7 starts taken back to back, minutes apart). With 21, one function's median
/// still moved by up to ±0.12× hello world between two runs of the same binaries (2026-12-05),
/// which is as much as separates most functions from the 1.5× target; 31 narrows that by about
/// a fifth (a median's spread falls with the square root of the starts) for half as long again.
pub const STARTS: usize = 31;

/// The machine's CPU time so far (`/proc/stat`, in clock ticks): to tell what share of it the
/// hypervisor took (steal) while the cold starts ran. On a shared virtual machine that share
/// varies from ~1% to over 30% within an hour, and every start slows with it.
#[derive(Debug, Clone, Copy)]
pub struct CpuTimes {
    total: u64,
    steal: u64,
}

impl CpuTimes {
    pub fn now() -> Option<Self> {
        Self::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The `cpu` line: user nice system idle iowait irq softirq steal [guest guest_nice].
    fn parse(stat: &str) -> Option<Self> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> =
            line.split_whitespace().skip(1).take(8).filter_map(|t| t.parse().ok()).collect();
        (ticks.len() == 8).then(|| CpuTimes { total: ticks.iter().sum(), steal: ticks[7] })
    }

    /// The percentage of the CPU time since `earlier` that the hypervisor took.
    pub fn steal_percent_since(&self, earlier: &CpuTimes) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total).filter(|t| *t > 0)?;
        Some(100.0 * self.steal.saturating_sub(earlier.steal) as f64 / total as f64)
    }
}

/// A binary to start: its name, path and the event it is invoked with.
pub struct Target {
    pub name: String,
    pub binary: PathBuf,
    pub event: Vec<u8>,
    /// One of the functions (packaged with its partition files), not a hello-world reference.
    pub function: bool,
}

/// The cold starts of every target, each figure the median of [`STARTS`] starts (peak RSS the
/// largest seen). The starts are interleaved: round after round, every binary once (in an
/// order rotated each round), so that whatever slows the machine for a while (another process,
/// the page cache, frequency scaling) falls on every binary alike instead of on whichever
/// happened to be measured then.
pub async fn measure_all(targets: &[Target], env: &[(String, String)]) -> Vec<ColdStart> {
    // Every binary starts from its package, zipped and unpacked as Lambda unpacks it, not from
    // the linker's output file: the same bytes, but the page cache holds a file the linker wrote
    // piecemeal in small pages and an unpacked one in large folios, and a start maps the latter
    // with fewer page faults (tickets-show: 280 instead of 319; hello world: 145 instead of
    // 154). What Lambda starts is the unpacked package.
    let packages = std::env::temp_dir().join(format!("helpdesk-bench-{}", std::process::id()));
    let packaged: Vec<(PathBuf, u64)> = targets
        .iter()
        .map(|t| {
            let dir = packages.join(&t.name);
            let zip_bytes = package(&t.binary, t.function, Some(&dir));
            let bootstrap = dir.join("bootstrap");
            assert!(bootstrap.exists(), "{} could not be packaged (python3 zipfile)", t.binary.display());
            (bootstrap, zip_bytes)
        })
        .collect();
    let mut runs: Vec<Vec<ColdStart>> = targets.iter().map(|_| Vec::with_capacity(STARTS)).collect();
    for round in 0..STARTS {
        for i in 0..targets.len() {
            let j = (i + round) % targets.len();
            let t = &targets[j];
            // A function reads its partition's table from its package, as deployed.
            let partition = t.function.then(|| {
                let file = packaged[j].0.with_file_name("partitions").join("aws.json");
                ("SMITHY_CLIENT_SDK_CUSTOM_PARTITION".to_owned(), file.display().to_string())
            });
            let env: Vec<(String, String)> = env.iter().cloned().chain(partition).collect();
            runs[j].push(measure_once(&t.name, &packaged[j].0, t.event.clone(), &env).await);
        }
        eprintln!("  round {}/{STARTS} of {} binaries", round + 1, targets.len());
    }
    let _ = std::fs::remove_dir_all(&packages);
    targets.iter().zip(runs).zip(packaged).map(|((t, runs), (_, zip))| summarise(t, &runs, zip)).collect()
}

fn summarise(t: &Target, runs: &[ColdStart], zip_bytes: u64) -> ColdStart {
    let median = |f: fn(&ColdStart) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    ColdStart {
        name: t.name.clone(),
        to_first_request_ms: median(|c| c.to_first_request_ms),
        to_first_response_ms: median(|c| c.to_first_response_ms),
        peak_rss_mib: runs.iter().map(|c| c.peak_rss_mib).fold(0.0, f64::max),
        starts_reading_disk: runs.iter().map(|c| c.starts_reading_disk).sum(),
        zip_bytes,
        lambda_zip_bytes: {
            let deployed = crate::paths::project_root().join("target/lambda").join(&t.name).join("bootstrap");
            deployed.exists().then(|| package(&deployed, t.function, None))
        },
    }
}

/// One cold start of `binary` handling `event`; `env` configures it (table, secret, endpoints).
async fn measure_once(name: &str, binary: &Path, event: Vec<u8>, env: &[(String, String)]) -> ColdStart {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Observed::default()));
    let server = tokio::spawn(runtime_api(listener, Arc::new(event), seen.clone()));
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("RUST_LOG", "error")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{} runs: {e}", binary.display()));
    let pid = child.id().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut rss = 0;
    while Instant::now() < deadline {
        rss = peak_rss_kib(pid).unwrap_or(rss);
        if seen.lock().unwrap().first_result.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    rss = peak_rss_kib(pid).unwrap_or(rss);
    let major_faults = major_faults(pid).unwrap_or(0);
    let _ = child.kill().await;
    server.abort();
    let s = seen.lock().unwrap();
    let ms = |t: Option<Instant>| t.map_or(f64::NAN, |t| (t - started).as_secs_f64() * 1000.0);
    ColdStart {
        name: name.to_owned(),
        to_first_request_ms: ms(s.first_next),
        to_first_response_ms: ms(s.first_result),
        peak_rss_mib: rss as f64 / 1024.0,
        starts_reading_disk: usize::from(major_faults > 0),
        zip_bytes: 0,
        lambda_zip_bytes: None,
    }
}

/// The sample event a function is invoked with (events/<function>-*.json, first by name).
pub fn event_for(root: &Path, function: &str) -> Vec<u8> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("events"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{function}-")))
        })
        .collect();
    files.sort();
    files.first().map(|f| std::fs::read(f).unwrap()).unwrap_or_else(|| b"{}".to_vec())
}

#[cfg(test)]
mod tests {
    use super::CpuTimes;

    #[test]
    fn a_process_s_major_faults_are_read_from_proc() {
        assert!(super::major_faults(std::process::id()).is_some());
        assert_eq!(super::major_faults(u32::MAX), None, "no such process");
    }

    #[test]
    fn steal_is_its_share_of_all_cpu_time() {
        let before = CpuTimes::parse("cpu  100 0 50 800 0 0 0 50 0 0\ncpu0 1 2 3 4 5 6 7 8\n").unwrap();
        let after = CpuTimes::parse("cpu  160 0 70 900 0 0 0 70 0 0\n").unwrap();
        assert_eq!(after.steal_percent_since(&before), Some(10.0));
        assert_eq!(before.steal_percent_since(&before), None, "no time passed");
        assert!(CpuTimes::parse("cpu0 1 2 3\n").is_none());
    }
}
