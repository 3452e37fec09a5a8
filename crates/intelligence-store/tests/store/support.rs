//! Test databases (a SQLite file, a PostgreSQL schema), captured logs, and
//! a sink that writes to two sinks.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use intelligence_core::{
    AnalysisKind, AnalysisRun, AuditSink, MemorySink, NewRun, RunFailed, RunId, RunOptions,
    RunStatus, RunSucceeded, SinkError,
};
use intelligence_store::{Store, StoreOptions};
use serde_json::json;

pub use super::providers::{Failing, Fallbacking, Panicking, Slow, Three};

/// The variable that names the PostgreSQL server for tests.
pub const PG_ENV: &str = "INTELLIGENCE_TEST_DATABASE_URL";

/// One isolated database; dropping it removes it.
pub struct TestDb {
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    /// The URL to open.
    pub url: String,
    _guard: Guard,
}

enum Guard {
    Dir(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    #[cfg(feature = "postgres")]
    Schema {
        base: String,
        schema: String,
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Guard::Schema { base, schema } = self {
            use diesel::{Connection, PgConnection, RunQueryDsl};
            if let Ok(mut conn) = PgConnection::establish(base) {
                let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&mut conn);
            }
        }
    }
}

impl TestDb {
    /// Opens the store with the default options.
    pub fn open(&self) -> Store {
        Store::open(&self.url).unwrap_or_else(|err| panic!("open {}: {err}", self.label))
    }

    /// Opens the store with these options.
    pub fn open_with(&self, options: &StoreOptions) -> Store {
        Store::open_with(&self.url, options)
            .unwrap_or_else(|err| panic!("open {}: {err}", self.label))
    }
}

/// A fresh SQLite file in a temporary directory (not yet created).
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = dir
        .path()
        .join("nested/dir/intelligence.db")
        .to_str()
        .expect("utf-8 temp path")
        .to_owned();
    TestDb {
        label: "sqlite",
        url,
        _guard: Guard::Dir(dir),
    }
}

/// A fresh PostgreSQL schema, when the server is configured; otherwise says
/// why it was skipped.
pub fn postgres(test: &str) -> Option<TestDb> {
    let Ok(base) = std::env::var(PG_ENV) else {
        skipped(&format!(
            "{test}: PostgreSQL part skipped: {PG_ENV} is not set"
        ));
        return None;
    };
    postgres_at(test, &base)
}

#[cfg(not(feature = "postgres"))]
fn postgres_at(test: &str, _base: &str) -> Option<TestDb> {
    skipped(&format!(
        "{test}: PostgreSQL part skipped: built without the `postgres` feature"
    ));
    None
}

#[cfg(feature = "postgres")]
fn postgres_at(_test: &str, base: &str) -> Option<TestDb> {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = PgConnection::establish(base)
        .unwrap_or_else(|err| panic!("{PG_ENV} is set but unreachable: {err}"));
    diesel::sql_query(format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .expect("create test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(TestDb {
        label: "postgres",
        url: format!("{base}{sep}options=-csearch_path%3D{schema}"),
        _guard: Guard::Schema {
            base: base.to_owned(),
            schema,
        },
    })
}

/// Says on the real stderr (which the test harness does not capture) that
/// part of a test was skipped.
pub fn skipped(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// The SQLite database and, when configured, a PostgreSQL one.
pub fn databases(test: &str) -> Vec<TestDb> {
    let mut dbs = vec![sqlite()];
    dbs.extend(postgres(test));
    dbs
}

/// Log lines captured from a test subscriber.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures warnings on this thread (and, through the store, on the
/// blocking threads it uses) until the guard drops.
pub fn capture_warnings() -> (Logs, tracing::subscriber::DefaultGuard) {
    capture_at(tracing::Level::WARN)
}

/// Captures events at `level` and above, as [`capture_warnings`] does.
pub fn capture_at(level: tracing::Level) -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

/// Captures every event down to `debug`, from every thread of the process,
/// by installing the global subscriber; for a child process of a test,
/// where nothing else installs one.
pub fn capture_everything() -> Logs {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("no global subscriber yet");
    logs
}

/// A record with its times cut to microseconds, as the store keeps them.
pub fn as_stored(mut run: AnalysisRun) -> AnalysisRun {
    fn cut(t: DateTime<Utc>) -> DateTime<Utc> {
        t.trunc_subsecs(6)
    }
    run.created_at = cut(run.created_at);
    run.started_at = run.started_at.map(cut);
    run.completed_at = run.completed_at.map(cut);
    run
}

/// Writes every step to a memory sink and to the store, so that a test can
/// compare what `run()` wrote with what the store gives back.
pub struct Tee {
    /// The reference.
    pub memory: MemorySink,
    /// The store under test.
    pub store: Store,
}

impl Tee {
    /// A tee over `store`.
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self {
            memory: MemorySink::new(),
            store,
        })
    }
}

#[async_trait]
impl AuditSink for Tee {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        self.memory.create(run).await?;
        self.store.create(run).await
    }

    async fn mark_started(&self, id: RunId, at: DateTime<Utc>) -> Result<(), SinkError> {
        self.memory.mark_started(id, at).await?;
        self.store.mark_started(id, at).await
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        self.memory.mark_succeeded(id, done).await?;
        self.store.mark_succeeded(id, done).await
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        self.memory.mark_failed(id, failed).await?;
        self.store.mark_failed(id, failed).await
    }

    async fn flush(&self) -> Result<(), SinkError> {
        self.store.flush().await;
        Ok(())
    }
}

/// A record made by hand, for seeding through `import_runs`.
pub fn record(provider: &str, status: RunStatus, created_at: DateTime<Utc>) -> AnalysisRun {
    let mut run = AnalysisRun::from_new(&NewRun {
        id: RunId::new(),
        trace_id: String::new(),
        pipeline_run_id: String::new(),
        provider: provider.to_owned(),
        provider_config: json!({}),
        incident_id: None,
        analysis_kind: "automatic".into(),
        input_summary: "general scan".into(),
        checker_output_ref: String::new(),
        created_at: created_at.trunc_subsecs(6),
    });
    run.status = status;
    if status.is_terminal() {
        run.completed_at = Some(run.created_at);
        run.duration_ms = Some(1);
    }
    run
}

/// Waits (up to 10 s) until the run is terminal in the store.
pub async fn wait_terminal(store: &Store, id: RunId) -> AnalysisRun {
    for _ in 0..200 {
        if let Some(run) = store.get_run(id).await.expect("get run")
            && run.status.is_terminal()
        {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {id} never became terminal")
}

/// Waits (up to 30 s) until the store answers a query again: the moment
/// "the database is back" for a store that could not connect.
pub async fn wait_usable(store: &Store) {
    for _ in 0..150 {
        if store.counts().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{} never became usable", store.url_for_display())
}

/// Runs [`Three`] through `run()` once the database is back and returns its
/// stored record, which must be `succeeded`: what every fault test checks
/// last ("a later run writes normally").
pub async fn later_run_is_recorded(
    store: &Store,
    sink: Arc<dyn AuditSink>,
    kind: AnalysisKind,
    options: RunOptions,
) -> AnalysisRun {
    let later = intelligence_core::run(&Three, sink, None, &kind, options)
        .await
        .expect("later run");
    let stored = store
        .get_run(later.run_id)
        .await
        .expect("get the later run")
        .unwrap_or_else(|| panic!("the later run {} was not recorded", later.run_id));
    assert_eq!(stored.status, RunStatus::Succeeded, "{stored:?}");
    stored
}
