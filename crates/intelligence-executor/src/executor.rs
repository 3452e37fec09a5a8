//! [`AnalyzeExecutor`]: resolves the provider and the incident for a stage,
//! executes the provider through the audited `run()`, and shapes the
//! outcome into an [`AnalyzeResult`].

use std::any::Any;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use intelligence_core::{
    Analysis, AnalysisKind, AuditSink, Incident, IncidentSource, Provider, ProviderRegistry, RunId,
    RunOptions, Scrubber, redact, run,
};
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::context::StageContext;
use crate::error::ExecutorError;
use crate::payload::StagePayload;
use crate::refusal::Refusal;
use crate::result::AnalyzeResult;

/// The analyze stage of an alert pipeline.
///
/// Built once from injected parts and shared (it is cheap to clone); each
/// [`AnalyzeExecutor::execute`] call leaves exactly one audit record in the
/// sink, whether the provider ran or the stage was refused before it could.
#[derive(Clone)]
pub struct AnalyzeExecutor {
    registry: ProviderRegistry,
    sink: Arc<dyn AuditSink>,
    incidents: Arc<dyn IncidentSource>,
    default_provider: String,
    fallback_enabled: bool,
}

impl fmt::Debug for AnalyzeExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnalyzeExecutor")
            .field("registry", &self.registry)
            .field("default_provider", &self.default_provider)
            .field("fallback_enabled", &self.fallback_enabled)
            .finish_non_exhaustive()
    }
}

/// What one attempt produced, before it is shaped into a result.
struct Attempt {
    provider: String,
    scrubber: Scrubber,
    outcome: Result<Analysis, ExecutorError>,
}

impl AnalyzeExecutor {
    /// An executor that uses `default_provider` when a payload names none,
    /// with fallback enabled.
    ///
    /// # Errors
    ///
    /// [`ExecutorError::UnknownDefaultProvider`] when `default_provider` is
    /// not in `registry`.
    pub fn new(
        registry: ProviderRegistry,
        sink: Arc<dyn AuditSink>,
        incidents: Arc<dyn IncidentSource>,
        default_provider: impl Into<String>,
    ) -> Result<Self, ExecutorError> {
        let default_provider = default_provider.into();
        if !registry.contains(&default_provider) {
            return Err(ExecutorError::UnknownDefaultProvider {
                name: default_provider,
                available: registry.names(),
            });
        }
        Ok(Self {
            registry,
            sink,
            incidents,
            default_provider,
            fallback_enabled: true,
        })
    }

    /// Sets whether a failed stage returns the fallback analysis (`true`,
    /// the default) or its error in [`AnalyzeResult::errors`].
    #[must_use]
    pub fn with_fallback(mut self, enabled: bool) -> Self {
        self.fallback_enabled = enabled;
        self
    }

    /// Whether a failed stage returns the fallback analysis.
    pub fn fallback_enabled(&self) -> bool {
        self.fallback_enabled
    }

    /// The provider used when a payload names none.
    pub fn default_provider(&self) -> &str {
        &self.default_provider
    }

    /// Runs the analyze stage for `ctx`.
    ///
    /// Never fails and never panics on bad input: an unreadable payload, an
    /// unknown provider, a missing incident, a provider error or a provider
    /// panic all become the fallback result (when enabled) or an entry in
    /// [`AnalyzeResult::errors`], and a `failed` audit record.
    pub async fn execute(&self, ctx: &StageContext) -> AnalyzeResult {
        let started = Instant::now();
        let run_id = RunId::new();
        let span = tracing::info_span!(
            "analyze_stage",
            trace_id = %ctx.trace_id,
            pipeline_run_id = %ctx.pipeline_run_id,
            run_id = %run_id,
        );

        async move {
            let attempt = self.attempt(ctx, run_id).await;
            let mut result = match attempt.outcome {
                Ok(analysis) => AnalyzeResult::from_analysis(
                    run_id,
                    &ctx.trace_id,
                    &attempt.provider,
                    &analysis,
                    &attempt.scrubber,
                ),
                Err(err) => {
                    let message = attempt.scrubber.scrub(&err.to_string());
                    tracing::warn!(
                        provider = %attempt.provider,
                        error_type = %err.error_type(),
                        error = %message,
                        fallback = self.fallback_enabled,
                        "analyze stage failed"
                    );
                    AnalyzeResult::from_error(
                        run_id,
                        &ctx.trace_id,
                        &attempt.provider,
                        message,
                        self.fallback_enabled,
                    )
                }
            };
            result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            result
        }
        .instrument(span)
        .await
    }

    async fn attempt(&self, ctx: &StageContext, run_id: RunId) -> Attempt {
        let empty = Value::Object(Map::new());
        let payload = match StagePayload::parse(&ctx.payload) {
            Ok(payload) => payload,
            Err(err) => {
                let provider = StagePayload::provider_hint(&ctx.payload)
                    .unwrap_or(&self.default_provider)
                    .to_owned();
                let refusal = Refusal {
                    run_id,
                    trace_id: &ctx.trace_id,
                    pipeline_run_id: &ctx.pipeline_run_id,
                    provider: &provider,
                    config: &empty,
                    incident_id: ctx.incident_id,
                    checker_output_ref: "",
                };
                refusal.record(Arc::clone(&self.sink), &err).await;
                return Attempt {
                    provider,
                    scrubber: Scrubber::default(),
                    outcome: Err(err),
                };
            }
        };

        let provider = payload
            .provider
            .clone()
            .unwrap_or_else(|| self.default_provider.clone());
        if !payload.stripped.is_empty() {
            tracing::warn!(
                provider = %provider,
                keys = ?payload.stripped,
                "dropped provider_config keys that name a url, host or path"
            );
        }
        let scrubber = redact(&payload.config).scrubber;
        let refusal = Refusal {
            run_id,
            trace_id: &ctx.trace_id,
            pipeline_run_id: &ctx.pipeline_run_id,
            provider: &provider,
            config: &payload.config,
            incident_id: ctx.incident_id,
            checker_output_ref: &payload.checker_output_ref,
        };

        let outcome = match self.prepare(&provider, &payload, ctx).await {
            Ok((built, incident)) => {
                let options = RunOptions {
                    run_id: Some(run_id),
                    trace_id: ctx.trace_id.clone(),
                    pipeline_run_id: ctx.pipeline_run_id.clone(),
                    checker_output_ref: payload.checker_output_ref.clone(),
                    config: payload.config.clone(),
                };
                let running = run(
                    built.as_ref(),
                    Arc::clone(&self.sink),
                    incident.as_ref(),
                    &AnalysisKind::Automatic,
                    options,
                );
                match AssertUnwindSafe(running).catch_unwind().await {
                    Ok(Ok(outcome)) => Ok(outcome.analysis),
                    Ok(Err(source)) => Err(ExecutorError::Provider {
                        provider: provider.clone(),
                        source,
                    }),
                    // run() has already recorded the panic as `failed`.
                    Err(panic) => Err(ExecutorError::ProviderPanicked {
                        provider: provider.clone(),
                        message: panic_message(panic.as_ref()),
                    }),
                }
            }
            Err(err) => {
                refusal.record(Arc::clone(&self.sink), &err).await;
                Err(err)
            }
        };

        Attempt {
            provider,
            scrubber,
            outcome,
        }
    }

    /// Builds the provider and loads the incident: everything that can fail
    /// before `run()` is called.
    async fn prepare(
        &self,
        provider: &str,
        payload: &StagePayload,
        ctx: &StageContext,
    ) -> Result<(Arc<dyn Provider>, Option<Incident>), ExecutorError> {
        let built = self
            .registry
            .build(provider, &payload.config)
            .map_err(|source| ExecutorError::Build {
                provider: provider.to_owned(),
                source,
            })?;

        let incident = match ctx.incident_id {
            None => None,
            Some(id) => match self.incidents.get(id).await {
                Ok(Some(incident)) => Some(incident),
                Ok(None) => return Err(ExecutorError::IncidentNotFound(id)),
                Err(source) => return Err(ExecutorError::IncidentSource { id, source }),
            },
        };
        Ok((built, incident))
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
