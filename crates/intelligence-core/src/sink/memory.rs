//! A sink that keeps records in memory.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::{
    AnalysisRun, AuditSink, NewRun, RunFailed, RunId, RunStatus, RunSucceeded, SinkError,
};

/// Keeps every record, and every status each one passed through, in memory.
/// For embedding and tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    runs: Vec<AnalysisRun>,
    /// Position of each run in `runs`, so that a step costs the same with a
    /// million records as with one.
    index: HashMap<RunId, usize>,
    history: Vec<(RunId, RunStatus)>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave a record half written:
        // every update below is a plain field assignment.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every record, oldest first.
    pub fn runs(&self) -> Vec<AnalysisRun> {
        self.lock().runs.clone()
    }

    /// The record with this id.
    pub fn get(&self, id: RunId) -> Option<AnalysisRun> {
        let state = self.lock();
        state.index.get(&id).map(|&at| state.runs[at].clone())
    }

    /// The statuses the record passed through, in order.
    pub fn history(&self, id: RunId) -> Vec<RunStatus> {
        self.lock()
            .history
            .iter()
            .filter(|(run, _)| *run == id)
            .map(|(_, status)| *status)
            .collect()
    }

    fn update(
        &self,
        id: RunId,
        status: RunStatus,
        apply: impl FnOnce(&mut AnalysisRun),
    ) -> Result<(), SinkError> {
        let mut state = self.lock();
        let at = *state
            .index
            .get(&id)
            .ok_or_else(|| SinkError::msg(format!("no run {id} in the memory sink")))?;
        apply(&mut state.runs[at]);
        state.history.push((id, status));
        Ok(())
    }
}

#[async_trait]
impl AuditSink for MemorySink {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        let mut state = self.lock();
        if state.index.contains_key(&run.id) {
            return Err(SinkError::msg(format!("run {} already exists", run.id)));
        }
        let at = state.runs.len();
        state.index.insert(run.id, at);
        state.runs.push(AnalysisRun::from_new(run));
        state.history.push((run.id, RunStatus::Pending));
        Ok(())
    }

    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError> {
        self.update(id, RunStatus::Running, |run| run.apply_started(started_at))
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        self.update(id, RunStatus::Succeeded, |run| run.apply_succeeded(done))
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        self.update(id, RunStatus::Failed, |run| run.apply_failed(failed))
    }
}
