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
    let after = new_run("t-after");
    store.create(&twice).await.expect("queued");
    store
        .create(&twice)
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
        text.contains("UNIQUE") && text.contains(&twice.id.to_string()),
        "{text}"
    );
}
