//! The core lifecycle, end to end through `run()` with the store as the
//! sink: what `run()` wrote is exactly what a query returns.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use intelligence_core::{
    AnalysisKind, AuditSink, CANCELLED_MESSAGE, Incident, RunOptions, RunStatus, run,
};
use intelligence_store::{RunFilter, StoreOptions, WriteMode};
use serde_json::json;

use super::support::{
    Failing, Fallbacking, Panicking, Slow, Tee, Three, as_stored, databases, wait_terminal,
};

fn per_step() -> StoreOptions {
    StoreOptions {
        write_mode: WriteMode::PerStep,
        ..StoreOptions::default()
    }
}

#[tokio::test]
async fn a_succeeded_run_reads_back_exactly_as_run_wrote_it() {
    for db in databases("a_succeeded_run_reads_back_exactly_as_run_wrote_it") {
        let tee = Tee::new(db.open());
        let incident = Incident::new(7, "memory pressure on web-1");
        let options = RunOptions {
            trace_id: "trace-abc".into(),
            pipeline_run_id: "pipe-9".into(),
            checker_output_ref: "checker/42".into(),
            config: json!({"api_key": "sk-live-123456", "model": "m-1", "nested": [{"password": "hunter22"}], "top_n": 5}),
            ..RunOptions::default()
        };

        let outcome = run(
            &Three,
            tee.clone(),
            Some(&incident),
            &AnalysisKind::Memory,
            options,
        )
        .await
        .expect("three succeeds");

        let written = tee.memory.get(outcome.run_id).expect("memory record");
        let stored = tee
            .store
            .get_run(outcome.run_id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(stored, as_stored(written), "{}", db.label);
        assert_eq!(stored.status, RunStatus::Succeeded);
        assert_eq!(stored.recommendations_count, 3);
        assert_eq!(
            stored.recommendations,
            serde_json::to_value(&outcome.analysis.recommendations).expect("json"),
            "{}: recommendations JSON round-trips exactly",
            db.label
        );
        assert_eq!(stored.provider_config["api_key"], "***");
        assert_eq!(stored.provider_config["nested"][0]["password"], "***");
        assert_eq!(stored.provider_config["model"], "m-1");
        assert_eq!(stored.incident_id, Some(7));
        assert_eq!(stored.analysis_kind, "memory");
        assert_eq!(
            (stored.prompt_tokens, stored.total_tokens),
            (Some(120), Some(150))
        );
        assert_eq!(stored.confidence, Some(0.75));
        assert!(stored.started_at.is_some() && stored.completed_at.is_some());
    }
}

#[tokio::test]
async fn a_fallback_run_succeeds_and_keeps_the_error_behind_it() {
    for db in databases("a_fallback_run_succeeds_and_keeps_the_error_behind_it") {
        let tee = Tee::new(db.open());
        let outcome = run(
            &Fallbacking,
            tee.clone(),
            None,
            &AnalysisKind::Automatic,
            RunOptions::default(),
        )
        .await
        .expect("fallback is a success");
        let stored = tee
            .store
            .get_run(outcome.run_id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(
            stored,
            as_stored(tee.memory.get(outcome.run_id).expect("memory"))
        );
        assert_eq!(stored.status, RunStatus::Succeeded, "{}", db.label);
        assert!(stored.fallback_used);
        assert_eq!(stored.error_type.as_deref(), Some("http_503"));
        assert_eq!(stored.prompt_tokens, None, "unknown tokens stay null");
    }
}

#[tokio::test]
async fn a_failed_run_is_recorded_and_its_error_returned_unchanged() {
    for db in databases("a_failed_run_is_recorded_and_its_error_returned_unchanged") {
        let tee = Tee::new(db.open());
        let err = run(
            &Failing,
            tee.clone(),
            None,
            &AnalysisKind::Cpu,
            RunOptions::traced("t-f"),
        )
        .await
        .expect_err("failing fails");
        assert_eq!(err.error_type(), "http_429");

        let stored = tee
            .store
            .list_runs(&Default::default(), Default::default())
            .await
            .expect("list");
        let [stored] = stored.runs.as_slice() else {
            panic!("{}: expected one run, got {:?}", db.label, stored.runs)
        };
        assert_eq!(
            *stored,
            as_stored(tee.memory.get(stored.id).expect("memory"))
        );
        assert_eq!(stored.status, RunStatus::Failed);
        assert_eq!(stored.error_type.as_deref(), Some("http_429"));
        assert_eq!(
            stored.error_message.as_deref(),
            Some("upstream returned HTTP 429: slow down")
        );
        assert_eq!(stored.recommendations, json!([]));
    }
}

#[tokio::test]
async fn a_panic_is_recorded_as_failed_and_resumed() {
    for db in databases("a_panic_is_recorded_as_failed_and_resumed") {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let caught = std::panic::AssertUnwindSafe(run(
            &Panicking,
            sink,
            None,
            &AnalysisKind::Automatic,
            RunOptions::traced("t-panic"),
        ))
        .catch_unwind()
        .await;
        assert!(caught.is_err(), "the panic reaches the caller");

        let page = store
            .list_runs(&Default::default(), Default::default())
            .await
            .expect("list");
        assert_eq!(page.runs.len(), 1, "{}", db.label);
        assert_eq!(page.runs[0].status, RunStatus::Failed);
        assert_eq!(page.runs[0].error_type.as_deref(), Some("panic"));
        assert!(
            page.runs[0]
                .error_message
                .as_deref()
                .unwrap_or_default()
                .contains("provider blew up")
        );
    }
}

#[tokio::test]
async fn a_dropped_run_is_recorded_as_cancelled() {
    for db in databases("a_dropped_run_is_recorded_as_cancelled") {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let id = intelligence_core::RunId::new();
        let options = RunOptions {
            run_id: Some(id),
            ..RunOptions::default()
        };
        let timed_out = tokio::time::timeout(
            Duration::from_millis(200),
            run(&Slow, sink, None, &AnalysisKind::Automatic, options),
        )
        .await;
        assert!(timed_out.is_err(), "the slow provider cannot finish");

        let stored = wait_terminal(&store, id).await;
        assert_eq!(stored.status, RunStatus::Failed, "{}", db.label);
        assert_eq!(stored.error_type.as_deref(), Some("cancelled"));
        assert_eq!(stored.error_message.as_deref(), Some(CANCELLED_MESSAGE));
    }
}

/// Each connection prepares the lifecycle updates once and reuses them
/// (`prepared.rs`): runs whose optional columns are set and runs whose
/// are null, interleaved on one store, each read back exactly as written.
#[tokio::test]
async fn runs_of_every_shape_interleaved_on_one_store_read_back_exactly() {
    for db in databases("runs_of_every_shape_interleaved_on_one_store_read_back_exactly") {
        for options in [StoreOptions::default(), per_step()] {
            let tee = Tee::new(db.open_with(&options));
            let mut ids = Vec::new();
            for round in 0..4 {
                let trace = format!("shape-{:?}-{round}", options.write_mode);
                let traced = || RunOptions::traced(trace.clone());
                let three = run(&Three, tee.clone(), None, &AnalysisKind::Memory, traced())
                    .await
                    .expect("three");
                let fallback = run(
                    &Fallbacking,
                    tee.clone(),
                    None,
                    &AnalysisKind::Cpu,
                    traced(),
                )
                .await
                .expect("fallback");
                let failed = run(
                    &Failing,
                    tee.clone(),
                    None,
                    &AnalysisKind::Automatic,
                    traced(),
                )
                .await
                .expect_err("failing");
                ids.extend([three.run_id, fallback.run_id]);
                let page = tee
                    .store
                    .list_runs(
                        &RunFilter {
                            trace_id: Some(trace.clone()),
                            status: Some(RunStatus::Failed),
                            ..RunFilter::default()
                        },
                        Default::default(),
                    )
                    .await
                    .expect("list");
                assert_eq!(page.runs.len(), 1, "{}: {failed}", db.label);
                ids.push(page.runs[0].id);
            }
            for id in ids {
                let stored = tee.store.get_run(id).await.expect("get").expect("stored");
                let written = as_stored(tee.memory.get(id).expect("memory"));
                assert_eq!(stored, written, "{} {:?}", db.label, options.write_mode);
            }
        }
    }
}

#[tokio::test]
async fn a_run_with_the_defaults_reads_back_with_empty_ids_and_no_incident() {
    for db in databases("a_run_with_the_defaults_reads_back_with_empty_ids_and_no_incident") {
        let tee = Tee::new(db.open());
        let outcome = run(
            &Three,
            tee.clone(),
            None,
            &AnalysisKind::Automatic,
            RunOptions::default(),
        )
        .await
        .expect("three succeeds");
        let stored = tee
            .store
            .get_run(outcome.run_id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(
            stored,
            as_stored(tee.memory.get(outcome.run_id).expect("memory")),
            "{}",
            db.label
        );
        assert_eq!(
            (stored.trace_id.as_str(), stored.pipeline_run_id.as_str()),
            ("", "")
        );
        assert_eq!(stored.incident_id, None);
        assert_eq!(stored.analysis_kind, "automatic");
        assert_eq!(stored.provider_config, json!({}));
    }
}

#[tokio::test]
async fn a_caller_chosen_run_id_and_a_disk_path_are_what_the_store_keeps() {
    for db in databases("a_caller_chosen_run_id_and_a_disk_path_are_what_the_store_keeps") {
        let tee = Tee::new(db.open_with(&per_step()));
        let id = intelligence_core::RunId::new();
        let options = RunOptions {
            run_id: Some(id),
            ..RunOptions::default()
        };
        let outcome = run(
            &Three,
            tee.clone(),
            None,
            &AnalysisKind::disk("/var/log/nginx"),
            options,
        )
        .await
        .expect("three succeeds");
        assert_eq!(outcome.run_id, id);
        let stored = tee.store.get_run(id).await.expect("get").expect("stored");
        assert_eq!(
            stored,
            as_stored(tee.memory.get(id).expect("memory")),
            "{}",
            db.label
        );
        assert_eq!(stored.analysis_kind, "disk");
        assert!(
            stored.input_summary.contains("/var/log/nginx"),
            "{}: {}",
            db.label,
            stored.input_summary
        );
    }
}

/// Fails with an upstream error that echoes the configured key and a URL
/// with credentials, as a misbehaving proxy might.
struct Echoing;

#[async_trait::async_trait]
impl intelligence_core::Provider for Echoing {
    fn name(&self) -> &str {
        "echoing"
    }

    fn description(&self) -> &str {
        "fails, echoing its secrets"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<intelligence_core::Analysis, intelligence_core::ProviderError> {
        Err(intelligence_core::ProviderError::Upstream(
            "key sk-echoed-secret-42 rejected by https://svc:hunter2222@proxy.internal/v1".into(),
        ))
    }
}

#[tokio::test]
async fn secrets_echoed_by_a_provider_never_reach_the_database() {
    const SECRETS: [&str; 3] = ["sk-echoed-secret-42", "hunter2222", "pa55phrase"];
    for db in databases("secrets_echoed_by_a_provider_never_reach_the_database") {
        let store = db.open();
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let options = RunOptions {
            trace_id: "t-echo".into(),
            config: json!({
                "api_key": "sk-echoed-secret-42",
                "upstreams": [{"name": "a", "credentials": {"passphrase": "pa55phrase"}}],
            }),
            ..RunOptions::default()
        };
        let err = run(&Echoing, sink, None, &AnalysisKind::Automatic, options)
            .await
            .expect_err("echoing fails");
        assert!(
            err.to_string().contains("sk-echoed-secret-42"),
            "the caller's error is unchanged"
        );

        let stored = store
            .list_runs(&RunFilter::default(), Default::default())
            .await
            .expect("list");
        let [stored] = stored.runs.as_slice() else {
            panic!("{}: one run expected", db.label)
        };
        let text = serde_json::to_string(stored).expect("json");
        for secret in SECRETS {
            assert!(!text.contains(secret), "{}: {secret} in {text}", db.label);
        }
        assert!(
            stored
                .error_message
                .as_deref()
                .is_some_and(|m| m.contains("rejected by https://")),
            "{}: the message is kept, scrubbed: {:?}",
            db.label,
            stored.error_message
        );
        drop(store);

        // Nothing on disk either: neither the SQLite file nor its WAL
        // (checkpointed into the file when the last connection closes)
        // holds a secret.
        if db.label == "sqlite" {
            let mut bytes = std::fs::read(&db.url).expect("read the database file");
            bytes.extend(std::fs::read(format!("{}-wal", db.url)).unwrap_or_default());
            assert!(
                bytes.windows(6).any(|w| w == b"t-echo"),
                "the run is in the file or its WAL"
            );
            for secret in SECRETS {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} is in the database file"
                );
            }
        }
    }
}
