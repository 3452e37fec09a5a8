//! The store as the [`AuditSink`] of `run()`: each lifecycle step is one
//! short write statement, committed on its own ([`WriteMode::PerStep`]) or
//! queued for the store's writer thread, which commits many runs' steps in
//! one transaction ([`WriteMode::Batched`], the default).
//!
//! [`WriteMode::PerStep`]: crate::WriteMode::PerStep
//! [`WriteMode::Batched`]: crate::WriteMode::Batched

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use intelligence_core::{
    AnalysisRun, AuditSink, NewRun, RunFailed, RunId, RunSucceeded, SinkError,
};

use crate::backend::Writes;
use crate::error::StoreError;
use crate::models::{RunRow, json_text, storable, storable_opt};
use crate::store::{Store, with_conn};

/// One lifecycle step of one run, as the statement that writes it needs it.
#[derive(Debug)]
pub(crate) enum Op {
    /// Step 1: the new row.
    Create(Box<RunRow>),
    /// Step 2: the start time.
    Started(DateTime<Utc>),
    /// Step 4 on success, with the recommendations already encoded.
    Succeeded(Box<(RunSucceeded, String)>),
    /// Step 4 on failure.
    Failed(Box<RunFailed>),
}

impl Op {
    /// The operation's name in errors and logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Create(_) => "create run",
            Self::Started(_) => "mark run started",
            Self::Succeeded(_) => "mark run succeeded",
            Self::Failed(_) => "mark run failed",
        }
    }

    /// Whether this is the run's last step.
    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded(_) | Self::Failed(_))
    }

    /// The status this step writes.
    pub(crate) fn status_word(&self) -> &'static str {
        match self {
            Self::Create(_) => "pending",
            Self::Started(_) => "running",
            Self::Succeeded(_) => "succeeded",
            Self::Failed(_) => "failed",
        }
    }
}

/// The error for a step whose statement matched no row (`status` is the
/// one it would have written).
pub(crate) fn no_row(id: RunId, status: &str) -> SinkError {
    SinkError::msg(format!(
        "no analysis run {id} to mark {status} in the store"
    ))
}

/// Executes one step's statement on `$conn` (either backend) and evaluates
/// to the rows it wrote, as `Result<usize, diesel::result::Error>`. A macro
/// so that the diesel query is written once and compiled per backend.
macro_rules! execute_step {
    ($conn:expr, $id:expr, $op:expr) => {{
        use ::diesel::prelude::*;
        use ::intelligence_core::RunStatus;
        use $crate::models::to_db;
        use $crate::prepared::{MarkFailed, MarkStarted, MarkSucceeded, RunUpdate};
        use $crate::schema::analysis_runs::dsl as runs;
        use $crate::sink::Op;
        let conn = $conn;
        let key = $id.to_string();
        match $op {
            // Safe to repeat: a create whose commit went through but whose
            // reply was lost (and is retried on a new connection) finds its
            // own row and counts as done; a row of another run with the same
            // id is a unique violation.
            Op::Create(row) => (|| {
                let inserted = ::diesel::insert_into(runs::analysis_runs)
                    .values(&**row)
                    .on_conflict_do_nothing()
                    .execute(&mut *conn)?;
                if inserted == 1 {
                    return Ok(1);
                }
                let existing: (String, String, ::chrono::NaiveDateTime) = runs::analysis_runs
                    .find(&key)
                    .select((runs::provider, runs::trace_id, runs::created_at))
                    .first(&mut *conn)?;
                if existing == (row.provider.clone(), row.trace_id.clone(), row.created_at) {
                    Ok(1)
                } else {
                    Err(::diesel::result::Error::DatabaseError(
                        ::diesel::result::DatabaseErrorKind::UniqueViolation,
                        Box::new(format!("run id {key} is already recorded by another run")),
                    ))
                }
            })(),
            Op::Started(at) => RunUpdate::<_, _, MarkStarted>::new(
                (
                    runs::status.eq(RunStatus::Running.as_str()),
                    runs::started_at.eq(to_db(*at)),
                ),
                // `running` too, so that repeating the step (the PostgreSQL
                // retry after a lost connection) is a no-op.
                runs::id.eq(&key).and(
                    runs::status
                        .eq(RunStatus::Pending.as_str())
                        .or(runs::status.eq(RunStatus::Running.as_str())),
                ),
            )
            .execute(conn),
            Op::Succeeded(done) => {
                let (done, recommendations) = &**done;
                RunUpdate::<_, _, MarkSucceeded>::new(
                    (
                        runs::status.eq(RunStatus::Succeeded.as_str()),
                        runs::recommendations.eq(recommendations),
                        runs::recommendations_count.eq(done.recommendations_count),
                        runs::summary.eq(&done.summary),
                        runs::probable_cause.eq(&done.probable_cause),
                        runs::confidence.eq(done.confidence),
                        runs::model_name.eq(&done.model_name),
                        runs::prompt_tokens.eq(done.prompt_tokens),
                        runs::completion_tokens.eq(done.completion_tokens),
                        runs::total_tokens.eq(done.total_tokens),
                        runs::fallback_used.eq(done.fallback_used),
                        runs::error_type.eq(&done.error_type),
                        runs::error_message.eq(&done.error_message),
                        runs::completed_at.eq(to_db(done.completed_at)),
                        runs::duration_ms.eq(done.duration_ms),
                    ),
                    runs::id.eq(&key),
                )
                .execute(conn)
            }
            Op::Failed(failed) => RunUpdate::<_, _, MarkFailed>::new(
                (
                    runs::status.eq(RunStatus::Failed.as_str()),
                    runs::error_type.eq(&failed.error_type),
                    runs::error_message.eq(&failed.error_message),
                    runs::completed_at.eq(to_db(failed.completed_at)),
                    runs::duration_ms.eq(failed.duration_ms),
                ),
                runs::id.eq(&key),
            )
            .execute(conn),
        }
    }};
}
pub(crate) use execute_step;

fn sink_error(err: StoreError) -> SinkError {
    SinkError::with_source(err.to_string(), err)
}

impl Store {
    /// Hands one step to the writer thread, or commits it now.
    async fn step(&self, id: RunId, op: Op) -> Result<(), SinkError> {
        if let Some(writer) = self.writer() {
            return writer.send(id, op).await;
        }
        let (name, status) = (op.name(), op.status_word());
        let updated = self
            .blocking(name, move |store| store.commit_step(id, &op))
            .await
            .map_err(sink_error)?;
        if updated == 0 {
            return Err(no_row(id, status));
        }
        Ok(())
    }

    /// Commits one step in a transaction of its own; the rows it wrote.
    pub(crate) fn commit_step(&self, id: RunId, op: &Op) -> Result<usize, StoreError> {
        with_conn!(self, op.name(), |conn| {
            let _turn = self.write_turn();
            conn.write(|c| execute_step!(c, id, op))
        })
    }
}

#[async_trait]
impl AuditSink for Store {
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        let row = RunRow::from_run(&AnalysisRun::from_new(run)).map_err(sink_error)?;
        self.step(run.id, Op::Create(Box::new(row))).await
    }

    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError> {
        self.step(id, Op::Started(started_at)).await
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        let recommendations =
            json_text("recommendations", &done.recommendations).map_err(sink_error)?;
        let mut done = done.clone();
        done.summary = storable(&done.summary);
        done.probable_cause = storable(&done.probable_cause);
        done.model_name = storable_opt(done.model_name.as_deref());
        done.error_type = storable_opt(done.error_type.as_deref());
        done.error_message = storable_opt(done.error_message.as_deref());
        self.step(id, Op::Succeeded(Box::new((done, recommendations))))
            .await
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        let mut failed = failed.clone();
        failed.error_type = storable(&failed.error_type);
        failed.error_message = storable(&failed.error_message);
        self.step(id, Op::Failed(Box::new(failed))).await
    }

    async fn flush(&self) -> Result<(), SinkError> {
        Store::flush(self).await;
        Ok(())
    }
}
