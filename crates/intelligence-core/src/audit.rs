//! The audit record of a run and the [`AuditSink`] that stores it.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::incident::IncidentId;

/// The identity of one run: a UUIDv7, so ids sort by creation time and can
/// be made before any sink has answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub Uuid);

impl RunId {
    /// A fresh id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for RunId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for RunId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self)
    }
}

/// Where a run is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Recorded, not started.
    Pending,
    /// `analyze()` is under way.
    Running,
    /// `analyze()` returned recommendations.
    Succeeded,
    /// `analyze()` failed, panicked or was cancelled, or the run was reaped.
    Failed,
}

impl RunStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Running, Self::Succeeded, Self::Failed];

    /// The lowercase name stored in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// Whether the run has finished.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no run status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown run status {0:?}: expected pending, running, succeeded or failed")]
pub struct ParseStatusError(pub String);

impl FromStr for RunStatus {
    type Err = ParseStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == lower)
            .ok_or_else(|| ParseStatusError(s.to_owned()))
    }
}

/// Step 1: what is known when a run is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// The run's id.
    pub id: RunId,
    /// Correlates the run with other systems; may be empty.
    pub trace_id: String,
    /// The pipeline run that asked for it; may be empty.
    pub pipeline_run_id: String,
    /// The provider's name.
    pub provider: String,
    /// The provider configuration, already redacted.
    pub provider_config: serde_json::Value,
    /// The incident analysed, if any.
    pub incident_id: Option<IncidentId>,
    /// `automatic`, `memory`, `cpu` or `disk`.
    pub analysis_kind: String,
    /// A one-line description of the input.
    pub input_summary: String,
    /// A reference to the checker output that led here; may be empty.
    pub checker_output_ref: String,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
}

/// Step 4, success: what the analysis produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSucceeded {
    /// The recommendations as a JSON array, scrubbed of masked values.
    pub recommendations: serde_json::Value,
    /// How many there are.
    pub recommendations_count: i64,
    /// The first recommendation's title.
    pub summary: String,
    /// The first recommendation's description.
    pub probable_cause: String,
    /// The provider's confidence, when it has one.
    pub confidence: Option<f64>,
    /// The model that answered.
    pub model_name: Option<String>,
    /// Prompt tokens; `None` when unknown.
    pub prompt_tokens: Option<i64>,
    /// Completion tokens; `None` when unknown.
    pub completion_tokens: Option<i64>,
    /// Total tokens; `None` when unknown.
    pub total_tokens: Option<i64>,
    /// Whether the answer is a fallback.
    pub fallback_used: bool,
    /// The error behind a fallback.
    pub error_type: Option<String>,
    /// The message behind a fallback, scrubbed.
    pub error_message: Option<String>,
    /// When the analysis finished.
    pub completed_at: DateTime<Utc>,
    /// How long it took, from a monotonic clock.
    pub duration_ms: i64,
}

/// Step 4, failure: why the run failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFailed {
    /// A short, low-cardinality kind: `provider`, `timeout`, `panic`,
    /// `cancelled`, `abandoned`, ...
    pub error_type: String,
    /// What went wrong, scrubbed.
    pub error_message: String,
    /// When the run ended.
    pub completed_at: DateTime<Utc>,
    /// How long it ran, from a monotonic clock.
    pub duration_ms: i64,
}

/// One audit record, every column of `analysis_runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRun {
    /// The run's id.
    pub id: RunId,
    /// Correlation id; may be empty.
    pub trace_id: String,
    /// Pipeline run id; may be empty.
    pub pipeline_run_id: String,
    /// The provider's name.
    pub provider: String,
    /// The redacted provider configuration.
    pub provider_config: serde_json::Value,
    /// The model that answered.
    pub model_name: Option<String>,
    /// Where the run is.
    pub status: RunStatus,
    /// The incident analysed.
    pub incident_id: Option<IncidentId>,
    /// `automatic`, `memory`, `cpu` or `disk`.
    pub analysis_kind: String,
    /// A one-line description of the input.
    pub input_summary: String,
    /// A reference to the checker output; may be empty.
    pub checker_output_ref: String,
    /// How many recommendations there are.
    pub recommendations_count: i64,
    /// The recommendations as a JSON array.
    pub recommendations: serde_json::Value,
    /// The first recommendation's title.
    pub summary: String,
    /// The first recommendation's description.
    pub probable_cause: String,
    /// The provider's confidence.
    pub confidence: Option<f64>,
    /// Prompt tokens.
    pub prompt_tokens: Option<i64>,
    /// Completion tokens.
    pub completion_tokens: Option<i64>,
    /// Total tokens.
    pub total_tokens: Option<i64>,
    /// A short error kind, for failures and fallbacks.
    pub error_type: Option<String>,
    /// The error message, scrubbed.
    pub error_message: Option<String>,
    /// Whether the answer was a fallback.
    pub fallback_used: bool,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When `analyze()` started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the run ended.
    pub completed_at: Option<DateTime<Utc>>,
    /// How long it ran, in milliseconds.
    pub duration_ms: Option<i64>,
}

impl AnalysisRun {
    /// The record as step 1 creates it.
    pub fn from_new(new: &NewRun) -> Self {
        Self {
            id: new.id,
            trace_id: new.trace_id.clone(),
            pipeline_run_id: new.pipeline_run_id.clone(),
            provider: new.provider.clone(),
            provider_config: new.provider_config.clone(),
            model_name: None,
            status: RunStatus::Pending,
            incident_id: new.incident_id,
            analysis_kind: new.analysis_kind.clone(),
            input_summary: new.input_summary.clone(),
            checker_output_ref: new.checker_output_ref.clone(),
            recommendations_count: 0,
            recommendations: serde_json::Value::Array(Vec::new()),
            summary: String::new(),
            probable_cause: String::new(),
            confidence: None,
            prompt_tokens: None,
            completion_tokens: None,
            total_tokens: None,
            error_type: None,
            error_message: None,
            fallback_used: false,
            created_at: new.created_at,
            started_at: None,
            completed_at: None,
            duration_ms: None,
        }
    }

    /// Applies step 2.
    pub fn apply_started(&mut self, started_at: DateTime<Utc>) {
        self.status = RunStatus::Running;
        self.started_at = Some(started_at);
    }

    /// Applies step 4 on success.
    pub fn apply_succeeded(&mut self, done: &RunSucceeded) {
        self.status = RunStatus::Succeeded;
        self.recommendations = done.recommendations.clone();
        self.recommendations_count = done.recommendations_count;
        self.summary = done.summary.clone();
        self.probable_cause = done.probable_cause.clone();
        self.confidence = done.confidence;
        self.model_name = done.model_name.clone();
        self.prompt_tokens = done.prompt_tokens;
        self.completion_tokens = done.completion_tokens;
        self.total_tokens = done.total_tokens;
        self.fallback_used = done.fallback_used;
        self.error_type = done.error_type.clone();
        self.error_message = done.error_message.clone();
        self.completed_at = Some(done.completed_at);
        self.duration_ms = Some(done.duration_ms);
    }

    /// Applies step 4 on failure.
    pub fn apply_failed(&mut self, failed: &RunFailed) {
        self.status = RunStatus::Failed;
        self.error_type = Some(failed.error_type.clone());
        self.error_message = Some(failed.error_message.clone());
        self.completed_at = Some(failed.completed_at);
        self.duration_ms = Some(failed.duration_ms);
    }
}

/// A sink could not write a step. [`crate::run`] logs it and carries on.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl SinkError {
    /// An error with a message only.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error with context and its cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Stores the lifecycle of runs. Each method is one short write.
///
/// Implementations: the Diesel store, [`crate::MemorySink`] and
/// [`crate::NoopSink`]. With the `mock` feature, `MockAuditSink` injects
/// failures.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AuditSink: Send + Sync {
    /// Step 1: creates the record, status `pending`.
    async fn create(&self, run: &NewRun) -> Result<(), SinkError>;

    /// Step 2: marks it `running`.
    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError>;

    /// Step 4: marks it `succeeded`.
    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError>;

    /// Step 4: marks it `failed`.
    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError>;

    /// Waits until every step this sink has accepted so far is written, or
    /// has failed and been logged. A sink that writes before its step
    /// methods return (the default) has nothing to wait for; one that
    /// writes behind (the store's batched mode) drains its queue. Call it
    /// before a process exits without dropping its sink, and before another
    /// process must see the records.
    async fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_know_when_they_are_final() {
        assert_eq!("Succeeded".parse(), Ok(RunStatus::Succeeded));
        assert!("done".parse::<RunStatus>().is_err());
        assert!(RunStatus::Failed.is_terminal());
        assert!(!RunStatus::Running.is_terminal());
    }

    #[test]
    fn run_ids_round_trip_and_sort_by_creation() {
        let first = RunId::new();
        let second = RunId::new();
        assert!(first < second);
        assert_eq!(first.to_string().parse::<RunId>().expect("parse"), first);
    }
}
