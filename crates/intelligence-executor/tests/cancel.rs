//! A stage dropped while its refusal record is being written (a pipeline
//! timeout) still leaves that record closed, not `pending`.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::{Incidents, Seen, registry};
use intelligence_core::{
    AuditSink, MemorySink, NewRun, RunFailed, RunId, RunStatus, RunSucceeded, SinkError,
};
use intelligence_executor::{AnalyzeExecutor, StageContext};
use serde_json::json;
use tokio::sync::Notify;

/// A memory sink whose `create` waits until the test opens the gate.
struct Gated {
    inner: MemorySink,
    gate: Notify,
}

#[async_trait]
impl AuditSink for Gated {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        self.gate.notified().await;
        self.inner.create(run).await
    }

    async fn mark_started(&self, id: RunId, at: DateTime<Utc>) -> Result<(), SinkError> {
        self.inner.mark_started(id, at).await
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        self.inner.mark_succeeded(id, done).await
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        self.inner.mark_failed(id, failed).await
    }
}

#[tokio::test]
async fn a_stage_dropped_during_its_refusal_write_still_closes_the_record() {
    let sink = Arc::new(Gated {
        inner: MemorySink::new(),
        gate: Notify::new(),
    });
    let executor = AnalyzeExecutor::new(
        registry(&Seen::default()),
        Arc::clone(&sink) as Arc<dyn AuditSink>,
        Arc::new(Incidents::with_42()),
        "alpha",
    )
    .expect("alpha is registered");
    let ctx =
        StageContext::new("trace-drop", "pipe-drop").with_payload(json!({"provider": "gamma"}));

    {
        let stage = executor.execute(&ctx);
        tokio::pin!(stage);
        assert!(
            futures::poll!(stage.as_mut()).is_pending(),
            "the stage waits on the gated create"
        );
    } // the pipeline gives up: the stage future is dropped here

    sink.gate.notify_one();
    let mut runs = Vec::new();
    for _ in 0..1_000 {
        runs = sink.inner.runs();
        if runs.iter().any(|r| r.status.is_terminal()) {
            break;
        }
        tokio::task::yield_now().await;
    }

    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert_eq!(runs[0].error_type.as_deref(), Some("unknown_provider"));
    assert_eq!(runs[0].trace_id, "trace-drop");
}
