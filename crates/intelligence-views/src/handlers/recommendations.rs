//! `GET|POST /intelligence/recommendations/`: recommendations for an
//! incident (or a general scan when none is named) from a named provider.

use axum::Json;
use axum::extract::State;
use intelligence_core::{AnalysisKind, IncidentId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ViewsError;
use crate::extract::{ApiJson, ApiQuery, TraceId};
use crate::handlers::analysis::{analyse, incident, provider_name};
use crate::params;
use crate::state::AppState;

/// Query parameters of the GET form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecommendationQuery {
    incident_id: Option<String>,
    provider: Option<String>,
}

/// Body of the POST form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecommendationBody {
    #[serde(default)]
    incident_id: Option<IncidentId>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    config: Option<Value>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    trace: TraceId,
    ApiQuery(query): ApiQuery<RecommendationQuery>,
) -> Result<Json<Value>, ViewsError> {
    let incident_id = params::incident_id(query.incident_id.as_deref())?;
    respond(&state, trace, incident_id, query.provider.as_deref(), None).await
}

pub(crate) async fn post(
    State(state): State<AppState>,
    trace: TraceId,
    ApiJson(body): ApiJson<RecommendationBody>,
) -> Result<Json<Value>, ViewsError> {
    respond(
        &state,
        trace,
        body.incident_id,
        body.provider.as_deref(),
        body.config.as_ref(),
    )
    .await
}

async fn respond(
    state: &AppState,
    trace: TraceId,
    incident_id: Option<IncidentId>,
    provider: Option<&str>,
    config: Option<&Value>,
) -> Result<Json<Value>, ViewsError> {
    let provider = provider_name(state, provider);
    let incident = incident(state, incident_id).await?;
    let done = analyse(
        state,
        trace,
        provider,
        config,
        incident.as_ref(),
        &AnalysisKind::Automatic,
    )
    .await?;
    Ok(Json(json!({
        "provider": done.provider,
        "incident_id": incident_id,
        "recommendations": done.analysis.recommendations,
        "count": done.analysis.recommendations.len(),
        "run_id": done.run_id,
    })))
}
