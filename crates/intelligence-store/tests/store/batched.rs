//! The batched writer (the default [`WriteMode`]): the queue is drained when
//! the last clone of the store is dropped, a failed step is logged by the
//! writer instead of returned, and one bad step does not take its batch
//! down with it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use intelligence_core::{AnalysisKind, AuditSink, NewRun, RunId, RunOptions, RunStatus, run};
use intelligence_store::{PageRequest, RunFilter, StoreOptions, WriteMode};
use serde_json::json;

use super::support::{Three, capture_warnings, databases, sqlite};

const RUNS: usize = 300;

fn per_step() -> StoreOptions {
    StoreOptions {
        write_mode: WriteMode::PerStep,
        ..StoreOptions::default()
    }
}

fn new_run(trace: &str) -> NewRun {
    NewRun {
        id: RunId::new(),
        trace_id: trace.to_owned(),
        pipeline_run_id: String::new(),
        provider: "three".into(),
        provider_config: json!({}),
        incident_id: None,
        analysis_kind: "automatic".into(),
        input_summary: "general scan".into(),
        checker_output_ref: String::new(),
        created_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_last_clone_writes_every_queued_step() {
    for db in databases("dropping_the_last_clone_writes_every_queued_step") {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let mut ids = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let outcome = run(
                &Three,
                sink.clone(),
                None,
                &AnalysisKind::Automatic,
                RunOptions::traced("t-drop"),
            )
            .await
            .expect("three succeeds");
            ids.push(outcome.run_id);
        }
        // No read and no flush: only the drop stands between the queue and
        // the next store's query.
        drop(sink);
        drop(store);

        let other = db.open_with(&per_step());
        let page = other
            .list_runs(&RunFilter::default(), PageRequest::first(1000))
            .await
            .expect("list");
        assert_eq!(page.runs.len(), RUNS, "{}", db.label);
        assert!(
            page.runs.iter().all(|r| r.status == RunStatus::Succeeded),
            "{}: every record is terminal",
            db.label
        );
        let newest = page.runs.first().expect("one").id;
        assert_eq!(Some(&newest), ids.last(), "{}", db.label);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn per_step_returns_a_failed_step_and_batched_logs_it() {
    for db in databases("per_step_returns_a_failed_step_and_batched_logs_it") {
        let unknown = RunId::new();

        let per_step = db.open_with(&per_step());
        let err = per_step
            .mark_started(unknown, Utc::now())
            .await
            .expect_err("no such run");
        assert!(err.to_string().contains("no analysis run"), "{err}");

        let batched = db.open();
        let (logs, _guard) = capture_warnings();
        batched
            .mark_started(unknown, Utc::now())
            .await
            .expect("queued: the error comes later, from the writer");
        AuditSink::flush(&batched).await.expect("flush");
        let text = logs.text();
        assert!(
            text.contains("audit sink failed")
                && text.contains(&format!("no analysis run {unknown} to mark running")),
            "{}: {text}",
            db.label
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_bad_step_in_a_batch_costs_only_itself() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    let db = sqlite();
    let store = db.open();
    let (logs, _guard) = capture_warnings();

    // Another connection holds the write lock, so that the writer blocks on
    // its first batch while the rest of the steps queue up behind it.
    let mut holder = diesel::SqliteConnection::establish(&db.url).expect("second connection");
    holder
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the lock");
    let first = new_run("t-first");
    store.create(&first).await.expect("queued");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let twice = new_run("t-twice");
    // Another run under the same id: a caller's mistake.
    let thief = NewRun {
        id: twice.id,
        ..new_run("t-thief")
    };
    let after = new_run("t-after");
    store.create(&twice).await.expect("queued");
    store
        .create(&thief)
        .await
        .expect("queued: the duplicate fails later");
    store.create(&after).await.expect("queued");
    store
        .mark_started(after.id, Utc::now())
        .await
        .expect("queued");
    holder.batch_execute("COMMIT").expect("release the lock");
    store.flush().await;

    for run in [&first, &twice, &after] {
        assert!(
            store.get_run(run.id).await.expect("get").is_some(),
            "{} was written",
            run.trace_id
        );
    }
    let stored = store
        .get_run(after.id)
        .await
        .expect("get")
        .expect("written");
    assert_eq!(stored.status, RunStatus::Running);
    let text = logs.text();
    assert_eq!(text.matches("audit sink failed").count(), 1, "{text}");
    assert!(
        text.contains("already recorded by another run") && text.contains(&twice.id.to_string()),
        "{text}"
    );
    let kept = store
        .get_run(twice.id)
        .await
        .expect("get")
        .expect("written");
    assert_eq!(kept.trace_id, "t-twice", "the first run keeps its record");
}

#[tokio::test(flavor = "current_thread")]
async fn a_create_repeated_after_a_lost_reply_is_done_not_a_duplicate() {
    for db in databases("a_create_repeated_after_a_lost_reply_is_done_not_a_duplicate") {
        for options in [StoreOptions::default(), per_step()] {
            let store = db.open_with(&options);
            let (logs, _guard) = capture_warnings();
            let run = new_run("t-again");
            store.create(&run).await.expect("first");
            // What a retry on a new connection does when the first commit
            // went through but its reply was lost.
            store
                .create(&run)
                .await
                .expect("the same row again is fine");
            store
                .mark_started(run.id, Utc::now())
                .await
                .expect("started");
            store.flush().await;
            let stored = store.get_run(run.id).await.expect("get").expect("written");
            assert_eq!(stored.status, RunStatus::Running, "{}", db.label);
            assert_eq!(logs.text(), "", "{}: no warning", db.label);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_run_reusing_another_runs_id_does_not_erase_the_first_runs_steps() {
    for db in databases("a_run_reusing_another_runs_id_does_not_erase_the_first_runs_steps") {
        let store = db.open();
        let (logs, _guard) = capture_warnings();
        let first = new_run("t-first");
        let second = NewRun {
            id: first.id,
            ..new_run("t-second")
        };
        store.create(&first).await.expect("queued");
        store.create(&second).await.expect("queued");
        store
            .mark_started(first.id, Utc::now())
            .await
            .expect("queued");
        store.flush().await;
        let stored = store
            .get_run(first.id)
            .await
            .expect("get")
            .expect("written");
        assert_eq!(stored.trace_id, "t-first", "{}", db.label);
        assert_eq!(
            stored.status,
            RunStatus::Running,
            "{}: the first run's step is not dropped",
            db.label
        );
        let text = logs.text();
        assert_eq!(text.matches("audit sink failed").count(), 1, "{text}");
        assert!(text.contains("already recorded by another run"), "{text}");
    }
}

/// A provider whose error echoes a NUL byte from upstream.
struct EchoesNul;

#[async_trait::async_trait]
impl intelligence_core::Provider for EchoesNul {
    fn name(&self) -> &str {
        "echoes-nul"
    }

    fn description(&self) -> &str {
        "fails with a NUL byte in its message"
    }

    async fn analyze(
        &self,
        _incident: Option<&intelligence_core::Incident>,
        _kind: &AnalysisKind,
    ) -> Result<intelligence_core::Analysis, intelligence_core::ProviderError> {
        Err(intelligence_core::ProviderError::Upstream(
            "upstream said \0 oops".into(),
        ))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_nul_byte_in_an_error_never_leaves_the_record_running() {
    for db in databases("a_nul_byte_in_an_error_never_leaves_the_record_running") {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let err = run(
            &EchoesNul,
            sink,
            None,
            &AnalysisKind::Automatic,
            RunOptions::traced("t-nul"),
        )
        .await
        .expect_err("the provider fails");
        assert!(
            err.to_string().contains('\0'),
            "the caller gets it unchanged"
        );
        let page = store
            .list_runs(&RunFilter::default(), PageRequest::first(10))
            .await
            .expect("list");
        let stored = page.runs.first().expect("recorded");
        assert_eq!(stored.status, RunStatus::Failed, "{}", db.label);
        assert!(
            stored
                .error_message
                .as_deref()
                .is_some_and(|m| m.contains("upstream said \u{fffd} oops")),
            "{}: {stored:?}",
            db.label
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_a_store_that_cannot_connect_waits_for_one_batch_not_every_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"not a directory").expect("write");
    let url = blocker.join("intelligence.db");
    let options = StoreOptions {
        lazy: true,
        connect_timeout: Duration::from_millis(500),
        ..StoreOptions::default()
    };
    let store =
        intelligence_store::Store::open_with(url.to_str().expect("utf-8"), &options).expect("lazy");
    let (logs, _guard) = capture_warnings();
    // Enough creates for several batches, queued far faster than the
    // writer can fail them.
    for _ in 0..2_000 {
        store.create(&new_run("t-down")).await.expect("queued");
    }
    drop(store);
    let text = logs.text();
    assert_eq!(
        text.matches("audit sink failed").count(),
        2_000,
        "one per run"
    );
    assert!(
        text.contains("not tried again: the store is closing"),
        "the rest of the queue is not waited for: {}",
        text.lines().last().unwrap_or_default()
    );
}

/// The end of a `#[tokio::main]` whose last run timed out: the store is
/// dropped and the runtime shuts down at once. The cancelled record must
/// be written all the same.
#[test]
fn a_run_timed_out_at_the_end_of_main_is_recorded_cancelled() {
    for db in databases("a_run_timed_out_at_the_end_of_main_is_recorded_cancelled") {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let id = runtime.block_on(async {
            let store = db.open();
            let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
            let id = RunId::new();
            let options = RunOptions {
                run_id: Some(id),
                ..RunOptions::traced("t-timeout")
            };
            let timed_out = tokio::time::timeout(
                Duration::from_millis(100),
                run(
                    &super::support::Slow,
                    sink.clone(),
                    None,
                    &AnalysisKind::Automatic,
                    options,
                ),
            )
            .await;
            assert!(timed_out.is_err(), "slow never finishes");
            sink.flush().await.expect("flush");
            id
        });
        drop(runtime);
        let reader = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let stored = reader
            .block_on(db.open_with(&per_step()).get_run(id))
            .expect("get")
            .expect("written");
        assert_eq!(stored.status, RunStatus::Failed, "{}", db.label);
        assert_eq!(
            stored.error_type.as_deref(),
            Some("cancelled"),
            "{}",
            db.label
        );
    }
}
