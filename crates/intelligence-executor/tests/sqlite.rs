//! The executor against the real SQLite store: the record `execute()`
//! writes, read back from the file, and a refused stage's record.

mod common;

use std::sync::Arc;

use intelligence_core::RunStatus;
use intelligence_executor::{AnalyzeExecutor, StageContext};
use intelligence_store::{NewIncident, RunFilter, Store};
use serde_json::json;

fn open(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("audit").join("intelligence.db");
    Store::open(path.to_str().expect("utf-8 temp path")).expect("open the sqlite store")
}

fn executor(store: &Store, fallback: bool) -> AnalyzeExecutor {
    let seen = common::Seen::default();
    AnalyzeExecutor::new(
        common::registry(&seen),
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        "alpha",
    )
    .expect("alpha is registered")
    .with_fallback(fallback)
}

#[tokio::test]
async fn the_stored_record_carries_the_pipeline_ids_and_the_redacted_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);
    let incident = store
        .add_incident(NewIncident::new("api latency on web-2"))
        .await
        .expect("add incident");

    let ctx = StageContext::new("trace-sql", "pipeline-sql")
        .with_incident(incident.id)
        .with_payload(json!({
            "provider": "beta",
            "provider_config": {
                "api_key": "sk-sqlite-secret",
                "top_n": 2,
                "endpoint": "http://10.0.0.1/",
            },
            "checker_output_ref": "checker:trace-sql:pipeline-sql:check",
        }));
    let result = executor(&store, true).execute(&ctx).await;
    assert!(result.is_ok(), "{:?}", result.errors);
    assert_eq!(result.summary, "beta: api latency on web-2");

    // A second handle on the same file sees what the first one wrote.
    let record = open(&dir)
        .get_run(result.run_id)
        .await
        .expect("read")
        .expect("the stage's record");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(record.provider, "beta");
    assert_eq!(record.trace_id, "trace-sql");
    assert_eq!(record.pipeline_run_id, "pipeline-sql");
    assert_eq!(record.incident_id, Some(incident.id));
    assert_eq!(
        record.checker_output_ref,
        "checker:trace-sql:pipeline-sql:check"
    );
    assert_eq!(
        record.provider_config,
        json!({"api_key": "***", "top_n": 2})
    );
    assert_eq!(record.summary, result.summary);
    assert_eq!(record.recommendations_count, 2);
    assert_eq!(record.model_name.as_deref(), Some("beta-model"));
    assert_eq!(record.total_tokens, Some(10));
    assert!(record.started_at.is_some() && record.completed_at.is_some());
}

#[tokio::test]
async fn a_missing_incident_leaves_one_failed_record_in_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);

    let ctx = StageContext::new("trace-miss", "pipeline-miss").with_incident(9_999);
    let result = executor(&store, false).execute(&ctx).await;
    assert_eq!(result.errors, ["incident 9999 not found"]);

    let filter = RunFilter {
        trace_id: Some("trace-miss".into()),
        ..RunFilter::default()
    };
    let page = store
        .list_runs(&filter, intelligence_store::PageRequest::first(10))
        .await
        .expect("list");
    assert_eq!(page.runs.len(), 1, "exactly one record for the stage");
    let record = &page.runs[0];
    assert_eq!(record.id, result.run_id);
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("incident_not_found"));
    assert_eq!(
        record.error_message.as_deref(),
        Some("incident 9999 not found")
    );
    assert_eq!(record.incident_id, Some(9_999));
    assert_eq!(record.started_at, None);
}
