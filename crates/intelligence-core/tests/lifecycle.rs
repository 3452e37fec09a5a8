//! The audited run() lifecycle against the in-memory sink.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Behaviour, Scripted, capture_logs, three};
use intelligence_core::{
    Analysis, AnalysisKind, Fallback, Incident, MemorySink, ProviderError, RunId, RunOptions,
    RunStatus, TokenUsage, run,
};
use serde_json::json;

#[tokio::test]
async fn a_successful_run_leaves_one_complete_record() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::answering(three());
    let incident = Incident::new(12, "memory leak");
    let options = RunOptions {
        trace_id: "trace-a".into(),
        pipeline_run_id: "pipe-1".into(),
        config: json!({"top_n": 3}),
        ..RunOptions::default()
    };

    let outcome = run(
        &provider,
        sink.clone(),
        Some(&incident),
        &AnalysisKind::Memory,
        options,
    )
    .await
    .expect("succeeds");

    let runs = sink.runs();
    assert_eq!(runs.len(), 1);
    let record = &runs[0];
    assert_eq!(record.id, outcome.run_id);
    assert_eq!(
        sink.history(record.id),
        [RunStatus::Pending, RunStatus::Running, RunStatus::Succeeded]
    );
    assert_eq!(record.provider, "scripted");
    assert_eq!(record.trace_id, "trace-a");
    assert_eq!(record.pipeline_run_id, "pipe-1");
    assert_eq!(record.incident_id, Some(12));
    assert_eq!(record.analysis_kind, "memory");
    assert_eq!(record.input_summary, "incident 12: memory leak (memory)");
    assert_eq!(record.provider_config, json!({"top_n": 3}));
    assert_eq!(record.recommendations_count, 3);
    assert_eq!(
        record.recommendations,
        serde_json::to_value(three()).expect("serialise")
    );
    assert_eq!(record.summary, "title 1");
    assert_eq!(record.probable_cause, "description 1");
    let started = record.started_at.expect("started_at set");
    let completed = record.completed_at.expect("completed_at set");
    assert!(record.created_at <= started && started <= completed);
    assert!(record.duration_ms.expect("duration set") >= 0);
    assert_eq!(record.prompt_tokens, None, "unknown tokens stay null");
    assert!(!record.fallback_used);
    assert_eq!(outcome.analysis.recommendations, three());
}

#[tokio::test]
async fn defaults_are_empty_ids_and_no_incident() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::answering(Vec::new());

    let outcome = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        RunOptions::default(),
    )
    .await
    .expect("succeeds");

    let record = sink.get(outcome.run_id).expect("recorded");
    assert_eq!(record.trace_id, "");
    assert_eq!(record.pipeline_run_id, "");
    assert_eq!(record.incident_id, None);
    assert_eq!(record.analysis_kind, "automatic");
    assert_eq!(record.provider_config, json!({}));
    assert_eq!(record.recommendations, json!([]));
    assert_eq!(record.recommendations_count, 0);
    assert_eq!(record.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn analyze_receives_exactly_the_incident_and_kind() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::answering(Vec::new());
    let mut incident = Incident::new(5, "disk full");
    incident.metadata = json!({"path": "/var"});
    let kind = AnalysisKind::disk("/var/log");

    run(
        &provider,
        sink,
        Some(&incident),
        &kind,
        RunOptions::default(),
    )
    .await
    .expect("succeeds");

    let seen = provider.seen.lock().expect("not poisoned");
    assert_eq!(seen.as_slice(), [(Some(incident), kind)]);
}

#[tokio::test]
async fn a_caller_chosen_run_id_is_used() {
    let sink = Arc::new(MemorySink::new());
    let id = RunId::new();
    let options = RunOptions {
        run_id: Some(id),
        ..RunOptions::default()
    };
    let outcome = run(
        &Scripted::answering(Vec::new()),
        sink.clone(),
        None,
        &AnalysisKind::Cpu,
        options,
    )
    .await
    .expect("succeeds");
    assert_eq!(outcome.run_id, id);
    assert!(sink.get(id).is_some());
}

#[tokio::test]
async fn a_provider_error_is_recorded_and_returned_unchanged() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::new(Behaviour::Fail(|| ProviderError::Http {
        status: 503,
        message: "upstream down".into(),
    }));

    let err = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        RunOptions::default(),
    )
    .await
    .expect_err("fails");

    assert!(
        matches!(err, ProviderError::Http { status: 503, ref message } if message == "upstream down")
    );
    assert_eq!(err.to_string(), "upstream returned HTTP 503: upstream down");
    let record = &sink.runs()[0];
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("http_503"));
    assert_eq!(
        record.error_message.as_deref(),
        Some(err.to_string().as_str())
    );
    assert!(record.completed_at.is_some());
    assert!(record.duration_ms.is_some());
    assert_eq!(
        sink.history(record.id),
        [RunStatus::Pending, RunStatus::Running, RunStatus::Failed]
    );
}

#[tokio::test]
async fn a_fallback_answer_succeeds_and_records_the_error_behind_it() {
    let sink = Arc::new(MemorySink::new());
    let analysis = Analysis {
        recommendations: three(),
        model: Some("gpt-test".into()),
        usage: TokenUsage {
            prompt: Some(10),
            completion: Some(5),
            total: Some(15),
        },
        confidence: Some(0.25),
        fallback: Some(Fallback {
            error_type: "http_401".into(),
            message: "bad key sk-abcdefgh".into(),
        }),
    };
    let provider = Scripted::new(Behaviour::Answer(analysis.clone()));
    let options = RunOptions {
        config: json!({"api_key": "sk-abcdefgh"}),
        ..RunOptions::default()
    };

    let outcome = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        options,
    )
    .await
    .expect("a fallback is a success");

    assert_eq!(
        outcome.analysis, analysis,
        "the caller gets the analysis unchanged"
    );
    let record = &sink.runs()[0];
    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(record.fallback_used);
    assert_eq!(record.error_type.as_deref(), Some("http_401"));
    assert_eq!(record.error_message.as_deref(), Some("bad key ***"));
    assert_eq!(record.model_name.as_deref(), Some("gpt-test"));
    assert_eq!(
        (
            record.prompt_tokens,
            record.completion_tokens,
            record.total_tokens
        ),
        (Some(10), Some(5), Some(15))
    );
    assert_eq!(record.confidence, Some(0.25));
}

#[tokio::test]
async fn a_panic_marks_the_run_failed_and_continues_to_the_caller() {
    let sink = Arc::new(MemorySink::new());
    let provider = Arc::new(Scripted::new(Behaviour::Panic("boom in analyze")));

    let task_sink = sink.clone();
    let task_provider = provider.clone();
    let joined = tokio::spawn(async move {
        run(
            task_provider.as_ref(),
            task_sink,
            None,
            &AnalysisKind::Automatic,
            RunOptions::default(),
        )
        .await
    })
    .await;

    let panic = joined
        .expect_err("the panic reaches the caller")
        .into_panic();
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some("boom in analyze")
    );
    let record = &sink.runs()[0];
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("panic"));
    assert_eq!(
        record.error_message.as_deref(),
        Some("provider panicked: boom in analyze")
    );
}

#[tokio::test]
async fn a_dropped_run_is_marked_cancelled_not_left_running() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::new(Behaviour::Hang);

    let timed_out = tokio::time::timeout(
        Duration::from_millis(50),
        run(
            &provider,
            sink.clone(),
            None,
            &AnalysisKind::Cpu,
            RunOptions::default(),
        ),
    )
    .await;
    assert!(
        timed_out.is_err(),
        "the provider hangs, so the timeout fires"
    );

    // The cancelled write is detached onto the runtime: let it run.
    for _ in 0..100 {
        if sink.runs()[0].status.is_terminal() {
            break;
        }
        tokio::task::yield_now().await;
    }
    let record = &sink.runs()[0];
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("cancelled"));
    assert!(
        record
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("cancelled")),
        "{record:?}"
    );
}

/// A `main` whose run times out and which then returns: the runtime shuts
/// down at once, so a cancelled write that was only spawned would never run.
#[test]
fn a_run_timed_out_just_before_the_runtime_shuts_down_is_still_cancelled() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::new(Behaviour::Hang);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let timed_out = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(20),
            run(
                &provider,
                sink.clone(),
                None,
                &AnalysisKind::Cpu,
                RunOptions::default(),
            ),
        )
        .await
    });
    assert!(timed_out.is_err(), "the provider hangs");
    drop(runtime);
    assert_eq!(sink.runs()[0].status, RunStatus::Failed);
    assert_eq!(sink.runs()[0].error_type.as_deref(), Some("cancelled"));
}

/// A sink that logs from its terminal step after yielding, so that the
/// step finishes on whichever worker thread picks it up.
struct YieldingSink(MemorySink);

#[async_trait::async_trait]
impl intelligence_core::AuditSink for YieldingSink {
    async fn create(
        &self,
        run: &intelligence_core::NewRun,
    ) -> Result<(), intelligence_core::SinkError> {
        self.0.create(run).await
    }

    async fn mark_started(
        &self,
        id: RunId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), intelligence_core::SinkError> {
        self.0.mark_started(id, at).await
    }

    async fn mark_succeeded(
        &self,
        id: RunId,
        done: &intelligence_core::RunSucceeded,
    ) -> Result<(), intelligence_core::SinkError> {
        tokio::task::yield_now().await;
        tracing::warn!("terminal step written elsewhere");
        self.0.mark_succeeded(id, done).await
    }

    async fn mark_failed(
        &self,
        id: RunId,
        failed: &intelligence_core::RunFailed,
    ) -> Result<(), intelligence_core::SinkError> {
        self.0.mark_failed(id, failed).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sinks_log_from_a_detached_step_reaches_the_callers_subscriber() {
    let (logs, _guard) = capture_logs();
    let sink = Arc::new(YieldingSink(MemorySink::new()));
    let outcome = run(
        &Scripted::new(Behaviour::Answer(Analysis::new(vec![]))),
        sink.clone(),
        None,
        &AnalysisKind::Memory,
        RunOptions::traced("t-elsewhere"),
    )
    .await
    .expect("succeeds");
    let text = logs.text();
    let line = text
        .lines()
        .find(|l| l.contains("terminal step written elsewhere"))
        .unwrap_or_else(|| panic!("the sink's warning was lost: {text}"));
    assert!(
        line.contains(&outcome.run_id.to_string()) && line.contains("t-elsewhere"),
        "in the run's span: {line}"
    );
}

#[test]
fn a_dropped_run_outside_tokio_is_marked_cancelled_too() {
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::new(Behaviour::Hang);
    {
        let mut fut = Box::pin(run(
            &provider,
            sink.clone(),
            None,
            &AnalysisKind::Cpu,
            RunOptions::default(),
        ));
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    }
    for _ in 0..500 {
        if sink.runs()[0].status.is_terminal() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(sink.runs()[0].error_type.as_deref(), Some("cancelled"));
}

#[tokio::test]
async fn secrets_never_reach_the_record_or_the_logs() {
    let (logs, _guard) = capture_logs();
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::new(Behaviour::Fail(|| {
        ProviderError::Upstream("rejected key sk-verysecret via https://u:hunter22@api".into())
    }));
    let config = json!({"api_key": "sk-verysecret", "nested": [{"Password": "hunter22"}]});
    let options = RunOptions {
        trace_id: "t-secret".into(),
        config: config.clone(),
        ..RunOptions::default()
    };

    let err = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        options,
    )
    .await
    .expect_err("fails");

    assert!(
        err.to_string().contains("sk-verysecret"),
        "the caller's error is unchanged"
    );
    assert_eq!(
        config["api_key"], "sk-verysecret",
        "the caller's config is unchanged"
    );
    let record = serde_json::to_string(&sink.runs()[0]).expect("serialise");
    for secret in ["sk-verysecret", "hunter22"] {
        assert!(!record.contains(secret), "{secret} leaked into {record}");
        assert!(
            !logs.text().contains(secret),
            "{secret} leaked into the logs"
        );
    }
    assert!(
        logs.text().contains("t-secret"),
        "the span carries the trace id"
    );
}

#[test]
fn the_run_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let sink = Arc::new(MemorySink::new());
    let provider = Scripted::answering(Vec::new());
    let kind = AnalysisKind::Automatic;
    let fut = run(&provider, sink, None, &kind, RunOptions::default());
    assert_send(&fut);
}

/// A sink that logs from inside its terminal write, as the store does when a
/// connection is lost.
struct LoggingSink(MemorySink);

#[async_trait::async_trait]
impl intelligence_core::AuditSink for LoggingSink {
    async fn create(
        &self,
        run: &intelligence_core::NewRun,
    ) -> Result<(), intelligence_core::SinkError> {
        self.0.create(run).await
    }

    async fn mark_started(
        &self,
        id: RunId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), intelligence_core::SinkError> {
        self.0.mark_started(id, at).await
    }

    async fn mark_succeeded(
        &self,
        id: RunId,
        done: &intelligence_core::RunSucceeded,
    ) -> Result<(), intelligence_core::SinkError> {
        tracing::warn!("terminal write retried");
        self.0.mark_succeeded(id, done).await
    }

    async fn mark_failed(
        &self,
        id: RunId,
        failed: &intelligence_core::RunFailed,
    ) -> Result<(), intelligence_core::SinkError> {
        tracing::warn!("cancel write retried");
        self.0.mark_failed(id, failed).await
    }
}

#[tokio::test]
async fn a_sinks_own_logs_in_detached_writes_carry_the_run_identities() {
    let (logs, _guard) = capture_logs();
    let sink = Arc::new(LoggingSink(MemorySink::new()));

    let outcome = run(
        &Scripted::answering(three()),
        sink.clone(),
        None,
        &AnalysisKind::Memory,
        RunOptions::traced("trace-span"),
    )
    .await
    .expect("succeeds");
    let _ = tokio::time::timeout(
        Duration::from_millis(20),
        run(
            &Scripted::new(Behaviour::Hang),
            sink,
            None,
            &AnalysisKind::Cpu,
            RunOptions::traced("trace-cancel"),
        ),
    )
    .await;
    for _ in 0..100 {
        if logs.text().contains("cancel write retried") {
            break;
        }
        tokio::task::yield_now().await;
    }

    let text = logs.text();
    let terminal = text
        .lines()
        .find(|l| l.contains("terminal write retried"))
        .expect("logged");
    assert!(
        terminal.contains(&format!("run_id={}", outcome.run_id)),
        "{terminal}"
    );
    assert!(terminal.contains("trace_id=trace-span"), "{terminal}");
    let cancel = text
        .lines()
        .find(|l| l.contains("cancel write retried"))
        .expect("logged");
    assert!(cancel.contains("trace_id=trace-cancel"), "{cancel}");
}

#[tokio::test]
async fn a_model_name_echoing_a_config_secret_is_scrubbed_in_the_record() {
    let sink = Arc::new(MemorySink::new());
    let analysis = Analysis {
        model: Some("proxy for sk-abcdefgh".into()),
        ..Analysis::new(three())
    };
    let options = RunOptions {
        config: json!({"api_key": "sk-abcdefgh"}),
        ..RunOptions::default()
    };
    let outcome = run(
        &Scripted::new(Behaviour::Answer(analysis)),
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        options,
    )
    .await
    .expect("succeeds");
    assert_eq!(
        outcome.analysis.model.as_deref(),
        Some("proxy for sk-abcdefgh"),
        "the caller's answer is unchanged"
    );
    assert_eq!(
        sink.runs()[0].model_name.as_deref(),
        Some("proxy for ***"),
        "the record is scrubbed"
    );
}
