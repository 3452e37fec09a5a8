//! Faults: a database that cannot be opened or reached never breaks
//! `run()`; a warning is logged and later runs write normally.

use std::sync::Arc;
use std::time::Duration;

use intelligence_core::{AnalysisKind, AuditSink, RunOptions, RunStatus, run};
use intelligence_store::{Store, StoreOptions};

use super::support::{Three, capture_warnings};

fn lazy() -> StoreOptions {
    StoreOptions {
        lazy: true,
        connect_timeout: Duration::from_millis(300),
        ..StoreOptions::default()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_unopenable_sqlite_path_logs_a_warning_and_then_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A regular file where the database's directory should be: no user,
    // root included, can create the database below it.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"not a directory").expect("write blocker");
    let url = blocker.join("intelligence.db");
    let url = url.to_str().expect("utf-8");

    let err = Store::open(url).expect_err("cannot create a directory over a file");
    assert!(err.to_string().contains("blocker"), "{err}");

    let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
    let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
    let (logs, _guard) = capture_warnings();
    let outcome = run(
        &Three,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        RunOptions::traced("t-down"),
    )
    .await
    .expect("the analysis does not depend on the store");
    assert_eq!(outcome.analysis.recommendations.len(), 3);
    let text = logs.text();
    assert!(text.contains("WARN") && text.contains("audit"), "{text}");
    assert!(
        text.contains("t-down"),
        "the warning names the trace: {text}"
    );

    // The database comes back: the directory can be created now.
    std::fs::remove_file(&blocker).expect("remove blocker");
    let later = run(
        &Three,
        sink,
        None,
        &AnalysisKind::Automatic,
        RunOptions::default(),
    )
    .await
    .expect("later run");
    let stored = store
        .get_run(later.run_id)
        .await
        .expect("get")
        .expect("written");
    assert_eq!(stored.status, RunStatus::Succeeded);
    assert_eq!(
        store.get_run(outcome.run_id).await.expect("get"),
        None,
        "the first run went unrecorded"
    );
}
