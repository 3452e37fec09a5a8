//! `bench_probe runs`: `run()` throughput (runs per second, one sample per
//! time slice) and per-call latency, through one sink, from N tasks.
//!
//! The provider returns three recommendations at once and does nothing
//! else, so what is measured is `run()` and the sink. `bare` calls
//! `analyze()` without `run()`: the floor every other figure is compared to.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, AuditSink, Incident, MemorySink, Priority, Provider, ProviderError,
    Recommendation, RecommendationType, RunOptions, RunStatus, run as audited_run,
};
use intelligence_store::{Store, StoreOptions, Synchronous, WriteMode};

/// Runs per memory sink before a fresh one replaces it: `MemorySink` finds a
/// record by a linear scan, so a sink holding every run of a long sample
/// would measure that scan instead of `run()`.
const MEMORY_SINK_ROTATION: u64 = 1_000;

/// What `runs` measures.
#[derive(clap::Args)]
pub struct RunsArgs {
    /// `bare` (analyze() alone), `memory`, `sqlite`, `sqlite-per-step`,
    /// `sqlite-full` or `postgres`.
    #[arg(long)]
    sink: String,
    /// The SQLite file or PostgreSQL URL, for the store sinks.
    #[arg(long)]
    url: Option<String>,
    /// Concurrent tasks.
    #[arg(long, default_value_t = 1)]
    tasks: usize,
    /// Samples (time slices) measured after the warm-up.
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// Length of one sample, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    sample_ms: u64,
    /// Warm-up before the first sample, in milliseconds.
    #[arg(long, default_value_t = 300)]
    warmup_ms: u64,
}

/// A provider that answers three recommendations at once.
struct ThreeRecommendations {
    answer: Vec<Recommendation>,
}

impl ThreeRecommendations {
    fn new() -> Self {
        let answer = (1..=3)
            .map(|i| {
                Recommendation::new(
                    RecommendationType::Memory,
                    Priority::Medium,
                    format!("recommendation {i}"),
                    "a fixed answer, so that run() and its sink are what is measured",
                )
                .with_actions(["look at the top processes", "restart the worst offender"])
            })
            .collect();
        Self { answer }
    }
}

#[async_trait]
impl Provider for ThreeRecommendations {
    fn name(&self) -> &str {
        "bench"
    }

    fn description(&self) -> &str {
        "answers three fixed recommendations"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        Ok(Analysis::new(self.answer.clone()))
    }
}

enum Target {
    Bare,
    Memory(Mutex<Arc<MemorySink>>),
    Store(Store),
}

impl Target {
    fn open(args: &RunsArgs) -> Result<Self> {
        let url = || args.url.as_deref().context("--url is needed for this sink");
        Ok(match args.sink.as_str() {
            "bare" => Self::Bare,
            "memory" => Self::Memory(Mutex::new(Arc::new(MemorySink::new()))),
            "sqlite" | "postgres" => Self::Store(Store::open(url()?)?),
            "sqlite-full" => Self::Store(Store::open_with(
                url()?,
                &StoreOptions {
                    synchronous: Synchronous::Full,
                    ..StoreOptions::default()
                },
            )?),
            "sqlite-per-step" => Self::Store(Store::open_with(
                url()?,
                &StoreOptions {
                    write_mode: WriteMode::PerStep,
                    ..StoreOptions::default()
                },
            )?),
            other => bail!("unknown sink {other:?}"),
        })
    }

    /// The sink for the next run; `None` for `bare`.
    fn sink(&self, done: u64) -> Option<Arc<dyn AuditSink>> {
        match self {
            Self::Bare => None,
            Self::Memory(slot) => {
                let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
                if done.is_multiple_of(MEMORY_SINK_ROTATION) {
                    *slot = Arc::new(MemorySink::new());
                }
                Some(slot.clone())
            }
            Self::Store(store) => Some(Arc::new(store.clone())),
        }
    }
}

/// Runs as many runs as fit before `deadline`; their count and latencies (µs).
async fn worker(
    target: Arc<Target>,
    provider: Arc<ThreeRecommendations>,
    deadline: Instant,
) -> Result<(u64, Vec<f64>)> {
    let kind = AnalysisKind::Memory;
    let mut latencies = Vec::new();
    let mut done: u64 = 0;
    while Instant::now() < deadline {
        let start = Instant::now();
        match target.sink(done) {
            None => {
                provider.analyze(None, &kind).await?;
            }
            Some(sink) => {
                let options = RunOptions {
                    trace_id: "bench".into(),
                    config: serde_json::json!({"top_n": 10, "api_key": "sk-bench-secret"}),
                    ..RunOptions::default()
                };
                audited_run(provider.as_ref(), sink, None, &kind, options).await?;
            }
        }
        latencies.push(start.elapsed().as_secs_f64() * 1e6);
        done += 1;
    }
    Ok((done, latencies))
}

/// One time slice from `tasks` tasks: runs done, seconds taken, latencies.
async fn slice(
    target: &Arc<Target>,
    provider: &Arc<ThreeRecommendations>,
    tasks: usize,
    length: Duration,
) -> Result<(u64, f64, Vec<f64>)> {
    let start = Instant::now();
    let deadline = start + length;
    let handles: Vec<_> = (0..tasks)
        .map(|_| tokio::spawn(worker(target.clone(), provider.clone(), deadline)))
        .collect();
    let mut total = 0;
    let mut latencies = Vec::new();
    for handle in handles {
        let (done, mut lat) = handle.await??;
        total += done;
        latencies.append(&mut lat);
    }
    // A slice counts the runs whose records are written, not only queued:
    // the batched store's writer finishes inside the slice's time.
    if let Target::Store(store) = target.as_ref() {
        store.flush().await;
    }
    Ok((total, start.elapsed().as_secs_f64(), latencies))
}

/// Measures and prints `{"rates": [...], "latency_us": {...}, "records": ..}`.
pub async fn run(args: &RunsArgs) -> Result<()> {
    let target = Arc::new(Target::open(args)?);
    let (before, _) = tally(&target).await?;
    let provider = Arc::new(ThreeRecommendations::new());
    let tasks = args.tasks.max(1);

    let (mut total, _, _) = slice(
        &target,
        &provider,
        tasks,
        Duration::from_millis(args.warmup_ms),
    )
    .await?;
    let mut rates = Vec::new();
    let mut latencies = Vec::new();
    for _ in 0..args.samples.max(1) {
        let (done, seconds, mut lat) = slice(
            &target,
            &provider,
            tasks,
            Duration::from_millis(args.sample_ms),
        )
        .await?;
        total += done;
        rates.push(done as f64 / seconds);
        latencies.append(&mut lat);
    }
    latencies.sort_by(f64::total_cmp);

    let (after, open) = tally(&target).await?;
    let records = after.zip(before).map(|(a, b)| a - b);
    let report = serde_json::json!({
        "sink": args.sink,
        "tasks": tasks,
        "runs": total,
        "rates": rates,
        "latency_us": {
            "median": percentile(&latencies, 0.5),
            "min": latencies.first().copied().unwrap_or(0.0),
            "max": latencies.last().copied().unwrap_or(0.0),
        },
        "records": records,
        "non_terminal": open,
    });
    println!("{report}");
    Ok(())
}

/// Records in the store and how many of them are not terminal; `None` for
/// the sinks that are not a store.
async fn tally(target: &Target) -> Result<(Option<i64>, Option<i64>)> {
    let Target::Store(store) = target else {
        return Ok((None, None));
    };
    let counts = store.counts().await?;
    let records: i64 = counts.iter().map(|c| c.count).sum();
    let open: i64 = counts
        .iter()
        .filter(|c| !matches!(c.status, RunStatus::Succeeded | RunStatus::Failed))
        .map(|c| c.count)
        .sum();
    Ok((Some(records), Some(open)))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
