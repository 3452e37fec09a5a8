//! [`StageContext`]: what the pipeline hands the analyze stage.

use intelligence_core::IncidentId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The pipeline's view of one analyze stage: who asked, about what, and the
/// stage's JSON payload.
///
/// The payload is an object with these keys, all optional:
///
/// - `provider`: the registered provider name; the executor's default when
///   absent, `null` or empty.
/// - `provider_config`: an object handed to the provider's factory; keys that
///   name a URL, host or path are dropped first (see
///   [`crate::LOCATION_KEY_PARTS`]).
/// - `checker_output_ref`: the reference of the checker output that led
///   here, copied into the audit record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StageContext {
    /// Correlates the stage with the rest of the pipeline and other systems.
    pub trace_id: String,
    /// The pipeline run this stage belongs to.
    pub pipeline_run_id: String,
    /// The incident to analyse; a general scan when `None`.
    #[serde(default)]
    pub incident_id: Option<IncidentId>,
    /// The stage payload; `null` counts as `{}`.
    #[serde(default)]
    pub payload: Value,
}

impl StageContext {
    /// A context with these ids, no incident and an empty payload.
    pub fn new(trace_id: impl Into<String>, pipeline_run_id: impl Into<String>) -> Self {
        Self {
            trace_id: trace_id.into(),
            pipeline_run_id: pipeline_run_id.into(),
            incident_id: None,
            payload: Value::Null,
        }
    }

    /// Sets the incident to analyse.
    #[must_use]
    pub fn with_incident(mut self, incident_id: IncidentId) -> Self {
        self.incident_id = Some(incident_id);
        self
    }

    /// Sets the payload.
    #[must_use]
    pub fn with_payload(mut self, payload: Value) -> Self {
        self.payload = payload;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_defaults_the_optional_fields() {
        let ctx = StageContext::new("trace-1", "pipe-1")
            .with_incident(7)
            .with_payload(json!({"provider": "local"}));
        let text = serde_json::to_string(&ctx).expect("serialise");
        assert_eq!(
            serde_json::from_str::<StageContext>(&text).expect("parse"),
            ctx
        );

        let bare: StageContext =
            serde_json::from_value(json!({"trace_id": "t", "pipeline_run_id": "p"}))
                .expect("parse");
        assert_eq!(bare, StageContext::new("t", "p"));
    }
}
