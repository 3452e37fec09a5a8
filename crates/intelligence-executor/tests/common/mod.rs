//! Shared test parts: a scriptable provider, an incident source over a map,
//! and an executor wired to a memory sink.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, AuditSink, Fallback, Incident, IncidentId, IncidentSource, MemorySink,
    Priority, Provider, ProviderError, ProviderRegistry, Recommendation, RecommendationType,
    SourceError, TokenUsage,
};
use intelligence_executor::AnalyzeExecutor;
use serde_json::Value;

/// What a scripted provider does when it analyses.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Answers with two recommendations about the incident (or a scan).
    Answer,
    /// Fails with an upstream error that echoes the configured `api_key`.
    Fail,
    /// Panics.
    Panic,
    /// Answers with the provider's own fallback recommendation.
    OwnFallback,
}

/// A provider whose behaviour the test picks, named as registered.
pub struct Scripted {
    name: String,
    behaviour: Behaviour,
    api_key: String,
}

#[async_trait]
impl Provider for Scripted {
    fn name(&self) -> &str {
        &self.name
    }

    fn description(&self) -> &str {
        "a provider scripted by the test"
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        match self.behaviour {
            Behaviour::Answer => {
                let subject =
                    incident.map_or_else(|| "general scan".to_owned(), |i| i.title.clone());
                let first = Recommendation::new(
                    RecommendationType::Memory,
                    Priority::High,
                    format!("{}: {subject}", self.name),
                    "a process leaks memory",
                )
                .with_actions(["restart the worker", "add a memory limit"])
                .with_incident(incident.map(|i| i.id));
                let second =
                    Recommendation::new(RecommendationType::Cpu, Priority::Low, "cpu fine", "idle")
                        .with_actions(["add a memory limit", "nothing to do"]);
                Ok(Analysis {
                    recommendations: vec![first, second],
                    model: Some(format!("{}-model", self.name)),
                    usage: TokenUsage {
                        prompt: Some(7),
                        completion: Some(3),
                        total: Some(10),
                    },
                    confidence: None,
                    fallback: None,
                })
            }
            Behaviour::Fail => Err(ProviderError::Upstream(format!(
                "key {} rejected by upstream",
                self.api_key
            ))),
            Behaviour::Panic => panic!("scripted provider blew up"),
            Behaviour::OwnFallback => {
                let err = ProviderError::Http {
                    status: 503,
                    message: "unavailable".into(),
                };
                let rec = Recommendation::new(
                    RecommendationType::General,
                    Priority::Medium,
                    "analysis unavailable",
                    "the model could not be reached",
                );
                Ok(Analysis {
                    fallback: Some(Fallback::from(&err)),
                    ..Analysis::new(vec![rec])
                })
            }
        }
    }
}

/// The configurations each factory was called with, in order.
pub type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// A registry of scripted providers: `alpha` and `beta` answer, `failing`
/// fails, `panicking` panics, `degraded` answers with its own fallback.
/// Every factory records the configuration it is given; a non-number
/// `top_n` is refused as a configuration error.
pub fn registry(seen: &Seen) -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    for (name, behaviour) in [
        ("alpha", Behaviour::Answer),
        ("beta", Behaviour::Answer),
        ("failing", Behaviour::Fail),
        ("panicking", Behaviour::Panic),
        ("degraded", Behaviour::OwnFallback),
    ] {
        let seen = Arc::clone(seen);
        registry.register(name, "scripted", move |config: &Value| {
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((name.to_owned(), config.clone()));
            if config.get("top_n").is_some_and(|v| !v.is_u64()) {
                return Err(ProviderError::Config(format!(
                    "top_n must be a whole number, got {}",
                    config["top_n"]
                )));
            }
            let api_key = config
                .get("api_key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Ok(Arc::new(Scripted {
                name: name.to_owned(),
                behaviour,
                api_key,
            }) as Arc<dyn Provider>)
        });
    }
    registry
}

/// Incidents kept in a map; `broken` makes every lookup fail.
#[derive(Default)]
pub struct Incidents {
    pub incidents: HashMap<IncidentId, Incident>,
    pub broken: bool,
}

impl Incidents {
    /// A source holding incident 42, "api latency".
    pub fn with_42() -> Self {
        let mut incidents = HashMap::new();
        incidents.insert(42, Incident::new(42, "api latency"));
        Self {
            incidents,
            broken: false,
        }
    }
}

#[async_trait]
impl IncidentSource for Incidents {
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, SourceError> {
        if self.broken {
            return Err(SourceError::new("connection refused"));
        }
        Ok(self.incidents.get(&id).cloned())
    }
}

/// An executor over [`registry`] with `alpha` as the default, the given
/// sink and incident 42.
pub struct Fixture {
    pub executor: AnalyzeExecutor,
    pub sink: Arc<MemorySink>,
    pub seen: Seen,
}

impl Fixture {
    pub fn new(fallback: bool) -> Self {
        Self::with_incidents(fallback, Incidents::with_42())
    }

    pub fn with_incidents(fallback: bool, incidents: Incidents) -> Self {
        let seen = Seen::default();
        let sink = Arc::new(MemorySink::new());
        let executor = AnalyzeExecutor::new(
            registry(&seen),
            Arc::clone(&sink) as Arc<dyn AuditSink>,
            Arc::new(incidents),
            "alpha",
        )
        .expect("alpha is registered")
        .with_fallback(fallback);
        Self {
            executor,
            sink,
            seen,
        }
    }

    /// The configurations the factories were given.
    pub fn seen(&self) -> Vec<(String, Value)> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
