//! Concurrent writers: four OS processes on one SQLite file, and eight
//! tasks on one store (SQLite and PostgreSQL). Every run ends terminal and
//! no write waits out its lock into "database is locked".

use std::process::{Command, Stdio};
use std::sync::Arc;

use intelligence_core::{AnalysisKind, AuditSink, RunOptions, RunStatus, run};
use intelligence_store::{PageRequest, RunFilter, Store, StoreOptions, WriteMode};
use tracing::instrument::WithSubscriber;

use super::support::{Three, capture_everything, capture_warnings, databases, sqlite};

/// Set in the child processes: the SQLite file to write to.
const CHILD_DB: &str = "INTELLIGENCE_STORE_TEST_CHILD_DB";
/// Set in the child processes: the trace id of its runs.
const CHILD_TRACE: &str = "INTELLIGENCE_STORE_TEST_CHILD_TRACE";
/// Set in the child processes: the store's write mode.
const CHILD_MODE: &str = "INTELLIGENCE_STORE_TEST_CHILD_MODE";
const PROCESSES: usize = 4;
const RUNS_PER_WRITER: usize = 500;

async fn total_and_terminal(store: &Store) -> (i64, i64) {
    let counts = store.counts().await.expect("counts");
    let total = counts.iter().map(|c| c.count).sum();
    let terminal = counts
        .iter()
        .filter(|c| c.status == RunStatus::Succeeded)
        .map(|c| c.count)
        .sum();
    (total, terminal)
}

#[test]
fn four_processes_write_one_sqlite_file_without_lock_errors() {
    four_processes_write_one_sqlite_file(WriteMode::Batched);
}

/// The mode the CLI records in: every step its own transaction, so the
/// four processes take the file's write lock 6,000 times between them.
#[test]
fn four_processes_committing_each_step_write_one_sqlite_file_without_lock_errors() {
    four_processes_write_one_sqlite_file(WriteMode::PerStep);
}

fn four_processes_write_one_sqlite_file(mode: WriteMode) {
    let db = sqlite();
    let exe = std::env::current_exe().expect("test binary");
    // All four open (and so migrate) a file that does not exist yet, at once.
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", "store::concurrency::child_writer", "--nocapture"])
                .env(CHILD_DB, &db.url)
                .env(CHILD_TRACE, format!("process-{i}"))
                .env(CHILD_MODE, mode_name(mode))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("child output");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "child failed:\n{text}");
        assert!(!text.contains("locked"), "{text}");
        assert!(
            text.contains(&format!("child wrote {RUNS_PER_WRITER} runs")),
            "{text}"
        );
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = db.open();
        let (total, succeeded) = total_and_terminal(&store).await;
        assert_eq!(
            total,
            i64::try_from(PROCESSES * RUNS_PER_WRITER).expect("small")
        );
        assert_eq!(succeeded, total, "every record is terminal");
        let one = RunFilter {
            trace_id: Some("process-2".into()),
            ..RunFilter::default()
        };
        let page = store
            .list_runs(&one, intelligence_store::PageRequest::first(1000))
            .await
            .expect("list");
        assert_eq!(page.runs.len(), RUNS_PER_WRITER);
    });
}

fn mode_name(mode: WriteMode) -> &'static str {
    match mode {
        WriteMode::Batched => "batched",
        WriteMode::PerStep => "per-step",
    }
}

/// The body of each child process of the tests above; a no-op when the
/// test binary runs normally (the variable is unset). It records every
/// event down to `debug` from every thread (the pool sets connections up
/// on threads of its own), so a lock error the pool retried is seen too.
#[test]
fn child_writer() {
    let Ok(url) = std::env::var(CHILD_DB) else {
        return;
    };
    let trace = std::env::var(CHILD_TRACE).unwrap_or_default();
    let write_mode = match std::env::var(CHILD_MODE).as_deref() {
        Ok("per-step") => WriteMode::PerStep,
        _ => WriteMode::Batched,
    };
    let logs = capture_everything();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let written = rt.block_on(async {
        let options = StoreOptions {
            write_mode,
            ..StoreOptions::default()
        };
        let store = Store::open_with(&url, &options).expect("open in child");
        let sink: Arc<dyn AuditSink> = Arc::new(store);
        for _ in 0..RUNS_PER_WRITER {
            run(
                &Three,
                sink.clone(),
                None,
                &AnalysisKind::Automatic,
                RunOptions::traced(trace.clone()),
            )
            .await
            .expect("three succeeds");
        }
        RUNS_PER_WRITER
    });
    let text = logs.text();
    let warnings: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("WARN") || line.contains("ERROR") || line.contains("locked"))
        .collect();
    assert!(
        warnings.is_empty(),
        "warnings in child {trace}:\n{}",
        warnings.join("\n")
    );
    println!("child wrote {written} runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_write_concurrently_and_every_record_is_terminal() {
    for db in databases("eight_tasks_write_concurrently_and_every_record_is_terminal") {
        let store = db.open();
        let (logs, _guard) = capture_warnings();
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
                let writer = async move {
                    for _ in 0..RUNS_PER_WRITER {
                        run(
                            &Three,
                            sink.clone(),
                            None,
                            &AnalysisKind::Automatic,
                            RunOptions::traced(format!("task-{task}")),
                        )
                        .await
                        .expect("three succeeds");
                    }
                };
                tokio::spawn(writer.with_current_subscriber())
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        let (total, succeeded) = total_and_terminal(&store).await;
        assert_eq!(
            total,
            8 * i64::try_from(RUNS_PER_WRITER).expect("small"),
            "{}",
            db.label
        );
        assert_eq!(succeeded, total, "{}: every record is terminal", db.label);
        let warnings = logs.text();
        assert!(warnings.is_empty(), "{}: {warnings}", db.label);
    }
}

/// Another process's connection holds the write lock for a while: the
/// store's write waits for it (busy timeout, `BEGIN IMMEDIATE`) instead of
/// failing at once with "database is locked", and the run is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_a_lock_held_elsewhere_instead_of_failing() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    let db = sqlite();
    let store = db.open_with(&StoreOptions {
        write_mode: WriteMode::PerStep,
        ..StoreOptions::default()
    });
    let mut holder = diesel::SqliteConnection::establish(&db.url).expect("second connection");
    holder
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the lock");
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(400));
        holder.batch_execute("COMMIT").expect("release the lock");
    });

    let (logs, _guard) = capture_warnings();
    let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
    let started = std::time::Instant::now();
    let outcome = run(
        &Three,
        sink,
        None,
        &AnalysisKind::Automatic,
        RunOptions::traced("t-waits"),
    )
    .await
    .expect("three succeeds");
    let waited = started.elapsed();
    release.join().expect("holder thread");
    assert!(
        waited >= std::time::Duration::from_millis(300),
        "the run's first write met the lock and waited for it ({waited:?})"
    );
    let text = logs.text();
    assert!(text.is_empty(), "no warning: the write waited: {text}");
    let stored = store
        .get_run(outcome.run_id)
        .await
        .expect("get")
        .expect("recorded");
    assert_eq!(stored.status, RunStatus::Succeeded);
}

/// Another connection holds the write lock longer than the busy timeout:
/// opening the migrated database and reading its runs still works at once
/// (WAL readers do not wait for writers), since a database without pending
/// migrations is not locked to check them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migrated_database_opens_and_reads_while_another_connection_writes() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    let db = sqlite();
    let kept = {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let outcome = run(
            &Three,
            sink,
            None,
            &AnalysisKind::Memory,
            RunOptions::default(),
        )
        .await
        .expect("three succeeds");
        store.flush().await;
        outcome.run_id
    };

    let mut holder = diesel::SqliteConnection::establish(&db.url).expect("second connection");
    holder
        .batch_execute("BEGIN IMMEDIATE; UPDATE analysis_runs SET summary = summary")
        .expect("take the write lock");
    let short = StoreOptions {
        busy_timeout: std::time::Duration::from_millis(50),
        ..StoreOptions::default()
    };
    let store = Store::open_with(&db.url, &short).expect("open waits for no write lock");
    let listed = store
        .list_runs(&RunFilter::default(), PageRequest::first(10))
        .await
        .expect("read while another connection writes");
    assert_eq!(listed.runs.len(), 1);
    assert_eq!(listed.runs[0].id, kept);
    holder.batch_execute("COMMIT").expect("release the lock");
}
