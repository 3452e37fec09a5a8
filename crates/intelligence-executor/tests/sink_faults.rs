//! A sink that fails never changes the stage's result, and a refused stage
//! writes exactly `create` then `mark_failed`.

mod common;

use std::sync::Arc;

use common::{Incidents, Seen, registry};
use intelligence_core::{MockAuditSink, SinkError};
use intelligence_executor::{AnalyzeExecutor, FALLBACK_SUMMARY, StageContext};
use serde_json::json;

fn executor(sink: MockAuditSink, fallback: bool) -> AnalyzeExecutor {
    AnalyzeExecutor::new(
        registry(&Seen::default()),
        Arc::new(sink),
        Arc::new(Incidents::with_42()),
        "alpha",
    )
    .expect("alpha is registered")
    .with_fallback(fallback)
}

fn down() -> SinkError {
    SinkError::msg("database is down")
}

#[tokio::test]
async fn a_sink_that_fails_every_write_does_not_change_a_success() {
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Err(down()));
    sink.expect_mark_started().times(0);
    sink.expect_mark_succeeded().times(0);
    sink.expect_mark_failed().times(0);

    let result = executor(sink, false)
        .execute(&StageContext::new("t", "p").with_incident(42))
        .await;

    assert!(result.is_ok(), "{:?}", result.errors);
    assert_eq!(result.summary, "alpha: api latency");
}

#[tokio::test]
async fn a_refused_stage_is_created_then_failed_and_never_started() {
    let mut sink = MockAuditSink::new();
    let mut seq = mockall::Sequence::new();
    sink.expect_create()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|new| new.provider == "gamma" && new.incident_id == Some(42))
        .returning(|_| Ok(()));
    sink.expect_mark_failed()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|_, failed| failed.error_type == "unknown_provider" && failed.duration_ms == 0)
        .returning(|_, _| Err(down()));
    sink.expect_mark_started().times(0);
    sink.expect_mark_succeeded().times(0);

    let result = executor(sink, true)
        .execute(
            &StageContext::new("t", "p")
                .with_incident(42)
                .with_payload(json!({"provider": "gamma"})),
        )
        .await;

    assert!(result.fallback_used, "a failed mark_failed changes nothing");
    assert_eq!(result.summary, FALLBACK_SUMMARY);
}

#[tokio::test]
async fn a_refusal_whose_create_fails_skips_the_failed_mark() {
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Err(down()));
    sink.expect_mark_failed().times(0);
    sink.expect_mark_started().times(0);

    let result = executor(sink, false)
        .execute(&StageContext::new("t", "p").with_payload(json!("oops")))
        .await;

    assert_eq!(
        result.errors,
        ["invalid stage payload: expected a JSON object, got a string"]
    );
}
