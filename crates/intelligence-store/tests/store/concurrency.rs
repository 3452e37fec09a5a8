//! Concurrent writers: four OS processes on one SQLite file, and eight
//! tasks on one store (SQLite and PostgreSQL). Every run ends terminal and
//! no write waits out its lock into "database is locked".

use std::process::{Command, Stdio};
use std::sync::Arc;

use intelligence_core::{AnalysisKind, AuditSink, RunOptions, RunStatus, run};
use intelligence_store::{RunFilter, Store};
use tracing::instrument::WithSubscriber;

use super::support::{Three, capture_warnings, databases, sqlite};

/// Set in the child processes: the SQLite file to write to.
const CHILD_DB: &str = "INTELLIGENCE_STORE_TEST_CHILD_DB";
/// Set in the child processes: the trace id of its runs.
const CHILD_TRACE: &str = "INTELLIGENCE_STORE_TEST_CHILD_TRACE";
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
    let db = sqlite();
    let exe = std::env::current_exe().expect("test binary");
    // All four open (and so migrate) a file that does not exist yet, at once.
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", "store::concurrency::child_writer", "--nocapture"])
                .env(CHILD_DB, &db.url)
                .env(CHILD_TRACE, format!("process-{i}"))
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
        assert!(!text.contains("database is locked"), "{text}");
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

/// The body of each child process of the test above; a no-op when the
/// test binary runs normally (the variable is unset).
#[test]
fn child_writer() {
    let Ok(url) = std::env::var(CHILD_DB) else {
        return;
    };
    let trace = std::env::var(CHILD_TRACE).unwrap_or_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (logs, _guard) = capture_warnings();
    let written = rt.block_on(async {
        let store = Store::open(&url).expect("open in child");
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
    let warnings = logs.text();
    assert!(
        warnings.is_empty(),
        "warnings in child {trace}:\n{warnings}"
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
