//! A sink that fails at any step never changes what the caller gets.

mod common;

use std::sync::Arc;

use common::{Behaviour, Scripted, capture_logs, three};
use intelligence_core::{AnalysisKind, MockAuditSink, ProviderError, RunOptions, SinkError, run};

fn down() -> SinkError {
    SinkError::msg("database is down")
}

fn options() -> RunOptions {
    RunOptions::traced("trace-faults")
}

fn assert_warned(logs: &str, step: &str) {
    let line = logs
        .lines()
        .find(|l| l.contains("WARN") && l.contains("audit sink failed"))
        .unwrap_or_else(|| panic!("no warning in {logs:?}"));
    for needle in [
        format!("step=\"{step}\""),
        "provider=scripted".to_owned(),
        "trace_id=trace-faults".to_owned(),
        "database is down".to_owned(),
        "run_id=".to_owned(),
    ] {
        assert!(line.contains(&needle), "{needle} missing from {line}");
    }
}

#[tokio::test]
async fn a_failed_create_still_returns_the_recommendations() {
    let (logs, _guard) = capture_logs();
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Err(down()));
    sink.expect_mark_started().times(0);
    sink.expect_mark_succeeded().times(0);

    let outcome = run(
        &Scripted::answering(three()),
        Arc::new(sink),
        None,
        &AnalysisKind::Memory,
        options(),
    )
    .await
    .expect("the analysis is unaffected");

    assert_eq!(outcome.analysis.recommendations, three());
    assert_warned(&logs.text(), "create");
}

#[tokio::test]
async fn a_failed_start_does_not_stop_the_terminal_write() {
    let (logs, _guard) = capture_logs();
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Ok(()));
    sink.expect_mark_started()
        .times(1)
        .returning(|_, _| Err(down()));
    sink.expect_mark_succeeded()
        .times(1)
        .withf(|_, done| done.recommendations_count == 3)
        .returning(|_, _| Ok(()));

    let outcome = run(
        &Scripted::answering(three()),
        Arc::new(sink),
        None,
        &AnalysisKind::Memory,
        options(),
    )
    .await
    .expect("the analysis is unaffected");

    assert_eq!(outcome.analysis.recommendations, three());
    assert_warned(&logs.text(), "mark_started");
}

#[tokio::test]
async fn a_failed_start_does_not_stop_the_failure_write_either() {
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Ok(()));
    sink.expect_mark_started()
        .times(1)
        .returning(|_, _| Err(down()));
    sink.expect_mark_failed()
        .times(1)
        .withf(|_, failed| failed.error_type == "timeout")
        .returning(|_, _| Ok(()));

    let err = run(
        &Scripted::new(Behaviour::Fail(|| {
            ProviderError::Timeout(std::time::Duration::from_secs(3))
        })),
        Arc::new(sink),
        None,
        &AnalysisKind::Memory,
        options(),
    )
    .await
    .expect_err("the provider fails");
    assert!(matches!(err, ProviderError::Timeout(d) if d.as_secs() == 3));
}

#[tokio::test]
async fn a_failed_success_write_still_returns_the_recommendations() {
    let (logs, _guard) = capture_logs();
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Ok(()));
    sink.expect_mark_started().times(1).returning(|_, _| Ok(()));
    sink.expect_mark_succeeded()
        .times(1)
        .returning(|_, _| Err(down()));

    let outcome = run(
        &Scripted::answering(three()),
        Arc::new(sink),
        None,
        &AnalysisKind::Cpu,
        options(),
    )
    .await
    .expect("the analysis is unaffected");

    assert_eq!(outcome.analysis.recommendations, three());
    assert_warned(&logs.text(), "mark_succeeded");
}

#[tokio::test]
async fn a_failed_failure_write_still_returns_the_providers_error() {
    let (logs, _guard) = capture_logs();
    let mut sink = MockAuditSink::new();
    sink.expect_create().times(1).returning(|_| Ok(()));
    sink.expect_mark_started().times(1).returning(|_, _| Ok(()));
    sink.expect_mark_failed()
        .times(1)
        .returning(|_, _| Err(down()));

    let err = run(
        &Scripted::new(Behaviour::Fail(|| {
            ProviderError::Other("disk on fire".into())
        })),
        Arc::new(sink),
        None,
        &AnalysisKind::Automatic,
        options(),
    )
    .await
    .expect_err("the provider fails");

    assert!(matches!(err, ProviderError::Other(ref m) if m == "disk on fire"));
    assert_warned(&logs.text(), "mark_failed");
}
