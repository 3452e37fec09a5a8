//! The provider as adapters use it: registered by name, configured by a
//! request's JSON, refusing bad input, and dispatching incidents by type.

use std::sync::Arc;

use intelligence_core::{
    Alert, AnalysisKind, Incident, MemorySink, Provider, ProviderError, ProviderRegistry,
    RecommendationType, RunOptions, RunStatus, run,
};
use intelligence_local::{LocalProvider, LocalSettings, NAME, register};
use serde_json::json;

#[test]
fn registers_under_its_name_and_applies_overrides() {
    let mut registry = ProviderRegistry::new();
    register(&mut registry, LocalSettings::default());
    assert!(registry.contains(NAME));
    assert_eq!(NAME, "local");
    let info = &registry.list()[0];
    assert!(!info.description.is_empty());

    let provider = registry
        .build(
            NAME,
            &json!({"top_n": 2, "threshold_mb": 0.5, "scan_paths": ["/etc"]}),
        )
        .expect("valid config");
    assert_eq!(provider.name(), "local");

    let err = registry
        .build(NAME, &json!({"threshold_mb": -5}))
        .err()
        .expect("negative threshold");
    assert!(matches!(err, ProviderError::Config(_)), "{err:?}");
    assert!(err.is_bad_input());
}

#[test]
fn new_refuses_invalid_settings() {
    let err = LocalProvider::new(LocalSettings {
        threshold_mb: f64::NAN,
        ..LocalSettings::default()
    })
    .expect_err("NaN threshold");
    assert!(err.to_string().contains("threshold_mb"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn top_n_limits_the_processes_listed() {
    let provider = LocalProvider::new(LocalSettings {
        top_n: 2,
        ..LocalSettings::default()
    })
    .expect("valid");
    let analysis = provider
        .analyze(None, &AnalysisKind::Memory)
        .await
        .expect("memory");
    let listed = analysis.recommendations[0].details["top_processes"]
        .as_array()
        .expect("array")
        .len();
    assert!((1..=2).contains(&listed), "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn incidents_are_dispatched_by_type_and_carry_their_id() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let provider = LocalProvider::new(LocalSettings {
        allowed_roots: vec![tmp.path().to_owned()],
        ..LocalSettings::default()
    })
    .expect("valid");

    let mut cpu = Incident::new(5, "Alert fired");
    cpu.alerts.push(Alert {
        name: "HighCPULoad".into(),
        description: String::new(),
    });
    let analysis = provider
        .analyze(Some(&cpu), &AnalysisKind::Automatic)
        .await
        .expect("cpu");
    assert_eq!(analysis.recommendations[0].kind, RecommendationType::Cpu);
    assert_eq!(analysis.recommendations[0].incident_id, Some(5));

    let mut disk = Incident::new(6, "Disk almost full");
    disk.metadata = json!({"path": tmp.path()});
    let analysis = provider
        .analyze(Some(&disk), &AnalysisKind::Automatic)
        .await
        .expect("disk");
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::Disk);
    assert_eq!(rec.title, "Disk Health Check");
    assert_eq!(rec.incident_id, Some(6));
    let scanned = std::fs::canonicalize(tmp.path()).expect("canonical");
    assert_eq!(rec.details["scanned_path"], scanned.display().to_string());

    disk.metadata = json!({"path": "/etc"});
    let err = provider
        .analyze(Some(&disk), &AnalysisKind::Automatic)
        .await
        .expect_err("outside the roots");
    assert!(
        matches!(err, ProviderError::PathNotAllowed { .. }),
        "{err:?}"
    );

    disk.metadata = json!({"path": 42});
    let err = provider
        .analyze(Some(&disk), &AnalysisKind::Automatic)
        .await
        .expect_err("not a string");
    assert!(err.is_bad_input(), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_general_scan_answers_without_an_incident() {
    let provider = LocalProvider::new(LocalSettings::default()).expect("valid");
    let sink = Arc::new(MemorySink::new());
    let outcome = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        RunOptions::default(),
    )
    .await
    .expect("general scan");
    assert!(!outcome.analysis.recommendations.is_empty());
    let record = sink.get(outcome.run_id).expect("recorded");
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(record.analysis_kind, "automatic");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_path_fails_the_run_as_bad_input() {
    let provider = LocalProvider::new(LocalSettings::default()).expect("valid");
    let sink = Arc::new(MemorySink::new());
    let err = run(
        &provider,
        sink.clone(),
        None,
        &AnalysisKind::disk("/etc/../etc"),
        RunOptions::default(),
    )
    .await
    .expect_err("outside the roots");
    assert!(err.is_bad_input());
    let record = &sink.runs()[0];
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error_type.as_deref(), Some("path_not_allowed"));
}
