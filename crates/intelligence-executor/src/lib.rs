//! The "analyze" stage of an alert pipeline, on top of the audited
//! [`intelligence_core::run()`].
//!
//! The pipeline hands [`AnalyzeExecutor::execute`] a [`StageContext`]: a
//! trace id, a pipeline run id, an incident id and a JSON payload naming the
//! provider (`provider`) and its settings (`provider_config`). The executor
//! picks the provider from its injected [`ProviderRegistry`], loads the
//! incident from its injected [`IncidentSource`], runs the provider through
//! `run()` so that the audit record carries the pipeline's ids, and returns
//! an [`AnalyzeResult`]: summary, probable cause, actions, confidence, model
//! info, an output reference and the duration.
//!
//! `execute()` cannot fail: when the provider cannot be resolved or fails,
//! the result is a fallback analysis (the default) or carries the error in
//! [`AnalyzeResult::errors`]. Either way the stage leaves exactly one audit
//! record.
//!
//! [`ProviderRegistry`]: intelligence_core::ProviderRegistry
//! [`IncidentSource`]: intelligence_core::IncidentSource
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//!
//! use async_trait::async_trait;
//! use intelligence_core::{
//!     Analysis, AnalysisKind, Incident, IncidentId, IncidentSource, MemorySink, Priority,
//!     Provider, ProviderError, ProviderRegistry, Recommendation, RecommendationType,
//!     SourceError,
//! };
//! use intelligence_executor::{AnalyzeExecutor, StageContext};
//! use serde_json::json;
//!
//! struct Echo;
//!
//! #[async_trait]
//! impl Provider for Echo {
//!     fn name(&self) -> &str {
//!         "echo"
//!     }
//!     fn description(&self) -> &str {
//!         "answers with the incident's title"
//!     }
//!     async fn analyze(
//!         &self,
//!         incident: Option<&Incident>,
//!         _kind: &AnalysisKind,
//!     ) -> Result<Analysis, ProviderError> {
//!         let title = incident.map_or("all quiet", |i| i.title.as_str());
//!         let rec = Recommendation::new(RecommendationType::General, Priority::Low, title, "echoed")
//!             .with_actions(["look at it"]);
//!         Ok(Analysis::new(vec![rec]))
//!     }
//! }
//!
//! struct OneIncident;
//!
//! #[async_trait]
//! impl IncidentSource for OneIncident {
//!     async fn get(&self, id: IncidentId) -> Result<Option<Incident>, SourceError> {
//!         Ok((id == 7).then(|| Incident::new(7, "disk full on db-1")))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mut registry = ProviderRegistry::new();
//! registry.register("echo", "echoes", |_| Ok(Arc::new(Echo)));
//! let sink = Arc::new(MemorySink::new());
//! let executor = AnalyzeExecutor::new(registry, sink.clone(), Arc::new(OneIncident), "echo")
//!     .expect("echo is registered");
//!
//! let ctx = StageContext::new("trace-1", "pipeline-9")
//!     .with_incident(7)
//!     .with_payload(json!({"provider_config": {"api_key": "sk-secret"}}));
//! let result = executor.execute(&ctx).await;
//! assert_eq!(result.summary, "disk full on db-1");
//! assert_eq!(result.output_ref, format!("intelligence:trace-1:{}:analyze", result.run_id));
//!
//! let record = sink.get(result.run_id).expect("one record per stage");
//! assert_eq!(record.pipeline_run_id, "pipeline-9");
//! assert_eq!(record.provider_config["api_key"], "***");
//!
//! let unknown = executor
//!     .execute(&ctx.clone().with_payload(json!({"provider": "nope"})))
//!     .await;
//! assert!(unknown.fallback_used);
//! assert_eq!(unknown.summary, "AI analysis unavailable");
//! # }
//! ```

mod context;
mod error;
mod executor;
mod payload;
mod refusal;
mod result;

pub use context::StageContext;
pub use error::ExecutorError;
pub use executor::AnalyzeExecutor;
pub use payload::{LOCATION_KEY_PARTS, is_location_key, strip_location_keys};
pub use result::{
    AnalyzeResult, DEFAULT_CONFIDENCE, FALLBACK_ACTION, FALLBACK_PROBABLE_CAUSE, FALLBACK_SUMMARY,
    ModelInfo, output_ref,
};
