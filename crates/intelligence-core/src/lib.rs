//! The core of `intelligence`: the [`Provider`] trait, the values it works
//! with ([`Recommendation`], [`Incident`], [`AnalysisKind`]), the
//! [`AuditSink`] trait and the audited [`run()`] lifecycle, and redaction.
//!
//! Every caller (the CLI, the HTTP views, the pipeline executor, other Rust
//! services) executes providers through [`run()`], so every execution leaves
//! exactly one audit record: `pending`, `running`, then `succeeded` or
//! `failed`, with the provider configuration's secrets masked. Writing the
//! record never breaks or changes the analysis.
//!
//! This crate does no I/O of its own besides what a sink does.
//!
//! # Example
//!
//! A custom provider run through [`run()`] with the in-memory sink:
//!
//! ```
//! use std::sync::Arc;
//!
//! use async_trait::async_trait;
//! use intelligence_core::{
//!     Analysis, AnalysisKind, Incident, MemorySink, Priority, Provider, ProviderError,
//!     Recommendation, RecommendationType, RunOptions, RunStatus, run,
//! };
//!
//! struct Echo;
//!
//! #[async_trait]
//! impl Provider for Echo {
//!     fn name(&self) -> &str {
//!         "echo"
//!     }
//!
//!     fn description(&self) -> &str {
//!         "answers every incident with its own title"
//!     }
//!
//!     async fn analyze(
//!         &self,
//!         incident: Option<&Incident>,
//!         _kind: &AnalysisKind,
//!     ) -> Result<Analysis, ProviderError> {
//!         let title = incident.map_or("nothing to do", |i| i.title.as_str());
//!         let rec = Recommendation::new(RecommendationType::General, Priority::Low, title, "echoed")
//!             .with_incident(incident.map(|i| i.id));
//!         Ok(Analysis::new(vec![rec]))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let sink = Arc::new(MemorySink::new());
//! let incident = Incident::new(42, "disk full on db-1");
//! let options = RunOptions {
//!     trace_id: "trace-1".into(),
//!     config: serde_json::json!({"api_key": "sk-secret", "model": "x"}),
//!     ..RunOptions::default()
//! };
//!
//! let outcome = run(&Echo, sink.clone(), Some(&incident), &AnalysisKind::Automatic, options)
//!     .await
//!     .expect("echo never fails");
//! assert_eq!(outcome.analysis.recommendations[0].title, "disk full on db-1");
//!
//! let record = sink.get(outcome.run_id).expect("recorded");
//! assert_eq!(record.status, RunStatus::Succeeded);
//! assert_eq!(record.incident_id, Some(42));
//! assert_eq!(record.provider_config["api_key"], "***");
//! # }
//! ```

pub mod audit;
pub mod error;
pub mod incident;
pub mod json;
pub mod kind;
pub mod provider;
pub mod recommendation;
pub mod redact;
pub mod registry;
pub mod run;
pub mod sink;

#[cfg(any(test, feature = "mock"))]
pub use audit::MockAuditSink;
pub use audit::{
    AnalysisRun, AuditSink, NewRun, ParseStatusError, RunFailed, RunId, RunStatus, RunSucceeded,
    SinkError,
};
pub use error::ProviderError;
pub use incident::{Alert, Incident, IncidentId, IncidentSource, SourceError};
pub use kind::{AnalysisKind, ParseKindError};
pub use provider::{Analysis, Fallback, Provider, TokenUsage};
pub use recommendation::{Priority, Recommendation, RecommendationType, UnknownVariant};
pub use redact::{Redacted, Scrubber, redact, strip_keys};
pub use registry::{ProviderFactory, ProviderInfo, ProviderRegistry};
pub use run::{CANCELLED_MESSAGE, RunOptions, RunOutcome, run};
pub use sink::{MemorySink, NoopSink};
