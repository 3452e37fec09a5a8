//! Rows as diesel reads and writes them, and their conversion to and from
//! the core's [`AnalysisRun`] and [`Incident`].

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use intelligence_core::{Alert, AnalysisRun, Incident, RunId, RunStatus};
use serde_json::Value;

use crate::error::StoreError;
use crate::schema::{analysis_runs, incidents};

/// One `analysis_runs` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = analysis_runs)]
pub(crate) struct RunRow {
    pub(crate) id: String,
    pub(crate) trace_id: String,
    pub(crate) pipeline_run_id: String,
    pub(crate) provider: String,
    pub(crate) provider_config: String,
    pub(crate) model_name: Option<String>,
    pub(crate) status: String,
    pub(crate) incident_id: Option<i64>,
    pub(crate) analysis_kind: String,
    pub(crate) input_summary: String,
    pub(crate) checker_output_ref: String,
    pub(crate) recommendations_count: i64,
    pub(crate) recommendations: String,
    pub(crate) summary: String,
    pub(crate) probable_cause: String,
    pub(crate) confidence: Option<f64>,
    pub(crate) prompt_tokens: Option<i64>,
    pub(crate) completion_tokens: Option<i64>,
    pub(crate) total_tokens: Option<i64>,
    pub(crate) error_type: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) fallback_used: bool,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) started_at: Option<NaiveDateTime>,
    pub(crate) completed_at: Option<NaiveDateTime>,
    pub(crate) duration_ms: Option<i64>,
}

/// A UTC time as stored: no zone, microsecond precision (PostgreSQL's), so
/// that both backends give back the same value.
pub(crate) fn to_db(time: DateTime<Utc>) -> NaiveDateTime {
    time.trunc_subsecs(6).naive_utc()
}

/// A stored time back in UTC.
pub(crate) fn from_db(time: NaiveDateTime) -> DateTime<Utc> {
    time.and_utc()
}

/// Text as stored: a NUL character, which PostgreSQL's TEXT refuses (a
/// provider error may echo one from upstream), becomes U+FFFD, on both
/// backends alike. JSON columns need nothing: JSON escapes it.
pub(crate) fn storable(text: &str) -> String {
    text.replace('\0', "\u{fffd}")
}

/// [`storable`], for an optional column.
pub(crate) fn storable_opt(text: Option<&str>) -> Option<String> {
    text.map(storable)
}

/// JSON as stored: compact text.
pub(crate) fn json_text(what: &'static str, value: &Value) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| StoreError::Encode {
        what,
        reason: err.to_string(),
    })
}

impl RunRow {
    /// The row for a whole record.
    pub(crate) fn from_run(run: &AnalysisRun) -> Result<Self, StoreError> {
        Ok(Self {
            id: run.id.to_string(),
            trace_id: storable(&run.trace_id),
            pipeline_run_id: storable(&run.pipeline_run_id),
            provider: storable(&run.provider),
            provider_config: json_text("provider_config", &run.provider_config)?,
            model_name: storable_opt(run.model_name.as_deref()),
            status: run.status.as_str().to_owned(),
            incident_id: run.incident_id,
            analysis_kind: storable(&run.analysis_kind),
            input_summary: storable(&run.input_summary),
            checker_output_ref: storable(&run.checker_output_ref),
            recommendations_count: run.recommendations_count,
            recommendations: json_text("recommendations", &run.recommendations)?,
            summary: storable(&run.summary),
            probable_cause: storable(&run.probable_cause),
            confidence: run.confidence,
            prompt_tokens: run.prompt_tokens,
            completion_tokens: run.completion_tokens,
            total_tokens: run.total_tokens,
            error_type: storable_opt(run.error_type.as_deref()),
            error_message: storable_opt(run.error_message.as_deref()),
            fallback_used: run.fallback_used,
            created_at: to_db(run.created_at),
            started_at: run.started_at.map(to_db),
            completed_at: run.completed_at.map(to_db),
            duration_ms: run.duration_ms,
        })
    }

    /// The record this row holds.
    pub(crate) fn into_run(self) -> Result<AnalysisRun, StoreError> {
        let decode = |column: &'static str, reason: String| StoreError::Decode {
            table: "analysis_runs",
            id: self.id.clone(),
            column,
            reason,
        };
        let id = self
            .id
            .parse::<RunId>()
            .map_err(|err| decode("id", err.to_string()))?;
        let status = self
            .status
            .parse::<RunStatus>()
            .map_err(|err| decode("status", err.to_string()))?;
        let provider_config = serde_json::from_str(&self.provider_config)
            .map_err(|err| decode("provider_config", err.to_string()))?;
        let recommendations = serde_json::from_str(&self.recommendations)
            .map_err(|err| decode("recommendations", err.to_string()))?;
        Ok(AnalysisRun {
            id,
            trace_id: self.trace_id,
            pipeline_run_id: self.pipeline_run_id,
            provider: self.provider,
            provider_config,
            model_name: self.model_name,
            status,
            incident_id: self.incident_id,
            analysis_kind: self.analysis_kind,
            input_summary: self.input_summary,
            checker_output_ref: self.checker_output_ref,
            recommendations_count: self.recommendations_count,
            recommendations,
            summary: self.summary,
            probable_cause: self.probable_cause,
            confidence: self.confidence,
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            total_tokens: self.total_tokens,
            error_type: self.error_type,
            error_message: self.error_message,
            fallback_used: self.fallback_used,
            created_at: from_db(self.created_at),
            started_at: self.started_at.map(from_db),
            completed_at: self.completed_at.map(from_db),
            duration_ms: self.duration_ms,
        })
    }
}

/// One `incidents` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = incidents)]
pub(crate) struct IncidentRow {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) severity: String,
    pub(crate) status: String,
    pub(crate) metadata: String,
    pub(crate) alerts: String,
}

/// A new `incidents` row; the database picks the id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = incidents)]
pub(crate) struct NewIncidentRow {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) severity: String,
    pub(crate) status: String,
    pub(crate) metadata: String,
    pub(crate) alerts: String,
    pub(crate) created_at: NaiveDateTime,
}

impl IncidentRow {
    /// The incident this row holds.
    pub(crate) fn into_incident(self) -> Result<Incident, StoreError> {
        let decode = |column: &'static str, reason: String| StoreError::Decode {
            table: "incidents",
            id: self.id.to_string(),
            column,
            reason,
        };
        let metadata: Value = serde_json::from_str(&self.metadata)
            .map_err(|err| decode("metadata", err.to_string()))?;
        let alerts: Vec<Alert> =
            serde_json::from_str(&self.alerts).map_err(|err| decode("alerts", err.to_string()))?;
        Ok(Incident {
            id: self.id,
            title: self.title,
            description: self.description,
            severity: self.severity,
            status: self.status,
            metadata,
            alerts,
        })
    }
}
