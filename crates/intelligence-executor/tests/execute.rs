//! `execute()` on the happy paths: what the audit record and the result
//! carry, and which provider is chosen.

mod common;

use common::Fixture;
use intelligence_core::RunStatus;
use intelligence_executor::{AnalyzeExecutor, DEFAULT_CONFIDENCE, StageContext};
use serde_json::json;

fn context() -> StageContext {
    StageContext::new("trace-7", "pipeline-3").with_incident(42)
}

#[tokio::test]
async fn the_record_carries_the_pipeline_ids_the_incident_and_the_redacted_config() {
    let fixture = Fixture::new(true);
    let ctx = context().with_payload(json!({
        "provider_config": {
            "api_key": "sk-live-1234",
            "top_n": 3,
            "nested": {"password": "hunter22", "label": "x"},
            "base_url": "http://169.254.169.254/latest",
        },
        "checker_output_ref": "checker:trace-7:pipeline-3:check",
    }));

    let result = fixture.executor.execute(&ctx).await;

    let runs = fixture.sink.runs();
    assert_eq!(runs.len(), 1, "one record per stage");
    let record = &runs[0];
    assert_eq!(record.id, result.run_id);
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(record.trace_id, "trace-7");
    assert_eq!(record.pipeline_run_id, "pipeline-3");
    assert_eq!(record.incident_id, Some(42));
    assert_eq!(record.provider, "alpha");
    assert_eq!(
        record.checker_output_ref,
        "checker:trace-7:pipeline-3:check"
    );
    assert_eq!(
        record.provider_config,
        json!({
            "api_key": "***",
            "top_n": 3,
            "nested": {"password": "***", "label": "x"},
        }),
        "secrets masked, location keys dropped"
    );
    assert!(
        fixture.executor.fallback_enabled(),
        "fallback is on by default"
    );

    // The factory got the raw config minus the location keys.
    let seen = fixture.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].1["api_key"], "sk-live-1234");
    assert!(seen[0].1.get("base_url").is_none(), "{:?}", seen[0].1);
}

#[tokio::test]
async fn the_result_is_shaped_from_the_analysis() {
    let fixture = Fixture::new(true);

    let result = fixture.executor.execute(&context()).await;

    assert!(result.is_ok(), "{:?}", result.errors);
    assert!(!result.fallback_used);
    assert_eq!(result.summary, "alpha: api latency");
    assert_eq!(result.probable_cause, "a process leaks memory");
    assert_eq!(
        result.actions,
        ["restart the worker", "add a memory limit", "nothing to do"]
    );
    assert_eq!(result.confidence, DEFAULT_CONFIDENCE);
    assert_eq!(result.model_info.provider, "alpha");
    assert_eq!(result.model_info.model.as_deref(), Some("alpha-model"));
    assert_eq!(result.model_info.total_tokens, Some(10));
    assert_eq!(result.recommendations.as_array().map(Vec::len), Some(2));
    assert_eq!(result.recommendations[0]["incident_id"], 42);
    assert_eq!(
        result.output_ref,
        format!("intelligence:trace-7:{}:analyze", result.run_id)
    );

    let record = fixture.sink.get(result.run_id).expect("recorded");
    assert_eq!(record.summary, result.summary);
    assert_eq!(record.recommendations_count, 2);
    assert_eq!(
        fixture.sink.history(result.run_id),
        [RunStatus::Pending, RunStatus::Running, RunStatus::Succeeded]
    );
}

#[tokio::test]
async fn the_payload_provider_is_chosen_over_the_default() {
    let fixture = Fixture::new(true);
    assert_eq!(fixture.executor.default_provider(), "alpha");

    let result = fixture
        .executor
        .execute(&context().with_payload(json!({"provider": "beta"})))
        .await;

    assert_eq!(result.summary, "beta: api latency");
    assert_eq!(result.model_info.provider, "beta");
    let record = fixture.sink.get(result.run_id).expect("recorded");
    assert_eq!(record.provider, "beta");
    assert_eq!(fixture.seen()[0].0, "beta");
}

#[tokio::test]
async fn an_absent_null_or_empty_provider_means_the_default() {
    let fixture = Fixture::new(false);
    for payload in [
        serde_json::Value::Null,
        json!({}),
        json!({"provider": null}),
        json!({"provider": ""}),
    ] {
        let result = fixture
            .executor
            .execute(&context().with_payload(payload.clone()))
            .await;
        assert!(result.is_ok(), "{payload}: {:?}", result.errors);
        assert_eq!(result.model_info.provider, "alpha", "{payload}");
    }
}

#[tokio::test]
async fn without_an_incident_id_the_provider_runs_a_general_scan() {
    let fixture = Fixture::new(false);

    let result = fixture
        .executor
        .execute(&StageContext::new("trace-8", "pipeline-4"))
        .await;

    assert!(result.is_ok(), "{:?}", result.errors);
    assert_eq!(result.summary, "alpha: general scan");
    let record = fixture.sink.get(result.run_id).expect("recorded");
    assert_eq!(record.incident_id, None);
    assert_eq!(record.input_summary, "general scan");
}

#[tokio::test]
async fn a_provider_fallback_answer_is_flagged_but_not_an_error() {
    let fixture = Fixture::new(false);

    let result = fixture
        .executor
        .execute(&context().with_payload(json!({"provider": "degraded"})))
        .await;

    assert!(result.fallback_used);
    assert!(result.is_ok(), "{:?}", result.errors);
    assert_eq!(result.summary, "analysis unavailable");
    let record = fixture.sink.get(result.run_id).expect("recorded");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(record.fallback_used);
    assert_eq!(record.error_type.as_deref(), Some("http_503"));
}

#[tokio::test]
async fn executions_can_run_on_spawned_tasks() {
    let fixture = Fixture::new(true);
    let executor: AnalyzeExecutor = fixture.executor.clone();

    let handle = tokio::spawn(async move { executor.execute(&context()).await });
    let result = handle.await.expect("task finished");

    assert!(result.is_ok());
    assert!(fixture.sink.get(result.run_id).is_some());
}

#[test]
fn a_default_provider_that_is_not_registered_is_refused() {
    let seen = common::Seen::default();
    let err = AnalyzeExecutor::new(
        common::registry(&seen),
        std::sync::Arc::new(intelligence_core::NoopSink),
        std::sync::Arc::new(common::Incidents::default()),
        "gamma",
    )
    .expect_err("not registered");
    assert_eq!(
        err.to_string(),
        "default provider \"gamma\" is not registered; available: alpha, beta, degraded, failing, panicking"
    );
}
