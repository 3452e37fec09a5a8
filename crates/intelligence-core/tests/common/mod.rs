//! Shared test doubles: a scriptable provider and a tracing capture.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, Incident, Priority, Provider, ProviderError, Recommendation,
    RecommendationType,
};

/// What the scripted provider does when called.
pub enum Behaviour {
    /// Returns this analysis.
    Answer(Analysis),
    /// Returns an error built by this function.
    Fail(fn() -> ProviderError),
    /// Panics with this message.
    Panic(&'static str),
    /// Never finishes.
    Hang,
}

/// A provider that does what it is told and remembers what it was asked.
pub struct Scripted {
    pub behaviour: Behaviour,
    pub seen: Mutex<Vec<(Option<Incident>, AnalysisKind)>>,
}

impl Scripted {
    pub fn new(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            seen: Mutex::new(Vec::new()),
        }
    }

    pub fn answering(recommendations: Vec<Recommendation>) -> Self {
        Self::new(Behaviour::Answer(Analysis::new(recommendations)))
    }
}

#[async_trait]
impl Provider for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn description(&self) -> &str {
        "does what the test says"
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        self.seen
            .lock()
            .expect("not poisoned")
            .push((incident.cloned(), kind.clone()));
        match &self.behaviour {
            Behaviour::Answer(analysis) => Ok(analysis.clone()),
            Behaviour::Fail(make) => Err(make()),
            Behaviour::Panic(message) => panic!("{message}"),
            Behaviour::Hang => std::future::pending().await,
        }
    }
}

/// Three recommendations with some detail.
pub fn three() -> Vec<Recommendation> {
    (1..=3)
        .map(|i| {
            Recommendation::new(
                RecommendationType::Memory,
                Priority::High,
                format!("title {i}"),
                format!("description {i}"),
            )
            .with_details(serde_json::json!({"rank": i, "nested": {"list": [1, 2.5, "x"]}}))
            .with_actions([format!("action {i}")])
        })
        .collect()
}

/// Collects everything a fmt subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a capturing subscriber on this thread; keep the guard alive.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}
