//! The audit record of a stage that failed before `run()` was called.
//!
//! An unknown provider, a configuration the factory refuses, a missing
//! incident or an unreadable payload never reaches `run()`, yet the stage
//! still leaves exactly one record: created `pending` and closed `failed`
//! straight away, with no `started_at` since nothing started, and a
//! duration of 0 ms. The configuration is redacted and the message scrubbed
//! exactly as `run()` would do it.

use std::sync::Arc;

use chrono::Utc;
use intelligence_core::{AuditSink, IncidentId, NewRun, RunFailed, RunId, SinkError, redact};
use serde_json::Value;

use crate::error::ExecutorError;

/// Everything the record of a refused stage says.
pub(crate) struct Refusal<'a> {
    /// The record's id, the one in the stage's output reference.
    pub run_id: RunId,
    /// The context's trace id.
    pub trace_id: &'a str,
    /// The context's pipeline run id.
    pub pipeline_run_id: &'a str,
    /// The provider that was asked for.
    pub provider: &'a str,
    /// The configuration as read, before redaction.
    pub config: &'a Value,
    /// The incident that was asked for, found or not.
    pub incident_id: Option<IncidentId>,
    /// The checker output reference from the payload.
    pub checker_output_ref: &'a str,
}

impl Refusal<'_> {
    /// Writes the record: `pending`, then `failed` with `error`. A sink
    /// failure is logged and goes no further.
    ///
    /// On a Tokio runtime the two writes run on a task of their own, so a
    /// stage dropped half-way (a pipeline timeout) still closes the record.
    pub async fn record(&self, sink: Arc<dyn AuditSink>, error: &ExecutorError) {
        let redacted = redact(self.config);
        let new = NewRun {
            id: self.run_id,
            trace_id: self.trace_id.to_owned(),
            pipeline_run_id: self.pipeline_run_id.to_owned(),
            provider: self.provider.to_owned(),
            provider_config: redacted.config,
            incident_id: self.incident_id,
            analysis_kind: "automatic".to_owned(),
            input_summary: match self.incident_id {
                Some(id) => format!("incident {id}"),
                None => "general scan".to_owned(),
            },
            checker_output_ref: self.checker_output_ref.to_owned(),
            created_at: Utc::now(),
        };
        let failed = RunFailed {
            error_type: error.error_type().into_owned(),
            error_message: redacted.scrubber.scrub(&error.to_string()),
            completed_at: Utc::now(),
            duration_ms: 0,
        };

        let write = async move {
            if check(&new, "create", sink.create(&new).await) {
                check(&new, "mark_failed", sink.mark_failed(new.id, &failed).await);
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                if let Err(err) = handle.spawn(write).await {
                    tracing::warn!(
                        provider = %self.provider,
                        run_id = %self.run_id,
                        trace_id = %self.trace_id,
                        error = %err,
                        "audit write task failed"
                    );
                }
            }
            Err(_) => write.await,
        }
    }
}

/// Logs a failed sink step once, here where it is handled; returns whether
/// the step succeeded.
fn check(run: &NewRun, step: &'static str, result: Result<(), SinkError>) -> bool {
    match result {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(
                provider = %run.provider,
                run_id = %run.id,
                trace_id = %run.trace_id,
                step,
                error = %err,
                "audit sink failed"
            );
            false
        }
    }
}
