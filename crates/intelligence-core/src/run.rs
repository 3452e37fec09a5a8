//! The audited [`run()`]: the only way adapters execute a provider.
//!
//! ```text
//!            create            mark_started          analyze() Ok
//!   (none) ─────────▶ pending ─────────────▶ running ───────────────▶ succeeded
//!                                               │  analyze() Err / panic
//!                                               ├───────────────────────▶ failed
//!                                               │  future dropped
//!                                               └───────────────────────▶ failed (cancelled)
//!   pending | running left by a crash ──── reap ──────────────────────▶ failed (abandoned)
//! ```
//!
//! Every sink write is best effort: a failure is logged with
//! `tracing::warn!` and never reaches the caller, and never changes what the
//! provider returned.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::FutureExt;
use serde_json::Value;
use tracing::Instrument;
use tracing::instrument::WithSubscriber;

use crate::audit::{AuditSink, NewRun, RunFailed, RunId, RunSucceeded, SinkError};
use crate::error::ProviderError;
use crate::incident::Incident;
use crate::kind::AnalysisKind;
use crate::provider::{Analysis, Provider};
use crate::redact::{Scrubber, redact};

/// The message recorded for a run whose future was dropped.
pub const CANCELLED_MESSAGE: &str = "run cancelled before the analysis finished";

/// Everything about a run besides the incident and the kind.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The id the record gets; fresh by default. Set it to know the id before
    /// the run ends.
    pub run_id: Option<RunId>,
    /// Correlates the run with other systems; empty by default.
    pub trace_id: String,
    /// The pipeline run that asked for it; empty by default.
    pub pipeline_run_id: String,
    /// A reference to the checker output that led here; empty by default.
    pub checker_output_ref: String,
    /// The provider configuration as given; it is redacted before any sink
    /// sees it, and never changed.
    pub config: Value,
}

impl RunOptions {
    /// Options with this trace id.
    pub fn traced(trace_id: impl Into<String>) -> Self {
        Self {
            trace_id: trace_id.into(),
            ..Self::default()
        }
    }
}

/// What a successful run returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The id of the run's record.
    pub run_id: RunId,
    /// Exactly what the provider returned.
    pub analysis: Analysis,
    /// How long `analyze()` took.
    pub duration: Duration,
}

/// Runs `provider.analyze(incident, kind)` and records it in `sink`.
///
/// The provider's result comes back unchanged: the recommendations on
/// success, the provider's own error on failure. A panic in `analyze()` is
/// recorded as `failed` and then resumed. Dropping the returned future before
/// it finishes records the run as `failed` with [`CANCELLED_MESSAGE`]; that
/// write is detached onto the current Tokio runtime (or a short-lived thread
/// when there is none).
pub async fn run(
    provider: &dyn Provider,
    sink: Arc<dyn AuditSink>,
    incident: Option<&Incident>,
    kind: &AnalysisKind,
    options: RunOptions,
) -> Result<RunOutcome, ProviderError> {
    let run_id = options.run_id.unwrap_or_default();
    // A WARN-level span: a subscriber that keeps only warnings still shows
    // which run (provider, run id, trace id) a sink's warning came from.
    let span = tracing::warn_span!(
        "run",
        provider = provider.name(),
        run_id = %run_id,
        trace_id = %options.trace_id,
    );
    lifecycle(provider, sink, incident, kind, options, run_id)
        .instrument(span)
        .await
}

async fn lifecycle(
    provider: &dyn Provider,
    sink: Arc<dyn AuditSink>,
    incident: Option<&Incident>,
    kind: &AnalysisKind,
    options: RunOptions,
    run_id: RunId,
) -> Result<RunOutcome, ProviderError> {
    let redacted = redact(&options.config);
    let scrubber = redacted.scrubber;
    let ctx = Ctx {
        provider: provider.name().to_owned(),
        trace_id: options.trace_id.clone(),
        run_id,
    };

    let new = NewRun {
        id: run_id,
        trace_id: options.trace_id,
        pipeline_run_id: options.pipeline_run_id,
        provider: ctx.provider.clone(),
        provider_config: redacted.config,
        incident_id: incident.map(|i| i.id),
        analysis_kind: kind.as_str().to_owned(),
        input_summary: scrubber.scrub(&input_summary(incident, kind)),
        checker_output_ref: options.checker_output_ref,
        created_at: Utc::now(),
    };
    let recorded = ctx.check("create", sink.create(&new).await);
    if !recorded {
        tracing::warn!(
            provider = %ctx.provider,
            run_id = %ctx.run_id,
            trace_id = %ctx.trace_id,
            "audit record could not be created; the analysis runs unrecorded"
        );
    }

    let started = Instant::now();
    let mut guard = CancelGuard {
        sink: recorded.then(|| Arc::clone(&sink)),
        ctx: ctx.clone(),
        started,
    };
    if recorded {
        ctx.check("mark_started", sink.mark_started(run_id, Utc::now()).await);
    }

    let result = AssertUnwindSafe(provider.analyze(incident, kind))
        .catch_unwind()
        .await;
    let duration = started.elapsed();
    let duration_ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
    // From here on the outcome is known: the terminal write below replaces
    // the guard's "cancelled" one, and is detached so that it completes even
    // if this future is dropped while it is under way.
    guard.sink = None;

    match result {
        Ok(Ok(analysis)) => {
            if recorded {
                let done = succeeded(&analysis, &scrubber, duration_ms);
                let sink = Arc::clone(&sink);
                let write = async move { sink.mark_succeeded(run_id, &done).await };
                ctx.check("mark_succeeded", detach(write).await);
            }
            tracing::debug!(
                duration_ms,
                recommendations = analysis.recommendations.len(),
                "run succeeded"
            );
            Ok(RunOutcome {
                run_id,
                analysis,
                duration,
            })
        }
        Ok(Err(err)) => {
            if recorded {
                let failed = RunFailed {
                    error_type: err.error_type().into_owned(),
                    error_message: scrubber.scrub(&err.to_string()),
                    completed_at: Utc::now(),
                    duration_ms,
                };
                let sink = Arc::clone(&sink);
                let write = async move { sink.mark_failed(run_id, &failed).await };
                ctx.check("mark_failed", detach(write).await);
            }
            tracing::debug!(duration_ms, error_type = %err.error_type(), "run failed");
            Err(err)
        }
        Err(payload) => {
            if recorded {
                let failed = RunFailed {
                    error_type: "panic".to_owned(),
                    error_message: scrubber.scrub(&format!(
                        "provider panicked: {}",
                        panic_message(payload.as_ref())
                    )),
                    completed_at: Utc::now(),
                    duration_ms,
                };
                let sink = Arc::clone(&sink);
                let write = async move { sink.mark_failed(run_id, &failed).await };
                ctx.check("mark_failed", detach(write).await);
            }
            std::panic::resume_unwind(payload)
        }
    }
}

fn succeeded(analysis: &Analysis, scrubber: &Scrubber, duration_ms: i64) -> RunSucceeded {
    let recommendations = serde_json::to_value(&analysis.recommendations)
        .map(|value| scrubber.scrub_value(&value))
        .unwrap_or_else(|err| Value::String(format!("unserialisable recommendations: {err}")));
    let first = analysis.recommendations.first();
    RunSucceeded {
        recommendations,
        recommendations_count: i64::try_from(analysis.recommendations.len()).unwrap_or(i64::MAX),
        summary: first.map(|r| scrubber.scrub(&r.title)).unwrap_or_default(),
        probable_cause: first
            .map(|r| scrubber.scrub(&r.description))
            .unwrap_or_default(),
        confidence: analysis.confidence,
        model_name: analysis.model.as_deref().map(|name| scrubber.scrub(name)),
        prompt_tokens: analysis.usage.prompt,
        completion_tokens: analysis.usage.completion,
        total_tokens: analysis.usage.total,
        fallback_used: analysis.fallback.is_some(),
        error_type: analysis.fallback.as_ref().map(|f| f.error_type.clone()),
        error_message: analysis
            .fallback
            .as_ref()
            .map(|f| scrubber.scrub(&f.message)),
        completed_at: Utc::now(),
        duration_ms,
    }
}

fn input_summary(incident: Option<&Incident>, kind: &AnalysisKind) -> String {
    match (incident, kind) {
        (Some(incident), AnalysisKind::Automatic) => incident.summary(),
        (Some(incident), kind) => format!("{} ({kind})", incident.summary()),
        (None, AnalysisKind::Automatic) => "general scan".to_owned(),
        (None, kind) => kind.to_string(),
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

/// Runs a terminal write so that it finishes even if the caller stops
/// polling: it is polled here first, and a sink that takes the step at once
/// (a queue, memory) is done before this returns; what is left runs on the
/// current Tokio runtime, or inline when there is none.
async fn detach<F>(write: F) -> Result<(), SinkError>
where
    F: Future<Output = Result<(), SinkError>> + Send + 'static,
{
    // The write keeps the run's span and the caller's subscriber, so that a
    // sink's own logs carry provider, run_id and trace_id, wherever the
    // rest of it runs.
    let mut write = Box::pin(write.in_current_span().with_current_subscriber());
    if let std::task::Poll::Ready(result) = futures::poll!(write.as_mut()) {
        return result;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => match handle.spawn(write).await {
            Ok(result) => result,
            Err(err) => Err(SinkError::with_source("audit write task failed", err)),
        },
        Err(_) => write.await,
    }
}

/// Starts `write` from a `Drop`, which cannot await: polls it once here, so
/// that a sink that takes the step at once has it before the drop returns
/// (a runtime shutting down next cannot lose it), then leaves the rest to
/// the current Tokio runtime, or to a short thread when there is none.
fn start_detached<F>(write: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut write = Box::pin(write.with_current_subscriber());
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    if write.as_mut().poll(&mut cx).is_ready() {
        return Ok(());
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(write);
            Ok(())
        }
        Err(_) => std::thread::Builder::new()
            .name("intelligence-cancel".to_owned())
            .spawn(move || futures::executor::block_on(write))
            .map(drop),
    }
}

/// The identities every log line of a run carries.
#[derive(Debug, Clone)]
struct Ctx {
    provider: String,
    trace_id: String,
    run_id: RunId,
}

impl Ctx {
    /// Logs a failed sink step once, here where it is handled; returns
    /// whether the step succeeded.
    fn check(&self, step: &'static str, result: Result<(), SinkError>) -> bool {
        match result {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(
                    provider = %self.provider,
                    run_id = %self.run_id,
                    trace_id = %self.trace_id,
                    step,
                    error = %err,
                    "audit sink failed"
                );
                false
            }
        }
    }
}

/// Marks the run failed as cancelled when the run future is dropped before
/// `analyze()` returned.
struct CancelGuard {
    sink: Option<Arc<dyn AuditSink>>,
    ctx: Ctx,
    started: Instant,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        let Some(sink) = self.sink.take() else {
            return;
        };
        if std::thread::panicking() {
            // A panic unwinding through here is not a cancellation; the
            // panic branch of `lifecycle` records it.
            return;
        }
        let ctx = self.ctx.clone();
        let failed = RunFailed {
            error_type: "cancelled".to_owned(),
            error_message: CANCELLED_MESSAGE.to_owned(),
            completed_at: Utc::now(),
            duration_ms: i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        let span = tracing::warn_span!(
            "run",
            provider = %ctx.provider,
            run_id = %ctx.run_id,
            trace_id = %ctx.trace_id,
        );
        let write = async move {
            let result = sink.mark_failed(ctx.run_id, &failed).await;
            ctx.check("mark_failed", result);
        }
        .instrument(span);
        if let Err(err) = start_detached(write) {
            tracing::warn!(
                provider = %self.ctx.provider,
                run_id = %self.ctx.run_id,
                trace_id = %self.ctx.trace_id,
                error = %err,
                "could not record the cancelled run"
            );
        }
    }
}
