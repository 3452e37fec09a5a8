//! `GET /intelligence/memory/` and `GET /intelligence/disk/`: the
//! machine-level analyses, with their tunables as query parameters.

use std::path::PathBuf;

use axum::Json;
use axum::extract::State;
use intelligence_core::AnalysisKind;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ViewsError;
use crate::extract::{ApiQuery, TraceId};
use crate::handlers::analysis::{analyse, provider_name};
use crate::params::{self, MAX_TOP_N, present};
use crate::state::AppState;

/// Query parameters of the memory route.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MemoryQuery {
    top_n: Option<String>,
    provider: Option<String>,
}

/// Query parameters of the disk route.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DiskQuery {
    path: Option<String>,
    threshold_mb: Option<String>,
    old_days: Option<String>,
    provider: Option<String>,
}

pub(crate) async fn memory(
    State(state): State<AppState>,
    trace: TraceId,
    ApiQuery(query): ApiQuery<MemoryQuery>,
) -> Result<Json<Value>, ViewsError> {
    let top_n = params::count("top_n", query.top_n.as_deref(), MAX_TOP_N)?;
    let mut config = Map::new();
    if let Some(top_n) = top_n {
        config.insert("top_n".into(), top_n.into());
    }
    let provider = provider_name(&state, query.provider.as_deref());
    let done = analyse(
        &state,
        trace,
        provider,
        Some(&Value::Object(config)),
        None,
        &AnalysisKind::Memory,
    )
    .await?;
    Ok(Json(json!({
        "type": "memory",
        "provider": done.provider,
        "recommendations": done.analysis.recommendations,
        "count": done.analysis.recommendations.len(),
        "run_id": done.run_id,
    })))
}

pub(crate) async fn disk(
    State(state): State<AppState>,
    trace: TraceId,
    ApiQuery(query): ApiQuery<DiskQuery>,
) -> Result<Json<Value>, ViewsError> {
    let threshold_mb = params::number("threshold_mb", query.threshold_mb.as_deref())?;
    let old_days = params::number("old_days", query.old_days.as_deref())?;
    let path = disk_path(&state, query.path.as_deref())?;

    let local = &state.settings.local;
    let mut config = Map::new();
    if let Some(threshold_mb) = threshold_mb {
        config.insert("threshold_mb".into(), threshold_mb.into());
    }
    if let Some(old_days) = old_days {
        config.insert("old_days".into(), old_days.into());
    }
    let provider = provider_name(&state, query.provider.as_deref());
    let kind = AnalysisKind::disk(path.clone());
    let done = analyse(
        &state,
        trace,
        provider,
        Some(&Value::Object(config)),
        None,
        &kind,
    )
    .await?;
    Ok(Json(json!({
        "type": "disk",
        "provider": done.provider,
        "path": path.display().to_string(),
        "threshold_mb": threshold_mb.unwrap_or(local.threshold_mb),
        "old_days": old_days.unwrap_or(local.old_days),
        "recommendations": done.analysis.recommendations,
        "count": done.analysis.recommendations.len(),
        "run_id": done.run_id,
    })))
}

/// The path to scan as given, or the configured default. Whether it lies
/// inside the allowed roots is the provider's to decide, inside `run()`, so
/// that a refused path leaves a failed record (`path_not_allowed`) here as
/// it does from the CLI and the executor; the refusal still answers 400.
/// Only a path no filesystem can hold (a NUL byte) is refused before.
fn disk_path(state: &AppState, given: Option<&str>) -> Result<PathBuf, ViewsError> {
    match present(given) {
        None => Ok(state.settings.local.default_disk_path.clone()),
        Some(path) if path.contains('\0') => Err(ViewsError::InvalidParameter {
            field: "path",
            reason: format!("{path:?} contains a NUL byte"),
        }),
        Some(path) => Ok(PathBuf::from(path)),
    }
}
