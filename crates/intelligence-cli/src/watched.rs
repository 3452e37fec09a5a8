//! An audit sink wrapper that remembers the first write that failed, and
//! which steps of each run landed, so that the command can print one warning
//! saying exactly what is and is not recorded, instead of a log line per
//! step.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use intelligence_core::{AuditSink, NewRun, RunFailed, RunId, RunSucceeded, SinkError};

/// Passes every write on to the inner sink and keeps the first error.
pub struct WatchedSink {
    inner: Arc<dyn AuditSink>,
    first_error: Mutex<Option<String>>,
    /// Every run seen, in order, with the steps that landed.
    runs: Mutex<Vec<(RunId, Landed)>>,
}

/// The steps of one run that the inner sink accepted, and whether any
/// failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Landed {
    created: bool,
    started: bool,
    finished: bool,
    failed: bool,
}

/// Which step a write was.
#[derive(Debug, Clone, Copy)]
enum Step {
    Create,
    Start,
    Succeed,
    Fail,
}

impl Step {
    /// How the warning names it.
    fn name(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Start => "mark started",
            Step::Succeed => "mark succeeded",
            Step::Fail => "mark failed",
        }
    }
}

impl WatchedSink {
    /// Watches `inner`.
    pub fn new(inner: Arc<dyn AuditSink>) -> Self {
        Self {
            inner,
            first_error: Mutex::new(None),
            runs: Mutex::new(Vec::new()),
        }
    }

    /// What is and is not recorded, one clause per run whose record is
    /// incomplete (`None` when every write landed): a run not created is not
    /// recorded; a run whose outcome did not land is left `pending` or
    /// `running`, without its outcome or recommendations, for `runs reap`;
    /// a run whose start did not land has its outcome but no start time.
    pub fn gaps(&self) -> Option<String> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let clauses: Vec<String> = runs
            .iter()
            .filter(|(_, landed)| landed.failed)
            .map(|(id, landed)| match landed {
                Landed { created: false, .. } => format!("run {id} is not recorded"),
                Landed {
                    finished: false,
                    started,
                    ..
                } => format!(
                    "run {id} is recorded as {} without its outcome or recommendations \
                     (`intelligence runs reap` closes it later)",
                    if *started { "running" } else { "pending" }
                ),
                Landed { started: false, .. } => {
                    format!("run {id} is recorded with its outcome but without its start time")
                }
                Landed { .. } => format!("run {id} is recorded"),
            })
            .collect();
        (!clauses.is_empty()).then(|| clauses.join("; "))
    }

    fn land(&self, id: RunId, step: Step, ok: bool) {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let index = match runs.iter().position(|(seen, _)| *seen == id) {
            Some(index) => index,
            None => {
                runs.push((id, Landed::default()));
                runs.len() - 1
            }
        };
        let landed = &mut runs[index].1;
        match (step, ok) {
            (_, false) => landed.failed = true,
            (Step::Create, true) => landed.created = true,
            (Step::Start, true) => landed.started = true,
            (Step::Succeed | Step::Fail, true) => landed.finished = true,
        }
    }

    /// The first write that failed, if any, with its step.
    pub fn first_error(&self) -> Option<String> {
        self.first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn watch(&self, id: RunId, step: Step, result: Result<(), SinkError>) -> Result<(), SinkError> {
        self.land(id, step, result.is_ok());
        if let Err(err) = &result {
            let mut first = self
                .first_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if first.is_none() {
                *first = Some(format!("{}: {}", step.name(), error_chain(err)));
            }
        }
        result
    }
}

/// The error and its sources on one line.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let chain = std::iter::successors(Some(err), |e| e.source()).map(ToString::to_string);
    crate::exit::one_line(chain)
}

#[async_trait]
impl AuditSink for WatchedSink {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        let result = self.inner.create(run).await;
        self.watch(run.id, Step::Create, result)
    }

    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError> {
        let result = self.inner.mark_started(id, started_at).await;
        self.watch(id, Step::Start, result)
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        let result = self.inner.mark_succeeded(id, done).await;
        self.watch(id, Step::Succeed, result)
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        let result = self.inner.mark_failed(id, failed).await;
        self.watch(id, Step::Fail, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::MemorySink;

    #[test]
    fn keeps_only_the_first_failure() {
        let sink = WatchedSink::new(Arc::new(MemorySink::new()));
        let id = RunId::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            // Neither record exists, so both writes fail.
            let _ = sink.mark_started(id, Utc::now()).await;
            let _ = sink
                .mark_failed(
                    id,
                    &RunFailed {
                        error_type: "x".into(),
                        error_message: "y".into(),
                        completed_at: Utc::now(),
                        duration_ms: 0,
                    },
                )
                .await;
        });
        let first = sink.first_error().expect("an error");
        assert!(first.starts_with("mark started: no run"), "{first}");
    }

    fn new_run(id: RunId) -> NewRun {
        NewRun {
            id,
            trace_id: "t".into(),
            pipeline_run_id: String::new(),
            provider: "local".into(),
            provider_config: serde_json::json!({}),
            incident_id: None,
            analysis_kind: "memory".into(),
            input_summary: "memory".into(),
            checker_output_ref: String::new(),
            created_at: Utc::now(),
        }
    }

    fn failed() -> RunFailed {
        RunFailed {
            error_type: "x".into(),
            error_message: "y".into(),
            completed_at: Utc::now(),
            duration_ms: 0,
        }
    }

    /// A sink that refuses every write once locked, as a database locked
    /// part-way through a run does.
    #[derive(Default)]
    struct Lockable {
        inner: MemorySink,
        locked: std::sync::atomic::AtomicBool,
    }

    impl Lockable {
        fn check(&self) -> Result<(), SinkError> {
            if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(SinkError::msg("database is locked"));
            }
            Ok(())
        }
    }

    #[async_trait]
    impl AuditSink for Lockable {
        async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
            self.check()?;
            self.inner.create(run).await
        }

        async fn mark_started(&self, id: RunId, at: DateTime<Utc>) -> Result<(), SinkError> {
            self.check()?;
            self.inner.mark_started(id, at).await
        }

        async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
            self.check()?;
            self.inner.mark_succeeded(id, done).await
        }

        async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
            self.check()?;
            self.inner.mark_failed(id, failed).await
        }
    }

    #[test]
    fn gaps_say_what_each_run_left_behind() {
        let lockable = Arc::new(Lockable::default());
        let sink = WatchedSink::new(lockable.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let (complete, running, pending, missing) =
            (RunId::new(), RunId::new(), RunId::new(), RunId::new());
        runtime.block_on(async {
            sink.create(&new_run(complete)).await.expect("create");
            sink.mark_started(complete, Utc::now())
                .await
                .expect("start");
            sink.mark_failed(complete, &failed()).await.expect("finish");
            assert_eq!(sink.gaps(), None, "every write landed");

            sink.create(&new_run(running)).await.expect("create");
            sink.mark_started(running, Utc::now()).await.expect("start");
            sink.create(&new_run(pending)).await.expect("create");
            lockable
                .locked
                .store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = sink.mark_failed(running, &failed()).await;
            let _ = sink.mark_started(pending, Utc::now()).await;
            let _ = sink.mark_failed(pending, &failed()).await;
            let _ = sink.mark_started(missing, Utc::now()).await;
        });
        let gaps = sink.gaps().expect("gaps");
        assert_eq!(
            gaps,
            format!(
                "run {running} is recorded as running without its outcome or recommendations \
                 (`intelligence runs reap` closes it later); \
                 run {pending} is recorded as pending without its outcome or recommendations \
                 (`intelligence runs reap` closes it later); \
                 run {missing} is not recorded"
            )
        );
    }

    #[test]
    fn no_error_when_every_write_worked() {
        let sink = WatchedSink::new(Arc::new(MemorySink::new()));
        assert_eq!(sink.first_error(), None);
    }
}
