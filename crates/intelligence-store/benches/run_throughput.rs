//! Throughput of `run()` with a provider that returns three recommendations
//! at once: bare `analyze()` as the baseline, then through the in-memory
//! sink, the SQLite file store (default: batched writer, `synchronous =
//! NORMAL`; each step committed on its own; `FULL`)
//! and PostgreSQL (when `INTELLIGENCE_TEST_DATABASE_URL` is set, with the
//! `postgres` feature); from one task and from 8 concurrent tasks. Criterion
//! reports runs per second as "elem/s".
//!
//! `cargo bench -p intelligence-store --all-features --bench run_throughput -- --warm-up-time 1 --measurement-time 3`

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use intelligence_core::{
    Analysis, AnalysisKind, AuditSink, Incident, MemorySink, Priority, Provider, ProviderError,
    Recommendation, RecommendationType, RunOptions, run,
};
use intelligence_store::{Store, StoreOptions, Synchronous, WriteMode};
use serde_json::json;

const TASKS: u64 = 8;

/// Returns the same three recommendations at once.
struct Three {
    analysis: Analysis,
}

impl Three {
    fn new() -> Self {
        let recs = (0..3)
            .map(|i| {
                Recommendation::new(
                    RecommendationType::Memory,
                    Priority::Medium,
                    format!("recommendation {i}"),
                    "a description of about the usual length for a local finding",
                )
                .with_details(json!({"rss_mb": 512.5, "pid": 4242, "name": "postgres"}))
                .with_actions(["restart the service", "add swap"])
            })
            .collect();
        Self {
            analysis: Analysis::new(recs),
        }
    }
}

#[async_trait]
impl Provider for Three {
    fn name(&self) -> &str {
        "three"
    }

    fn description(&self) -> &str {
        "returns three recommendations at once"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        Ok(self.analysis.clone())
    }
}

fn options() -> RunOptions {
    RunOptions {
        trace_id: "bench".into(),
        config: json!({"top_n": 10, "api_key": "sk-bench-secret"}),
        ..RunOptions::default()
    }
}

/// Runs between two fresh in-memory sinks: `MemorySink` finds a record by a
/// linear search, so one that kept every run of a long measurement would
/// measure its own growth rather than `run()`.
const CHUNK: u64 = 1000;

/// A sink under measurement.
#[derive(Clone)]
enum Target {
    /// A fresh `MemorySink` every [`CHUNK`] runs.
    Memory,
    /// One shared store.
    Store(Arc<dyn AuditSink>),
}

impl Target {
    fn sink(&self) -> Arc<dyn AuditSink> {
        match self {
            Self::Memory => Arc::new(MemorySink::new()),
            Self::Store(sink) => sink.clone(),
        }
    }
}

/// The sinks to measure, by name; the temporary directory lives as long as
/// the benchmark.
fn targets(dir: &tempfile::TempDir) -> Vec<(String, Target)> {
    let mut targets = vec![("memory".to_owned(), Target::Memory)];
    for (name, synchronous, write_mode) in [
        ("sqlite", Synchronous::Normal, WriteMode::Batched),
        ("sqlite_per_step", Synchronous::Normal, WriteMode::PerStep),
        ("sqlite_sync_full", Synchronous::Full, WriteMode::Batched),
    ] {
        let path = dir.path().join(format!("{name}.db"));
        let store = Store::open_with(
            path.to_str().expect("utf-8 temp path"),
            &StoreOptions {
                synchronous,
                write_mode,
                ..StoreOptions::default()
            },
        )
        .expect("open sqlite");
        targets.push((name.into(), Target::Store(Arc::new(store))));
    }
    match std::env::var("INTELLIGENCE_TEST_DATABASE_URL") {
        Ok(url) => {
            match bench_schema(&url).and_then(|url| Store::open(&url).map_err(|e| e.to_string())) {
                Ok(store) => targets.push(("postgres".into(), Target::Store(Arc::new(store)))),
                Err(err) => eprintln!("postgres skipped: {err}"),
            }
        }
        Err(_) => eprintln!("postgres skipped: INTELLIGENCE_TEST_DATABASE_URL is not set"),
    }
    targets
}

/// The schema the benchmark writes to, so that it leaves the server's
/// other schemas alone; dropped (with everything in it) when the process
/// starts the next time, and by [`drop_bench_schemas`] at the end.
#[cfg(feature = "postgres")]
const BENCH_SCHEMA: &str = "intelligence_store_bench";

/// A fresh [`BENCH_SCHEMA`] and the URL that writes to it.
#[cfg(feature = "postgres")]
fn bench_schema(url: &str) -> Result<String, String> {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE"))
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    diesel::sql_query(format!("CREATE SCHEMA {BENCH_SCHEMA}"))
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-csearch_path%3D{BENCH_SCHEMA}"))
}

#[cfg(not(feature = "postgres"))]
fn bench_schema(_url: &str) -> Result<String, String> {
    Err("built without the `postgres` feature".into())
}

/// Drops [`BENCH_SCHEMA`] after the last group.
fn drop_bench_schemas(_c: &mut Criterion) {
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("INTELLIGENCE_TEST_DATABASE_URL") {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        if let Ok(mut conn) = PgConnection::establish(&url) {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE"))
                .execute(&mut conn);
        }
    }
}

/// Runs `runs` runs one after the other; returns the time they took.
async fn sequential(provider: &Three, target: &Target, runs: u64) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = runs;
    while left > 0 {
        let sink = target.sink();
        let chunk = left.min(CHUNK);
        let start = Instant::now();
        for _ in 0..chunk {
            run(
                provider,
                sink.clone(),
                None,
                &AnalysisKind::Automatic,
                options(),
            )
            .await
            .expect("three succeeds");
        }
        // Counted once written, not once queued: the batched writer's
        // work is inside the measured time.
        sink.flush().await.expect("flush");
        elapsed += start.elapsed();
        left -= chunk;
    }
    elapsed
}

fn one_task(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let provider = Three::new();
    let mut group = c.benchmark_group("run_one_task");
    group.throughput(Throughput::Elements(1));

    group.bench_function("bare_analyze", |b| {
        b.to_async(&rt)
            .iter(|| provider.analyze(None, &AnalysisKind::Automatic));
    });
    for (name, target) in targets(&dir) {
        group.bench_function(&name, |b| {
            b.to_async(&rt)
                .iter_custom(|iters| sequential(&provider, &target, iters));
        });
    }
    group.finish();
}

fn eight_tasks(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let provider = Arc::new(Three::new());
    let mut group = c.benchmark_group("run_8_tasks");
    group.throughput(Throughput::Elements(1));

    for (name, target) in targets(&dir) {
        group.bench_function(&name, |b| {
            b.iter_custom(|iters| {
                let per_task = iters.div_ceil(TASKS);
                rt.block_on(async {
                    let start = Instant::now();
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|_| {
                            let target = target.clone();
                            let provider = provider.clone();
                            tokio::spawn(
                                async move { sequential(&provider, &target, per_task).await },
                            )
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("task");
                    }
                    // Scale to exactly `iters` runs.
                    let elapsed = start.elapsed();
                    elapsed.mul_f64(iters as f64 / (per_task * TASKS) as f64)
                })
            });
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = one_task, eight_tasks, drop_bench_schemas
}
criterion_main!(benches);
