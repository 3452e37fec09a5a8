//! A fixture shared by the integration tests: a real SQLite store in a
//! temporary directory, a registry with the real local provider and small
//! test providers, and helpers to call the router in-process.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixture"
)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use intelligence_core::{
    Analysis, AnalysisKind, Incident, Priority, Provider, ProviderError, ProviderRegistry,
    Recommendation, RecommendationType,
};
use intelligence_local::LocalSettings;
use intelligence_store::{NewIncident, Store};
use intelligence_views::{AppState, ViewSettings, router};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::Notify;
use tower::ServiceExt;

/// Answers with one recommendation naming the incident (or "general").
pub struct Echo;

#[async_trait]
impl Provider for Echo {
    fn name(&self) -> &str {
        "echo"
    }

    fn description(&self) -> &str {
        "echoes the incident title"
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let title = incident.map_or_else(|| format!("general {kind}"), |i| i.title.clone());
        let rec = Recommendation::new(RecommendationType::General, Priority::Low, title, "echo")
            .with_incident(incident.map(|i| i.id));
        Ok(Analysis::new(vec![rec]))
    }
}

/// Never finishes; tells the test when it has started.
pub struct Slow(pub Arc<Notify>);

#[async_trait]
impl Provider for Slow {
    fn name(&self) -> &str {
        "slow"
    }

    fn description(&self) -> &str {
        "never finishes"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        self.0.notify_one();
        std::future::pending::<()>().await;
        Ok(Analysis::default())
    }
}

/// Everything a test needs; the directory lives as long as the fixture.
pub struct Fixture {
    pub dir: TempDir,
    pub store: Store,
    pub state: AppState,
    /// The configs the `echo` factory was built with.
    pub configs: Arc<Mutex<Vec<Value>>>,
    /// Notified when the `slow` provider starts.
    pub slow_started: Arc<Notify>,
    /// The only root disk paths may resolve inside.
    pub allowed: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        Self::build(|_| {}, ViewSettings::default())
    }

    pub fn with_settings(settings: ViewSettings) -> Self {
        Self::build(|_| {}, settings)
    }

    pub fn with_registry(extra: impl FnOnce(&mut ProviderRegistry)) -> Self {
        Self::build(extra, ViewSettings::default())
    }

    fn build(extra: impl FnOnce(&mut ProviderRegistry), mut settings: ViewSettings) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let allowed = dir.path().join("allowed");
        std::fs::create_dir_all(allowed.join("logs")).expect("mkdir");
        let allowed = std::fs::canonicalize(&allowed).expect("canonical");
        settings.local = LocalSettings {
            allowed_roots: vec![allowed.clone()],
            default_disk_path: allowed.clone(),
            ..LocalSettings::default()
        };

        let db = dir.path().join("runs.db");
        let store = Store::open(db.to_str().expect("utf-8 path")).expect("open store");

        let configs = Arc::new(Mutex::new(Vec::new()));
        let slow_started = Arc::new(Notify::new());
        let mut registry = ProviderRegistry::new();
        intelligence_local::register(&mut registry, settings.local.clone());
        let seen = Arc::clone(&configs);
        registry.register("echo", "echoes the incident title", move |config| {
            seen.lock().expect("lock").push(config.clone());
            Ok(Arc::new(Echo))
        });
        let started = Arc::clone(&slow_started);
        registry.register("slow", "never finishes", move |_| {
            Ok(Arc::new(Slow(Arc::clone(&started))))
        });
        extra(&mut registry);

        let state = AppState::from_store(registry, store.clone(), settings);
        Self {
            dir,
            store,
            state,
            configs,
            slow_started,
            allowed,
        }
    }

    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    pub async fn incident(&self, title: &str) -> Incident {
        self.store
            .add_incident(NewIncident::new(title))
            .await
            .expect("add incident")
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post(&self, uri: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .expect("request");
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, text) = self.send_text(request).await;
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("not JSON ({err}), status {status}: {text}"));
        (status, value)
    }

    pub async fn send_text(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, String::from_utf8(bytes.to_vec()).expect("utf-8"))
    }
}

/// Asserts a 4xx JSON error whose message contains `needle`.
pub fn assert_client_error(status: StatusCode, body: &Value, needle: &str) {
    assert!(status.is_client_error(), "status {status}: {body}");
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error string in {body}"));
    assert!(
        message.contains(needle),
        "{needle:?} not in error {message:?}"
    );
}

/// `count` recorded runs: every third failed, the rest succeeded; providers
/// alternate between `local` and `openai`; one minute apart, oldest first.
pub fn sample_runs(count: usize) -> Vec<intelligence_core::AnalysisRun> {
    use chrono::{Duration, Utc};
    use intelligence_core::{AnalysisRun, NewRun, RunFailed, RunId, RunSucceeded};

    let start = Utc::now() - Duration::days(1);
    (0..count)
        .map(|i| {
            let offset = i64::try_from(i).expect("small");
            let created_at = start + Duration::minutes(offset);
            let new = NewRun {
                id: RunId::new(),
                trace_id: format!("trace-{i}"),
                pipeline_run_id: format!("pipe-{i}"),
                provider: if i % 2 == 0 { "local" } else { "openai" }.to_owned(),
                provider_config: serde_json::json!({"model": "m", "api_key": "***"}),
                incident_id: (i % 2 == 1).then_some(offset),
                analysis_kind: "memory".to_owned(),
                input_summary: format!("sample {i}"),
                checker_output_ref: String::new(),
                created_at,
            };
            let mut run = AnalysisRun::from_new(&new);
            run.apply_started(created_at);
            let completed_at = created_at + Duration::milliseconds(1500);
            if i % 3 == 2 {
                run.apply_failed(&RunFailed {
                    error_type: "timeout".to_owned(),
                    error_message: format!("run {i} timed out"),
                    completed_at,
                    duration_ms: 1500,
                });
            } else {
                run.apply_succeeded(&RunSucceeded {
                    recommendations: serde_json::json!([{"title": format!("finding {i}")}]),
                    recommendations_count: 1,
                    summary: format!("finding {i}"),
                    probable_cause: "sampled".to_owned(),
                    confidence: Some(0.5),
                    model_name: Some("m".to_owned()),
                    prompt_tokens: Some(10),
                    completion_tokens: Some(5),
                    total_tokens: Some(15),
                    fallback_used: false,
                    error_type: None,
                    error_message: None,
                    completed_at,
                    duration_ms: 1500,
                });
            }
            run
        })
        .collect()
}
