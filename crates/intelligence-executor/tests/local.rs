//! The executor with the real local provider: payload settings reach it,
//! location keys do not, and a setting it refuses is a clear error.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::Incidents;
use intelligence_core::{Incident, MemorySink, ProviderRegistry, RunStatus};
use intelligence_executor::{AnalyzeExecutor, StageContext};
use intelligence_local::LocalSettings;
use serde_json::json;

fn executor(sink: &Arc<MemorySink>) -> AnalyzeExecutor {
    let mut registry = ProviderRegistry::new();
    intelligence_local::register(&mut registry, LocalSettings::default());
    let mut incidents = HashMap::new();
    incidents.insert(5, Incident::new(5, "high memory usage on web-1"));
    let incidents = Incidents {
        incidents,
        broken: false,
    };
    AnalyzeExecutor::new(
        registry,
        Arc::clone(sink) as _,
        Arc::new(incidents),
        intelligence_local::NAME,
    )
    .expect("local is registered")
    .with_fallback(false)
}

#[tokio::test]
async fn a_memory_incident_is_analysed_by_the_local_provider() {
    let sink = Arc::new(MemorySink::new());
    let ctx = StageContext::new("trace-local", "pipe-local")
        .with_incident(5)
        .with_payload(json!({
            "provider_config": {"top_n": 3, "scan_paths": ["/etc"], "allowed_roots": ["/"]},
        }));

    let result = executor(&sink).execute(&ctx).await;

    assert!(result.is_ok(), "{:?}", result.errors);
    assert_eq!(result.model_info.provider, "local");
    let record = sink.get(result.run_id).expect("recorded");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(record.provider, "local");
    assert_eq!(record.provider_config, json!({"top_n": 3}));
    assert_eq!(record.incident_id, Some(5));
    let count = result.recommendations.as_array().map_or(0, Vec::len);
    assert_eq!(
        i64::try_from(count).ok(),
        Some(record.recommendations_count)
    );
    assert_eq!(record.summary, result.summary);
}

#[tokio::test]
async fn a_setting_the_local_provider_refuses_is_a_clear_error() {
    let sink = Arc::new(MemorySink::new());
    let ctx = StageContext::new("trace-local", "pipe-local")
        .with_incident(5)
        .with_payload(json!({"provider_config": {"threshold_mb": -1}}));

    let result = executor(&sink).execute(&ctx).await;

    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(
        result.errors[0].starts_with("cannot build provider \"local\": invalid configuration"),
        "{}",
        result.errors[0]
    );
    assert!(
        result.errors[0].contains("threshold_mb"),
        "{}",
        result.errors[0]
    );
    let record = sink.get(result.run_id).expect("recorded");
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("config"));
}
