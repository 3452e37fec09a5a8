//! `execute()` when the stage cannot produce an analysis: the fallback
//! result with `fallback_enabled`, a clear error without it, never a panic,
//! and always exactly one `failed` audit record.

mod common;

use common::{Fixture, Incidents};
use intelligence_core::{AnalysisRun, RunStatus};
use intelligence_executor::{
    AnalyzeResult, FALLBACK_ACTION, FALLBACK_PROBABLE_CAUSE, FALLBACK_SUMMARY, StageContext,
};
use serde_json::{Value, json};

fn context(payload: Value) -> StageContext {
    StageContext::new("trace-f", "pipeline-f")
        .with_incident(42)
        .with_payload(payload)
}

/// Runs `ctx` with and without fallback; checks the shape of both results
/// and returns the error text and the record of the run without fallback.
async fn both_ways(ctx: &StageContext, incidents: fn() -> Incidents) -> (String, AnalysisRun) {
    let with = Fixture::with_incidents(true, incidents());
    let fallback = with.executor.execute(ctx).await;
    assert_fallback(&fallback);
    let record = with
        .sink
        .get(fallback.run_id)
        .expect("recorded with fallback");
    assert_eq!(record.status, RunStatus::Failed);

    let without = Fixture::with_incidents(false, incidents());
    let failed = without.executor.execute(ctx).await;
    assert!(!failed.fallback_used);
    assert_eq!(failed.errors.len(), 1, "{:?}", failed.errors);
    assert_eq!(failed.summary, "");
    assert!(failed.actions.is_empty());
    assert_eq!(failed.confidence, 0.0);
    assert_eq!(
        failed.output_ref,
        format!("intelligence:trace-f:{}:analyze", failed.run_id),
        "the output reference names the failed run"
    );

    let runs = without.sink.runs();
    assert_eq!(runs.len(), 1, "exactly one record per stage");
    let record = runs[0].clone();
    assert_eq!(record.id, failed.run_id);
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.trace_id, "trace-f");
    assert_eq!(record.pipeline_run_id, "pipeline-f");
    assert!(record.completed_at.is_some());
    (failed.errors[0].clone(), record)
}

fn assert_fallback(result: &AnalyzeResult) {
    assert!(result.fallback_used);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.summary, FALLBACK_SUMMARY);
    assert_eq!(result.probable_cause, FALLBACK_PROBABLE_CAUSE);
    assert_eq!(result.actions, [FALLBACK_ACTION]);
    assert_eq!(result.confidence, 0.0);
    assert_eq!(result.recommendations, json!([]));
}

#[tokio::test]
async fn an_unknown_provider_is_a_clear_error_or_the_fallback() {
    let ctx = context(json!({"provider": "gamma", "provider_config": {"api_key": "sk-9999"}}));

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(
        error,
        "cannot build provider \"gamma\": unknown provider \"gamma\"; \
         available: alpha, beta, degraded, failing, panicking"
    );
    assert_eq!(record.provider, "gamma");
    assert_eq!(record.error_type.as_deref(), Some("unknown_provider"));
    assert_eq!(record.provider_config, json!({"api_key": "***"}));
    assert_eq!(record.incident_id, Some(42));
    assert_eq!(record.started_at, None, "nothing started");
    assert_eq!(record.duration_ms, Some(0));
}

#[tokio::test]
async fn a_missing_incident_is_a_clear_error_or_the_fallback() {
    let ctx = context(json!({})).with_incident(404);

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(error, "incident 404 not found");
    assert_eq!(record.error_type.as_deref(), Some("incident_not_found"));
    assert_eq!(record.incident_id, Some(404));
    assert_eq!(record.provider, "alpha");
}

#[tokio::test]
async fn a_failing_incident_source_is_a_clear_error_or_the_fallback() {
    let broken = || Incidents {
        broken: true,
        ..Incidents::default()
    };

    let (error, record) = both_ways(&context(json!({})), broken).await;

    assert_eq!(
        error,
        "cannot load incident 42: incident source failed: connection refused"
    );
    assert_eq!(record.error_type.as_deref(), Some("incident_source"));
}

#[tokio::test]
async fn a_payload_that_is_not_an_object_is_a_clear_error_or_the_fallback() {
    for (payload, kind) in [
        (json!("analyze please"), "a string"),
        (json!([1, 2]), "an array"),
        (json!(7), "a number"),
    ] {
        let (error, record) = both_ways(&context(payload), Incidents::with_42).await;
        assert_eq!(
            error,
            format!("invalid stage payload: expected a JSON object, got {kind}")
        );
        assert_eq!(record.error_type.as_deref(), Some("invalid_payload"));
        assert_eq!(record.provider, "alpha", "recorded under the default");
        assert_eq!(record.provider_config, json!({}));
    }
}

#[tokio::test]
async fn a_payload_with_keys_of_the_wrong_type_is_recorded_under_the_named_provider() {
    let ctx = context(json!({"provider": "beta", "provider_config": ["top_n", 3]}));

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(
        error,
        "invalid stage payload: `provider_config` must be an object, got an array"
    );
    assert_eq!(record.provider, "beta");
}

#[tokio::test]
async fn a_config_the_factory_refuses_is_a_clear_error_or_the_fallback() {
    let ctx = context(json!({"provider_config": {"top_n": "many"}}));

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(
        error,
        "cannot build provider \"alpha\": invalid configuration: top_n must be a whole number, got \"many\""
    );
    assert_eq!(record.error_type.as_deref(), Some("config"));
    assert_eq!(record.provider_config, json!({"top_n": "many"}));
}

#[tokio::test]
async fn a_provider_failure_is_a_scrubbed_error_or_the_fallback() {
    let ctx = context(json!({
        "provider": "failing",
        "provider_config": {"api_key": "sk-live-echoed"},
    }));

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(
        error, "provider \"failing\" failed: upstream error: key *** rejected by upstream",
        "the echoed secret is scrubbed from the result"
    );
    assert_eq!(record.error_type.as_deref(), Some("upstream"));
    assert_eq!(
        record.error_message.as_deref(),
        Some("upstream error: key *** rejected by upstream")
    );
    assert!(record.started_at.is_some(), "run() started it");
}

#[tokio::test]
async fn a_provider_panic_is_contained() {
    let ctx = context(json!({"provider": "panicking"}));

    let (error, record) = both_ways(&ctx, Incidents::with_42).await;

    assert_eq!(
        error,
        "provider \"panicking\" panicked: scripted provider blew up"
    );
    assert_eq!(record.error_type.as_deref(), Some("panic"));
}
