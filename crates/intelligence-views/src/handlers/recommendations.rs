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

/// Body of the POST form: a JSON object only (see the `Deserialize` impl).
#[derive(Debug, Default)]
pub(crate) struct RecommendationBody {
    incident_id: Option<IncidentId>,
    provider: Option<String>,
    config: Option<Value>,
}

/// The fields of [`RecommendationBody`], read from a map.
#[derive(Debug, Default, Deserialize)]
struct BodyFields {
    #[serde(default)]
    incident_id: Option<IncidentId>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    config: Option<Value>,
}

impl<'de> Deserialize<'de> for RecommendationBody {
    /// Only from a JSON object: serde's derive would also read a struct from
    /// an array by position, so `[42, "openai"]` would analyse incident 42.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = BodyFields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<BodyFields, A::Error> {
                BodyFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        let fields = deserializer.deserialize_map(ObjectOnly)?;
        Ok(Self {
            incident_id: fields.incident_id,
            provider: fields.provider,
            config: fields.config,
        })
    }
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
