//! Latency samples and their percentiles.
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

pub fn stats(mut samples: Vec<Duration>) -> Stats {
    if samples.is_empty() {
        return Stats::default();
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(samples[((samples.len() as f64 - 1.0) * q).round() as usize]);
    Stats {
        samples: samples.len(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        mean_ms: samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len() as f64,
    }
}

impl Stats {
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"samples": self.samples, "p50_ms": round(self.p50_ms), "p99_ms": round(self.p99_ms), "mean_ms": round(self.mean_ms)})
    }
}

pub fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Runs `op` `per_worker` times on each of `workers` concurrent tasks; returns every latency.
pub async fn run<F, Fut>(workers: usize, per_worker: usize, op: F) -> Vec<Duration>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let tasks = (0..workers).map(|w| {
        let op = op.clone();
        tokio::spawn(async move {
            let mut out = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let started = std::time::Instant::now();
                op(w * per_worker + i).await;
                out.push(started.elapsed());
            }
            out
        })
    });
    futures::future::join_all(tasks).await.into_iter().flat_map(|r| r.expect("bench task")).collect()
}
