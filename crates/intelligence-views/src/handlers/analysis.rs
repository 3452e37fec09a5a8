//! The one path every analysing route takes: sanitize the request's config,
//! build the provider from the registry, and execute it through the audited
//! [`intelligence_core::run()`] with the request's trace id.
//!
//! When the client disconnects, axum drops the handler's future, and with it
//! the `run()` future; `run()` then records the run failed with error type
//! `cancelled`. Blocking work (disk walks, process sampling) runs on Tokio's
//! blocking pool inside the local provider, never on the async workers.

use intelligence_core::{Analysis, AnalysisKind, Incident, IncidentId, RunId, RunOptions, run};
use serde_json::Value;

use crate::config::{loggable_key, sanitize};
use crate::error::ViewsError;
use crate::extract::TraceId;
use crate::params::present;
use crate::state::AppState;

/// What a finished analysis hands back to its route.
pub(crate) struct Done {
    pub(crate) provider: String,
    pub(crate) run_id: RunId,
    pub(crate) analysis: Analysis,
}

/// The provider a request names, or the default.
pub(crate) fn provider_name(state: &AppState, given: Option<&str>) -> String {
    present(given).map_or_else(|| state.settings.default_provider.clone(), str::to_owned)
}

/// Looks an incident up; a missing one is a 404.
pub(crate) async fn incident(
    state: &AppState,
    id: Option<IncidentId>,
) -> Result<Option<Incident>, ViewsError> {
    let Some(id) = id else {
        return Ok(None);
    };
    match state.incidents.get(id).await {
        Ok(Some(incident)) => Ok(Some(incident)),
        Ok(None) => Err(ViewsError::IncidentNotFound(id)),
        Err(source) => Err(ViewsError::IncidentSource { id, source }),
    }
}

/// Runs `provider` over `incident` and `kind`, audited.
pub(crate) async fn analyse(
    state: &AppState,
    trace: TraceId,
    provider: String,
    config: Option<&Value>,
    incident: Option<&Incident>,
    kind: &AnalysisKind,
) -> Result<Done, ViewsError> {
    let (config, removed) = sanitize(config)?;
    if !removed.is_empty() {
        // Key names come from the client: logged masked and cut.
        let removed: Vec<String> = removed.iter().map(|key| loggable_key(key)).collect();
        tracing::info!(
            provider = %provider,
            trace_id = %trace.0,
            removed = ?removed,
            "request config keys removed before building the provider"
        );
    }
    let built = state.registry.build(&provider, &config)?;
    let run_id = RunId::new();
    let options = RunOptions {
        run_id: Some(run_id),
        trace_id: trace.0,
        config,
        ..RunOptions::default()
    };
    let outcome = run(&*built, state.sink.clone(), incident, kind, options)
        .await
        .map_err(|source| ViewsError::Analysis { run_id, source })?;
    Ok(Done {
        provider,
        run_id: outcome.run_id,
        analysis: outcome.analysis,
    })
}
