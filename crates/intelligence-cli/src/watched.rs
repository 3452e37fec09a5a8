//! An audit sink wrapper that remembers the first write that failed, so that
//! the command can print one warning instead of a log line per step.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use intelligence_core::{AuditSink, NewRun, RunFailed, RunId, RunSucceeded, SinkError};

/// Passes every write on to the inner sink and keeps the first error.
pub struct WatchedSink {
    inner: Arc<dyn AuditSink>,
    first_error: Mutex<Option<String>>,
}

impl WatchedSink {
    /// Watches `inner`.
    pub fn new(inner: Arc<dyn AuditSink>) -> Self {
        Self {
            inner,
            first_error: Mutex::new(None),
        }
    }

    /// The first write that failed, if any, with its step.
    pub fn first_error(&self) -> Option<String> {
        self.first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn watch(&self, step: &str, result: Result<(), SinkError>) -> Result<(), SinkError> {
        if let Err(err) = &result {
            let mut first = self
                .first_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if first.is_none() {
                *first = Some(format!("{step}: {}", error_chain(err)));
            }
        }
        result
    }
}

/// The error and its sources on one line.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let chain = std::iter::successors(Some(err), |e| e.source()).map(ToString::to_string);
    crate::exit::one_line(chain)
}

#[async_trait]
impl AuditSink for WatchedSink {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        let result = self.inner.create(run).await;
        self.watch("create", result)
    }

    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError> {
        let result = self.inner.mark_started(id, started_at).await;
        self.watch("mark started", result)
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        let result = self.inner.mark_succeeded(id, done).await;
        self.watch("mark succeeded", result)
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        let result = self.inner.mark_failed(id, failed).await;
        self.watch("mark failed", result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::MemorySink;

    #[test]
    fn keeps_only_the_first_failure() {
        let sink = WatchedSink::new(Arc::new(MemorySink::new()));
        let id = RunId::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            // Neither record exists, so both writes fail.
            let _ = sink.mark_started(id, Utc::now()).await;
            let _ = sink
                .mark_failed(
                    id,
                    &RunFailed {
                        error_type: "x".into(),
                        error_message: "y".into(),
                        completed_at: Utc::now(),
                        duration_ms: 0,
                    },
                )
                .await;
        });
        let first = sink.first_error().expect("an error");
        assert!(first.starts_with("mark started: no run"), "{first}");
    }

    #[test]
    fn no_error_when_every_write_worked() {
        let sink = WatchedSink::new(Arc::new(MemorySink::new()));
        assert_eq!(sink.first_error(), None);
    }
}
