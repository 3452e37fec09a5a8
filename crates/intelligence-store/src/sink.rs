//! The store as the [`AuditSink`] of `run()`: each lifecycle step is one
//! short write statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use intelligence_core::{
    AnalysisRun, AuditSink, NewRun, RunFailed, RunId, RunStatus, RunSucceeded, SinkError,
};

use crate::backend::Writes;
use crate::error::StoreError;
use crate::models::{RunRow, json_text, to_db};
use crate::schema::analysis_runs::dsl as runs;
use crate::store::{Store, with_conn};

/// The statuses `mark_started` may move to `running`.
const STARTABLE: [&str; 2] = ["pending", "running"];

fn sink_error(err: StoreError) -> SinkError {
    SinkError::with_source(err.to_string(), err)
}

/// A step's update that matched no row.
fn expect_one(id: RunId, step: &str, updated: usize) -> Result<(), SinkError> {
    if updated == 0 {
        return Err(SinkError::msg(format!(
            "no analysis run {id} to mark {step} in the store"
        )));
    }
    Ok(())
}

#[async_trait]
impl AuditSink for Store {
    // TODO: a create whose INSERT committed but whose reply was lost with the
    // connection is retried and fails on the duplicate id: the record then
    // stays pending until reaped. Rare (PostgreSQL only); needs an idempotent insert.
    async fn create(&self, run: &NewRun) -> Result<(), SinkError> {
        let row = RunRow::from_run(&AnalysisRun::from_new(run)).map_err(sink_error)?;
        self.blocking("create run", move |store| {
            with_conn!(store, "create run", |conn| {
                let _turn = store.write_turn();
                conn.write(|c| {
                    diesel::insert_into(runs::analysis_runs)
                        .values(&row)
                        .execute(c)
                })
            })
        })
        .await
        .map(|_| ())
        .map_err(sink_error)
    }

    async fn mark_started(&self, id: RunId, started_at: DateTime<Utc>) -> Result<(), SinkError> {
        let key = id.to_string();
        let updated = self
            .blocking("mark run started", move |store| {
                with_conn!(store, "mark run started", |conn| {
                    let _turn = store.write_turn();
                    conn.write(|c| {
                        diesel::update(
                            runs::analysis_runs
                                .find(&key)
                                // `running` too, so that repeating the step (the
                                // PostgreSQL retry after a lost connection) is a no-op.
                                .filter(runs::status.eq_any(STARTABLE)),
                        )
                        .set((
                            runs::status.eq(RunStatus::Running.as_str()),
                            runs::started_at.eq(to_db(started_at)),
                        ))
                        .execute(c)
                    })
                })
            })
            .await
            .map_err(sink_error)?;
        expect_one(id, "running", updated)
    }

    async fn mark_succeeded(&self, id: RunId, done: &RunSucceeded) -> Result<(), SinkError> {
        let key = id.to_string();
        let recommendations =
            json_text("recommendations", &done.recommendations).map_err(sink_error)?;
        let done = done.clone();
        let updated = self
            .blocking("mark run succeeded", move |store| {
                with_conn!(store, "mark run succeeded", |conn| {
                    let _turn = store.write_turn();
                    conn.write(|c| {
                        diesel::update(runs::analysis_runs.find(&key))
                            .set((
                                runs::status.eq(RunStatus::Succeeded.as_str()),
                                runs::recommendations.eq(&recommendations),
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
                            ))
                            .execute(c)
                    })
                })
            })
            .await
            .map_err(sink_error)?;
        expect_one(id, "succeeded", updated)
    }

    async fn mark_failed(&self, id: RunId, failed: &RunFailed) -> Result<(), SinkError> {
        let key = id.to_string();
        let failed = failed.clone();
        let updated = self
            .blocking("mark run failed", move |store| {
                with_conn!(store, "mark run failed", |conn| {
                    let _turn = store.write_turn();
                    conn.write(|c| {
                        diesel::update(runs::analysis_runs.find(&key))
                            .set((
                                runs::status.eq(RunStatus::Failed.as_str()),
                                runs::error_type.eq(&failed.error_type),
                                runs::error_message.eq(&failed.error_message),
                                runs::completed_at.eq(to_db(failed.completed_at)),
                                runs::duration_ms.eq(failed.duration_ms),
                            ))
                            .execute(c)
                    })
                })
            })
            .await
            .map_err(sink_error)?;
        expect_one(id, "failed", updated)
    }
}
