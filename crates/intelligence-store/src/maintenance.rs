//! Changing many runs at once: reap the abandoned, prune the old, import.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use intelligence_core::{AnalysisRun, RunStatus};

use crate::backend::Writes;
use crate::error::StoreError;
use crate::models::{RunRow, to_db};
use crate::schema::analysis_runs::dsl as runs;
use crate::store::{Store, with_conn};

/// The `error_type` of a reaped run.
pub const ABANDONED_ERROR_TYPE: &str = "abandoned";

/// The `error_message` of a reaped run. It says only what reap knows: the
/// run was still open when reaped, and an operator's cutoff may reach
/// runs that are still under way (`--older-than 0s`).
pub const ABANDONED_MESSAGE: &str = "abandoned: still pending or running when reaped as older than the cutoff; \
     the process running it probably ended without recording an outcome";

/// Runs deleted per transaction by [`Store::prune`], so that no delete
/// holds the write lock for long.
pub const PRUNE_BATCH: i64 = 500;

/// Rows inserted per transaction by [`Store::import_runs`].
const IMPORT_BATCH: usize = 200;

const OPEN: [&str; 2] = ["pending", "running"];
const TERMINAL: [&str; 2] = ["succeeded", "failed"];

impl Store {
    /// Closes the runs left `pending` or `running` (by a process that died)
    /// that were created before `older_than`: `failed`, error type
    /// `abandoned`, completed now. Returns how many it closed.
    pub async fn reap(&self, older_than: DateTime<Utc>) -> Result<u64, StoreError> {
        let cutoff = to_db(older_than);
        let now = to_db(Utc::now());
        let reaped = self
            .blocking("reap runs", move |store| {
                with_conn!(store, "reap runs", |conn| {
                    let _turn = store.write_turn();
                    conn.write(|c| {
                        diesel::update(
                            runs::analysis_runs
                                .filter(runs::status.eq_any(OPEN))
                                .filter(runs::created_at.lt(cutoff)),
                        )
                        .set((
                            runs::status.eq(RunStatus::Failed.as_str()),
                            runs::error_type.eq(ABANDONED_ERROR_TYPE),
                            runs::error_message.eq(ABANDONED_MESSAGE),
                            runs::completed_at.eq(now),
                        ))
                        .execute(c)
                    })
                })
            })
            .await?;
        Ok(u64::try_from(reaped).unwrap_or(u64::MAX))
    }

    /// Deletes the finished (`succeeded` or `failed`) runs created before
    /// `older_than`, [`PRUNE_BATCH`] per transaction; runs still open are kept.
    /// Returns how many it deleted.
    pub async fn prune(&self, older_than: DateTime<Utc>) -> Result<u64, StoreError> {
        let cutoff = to_db(older_than);
        let mut total: u64 = 0;
        loop {
            let deleted = self
                .blocking("prune runs", move |store| {
                    with_conn!(store, "prune runs", |conn| {
                        let _turn = store.write_turn();
                        conn.write_batch(|c| {
                            let batch: Vec<String> = runs::analysis_runs
                                .select(runs::id)
                                .filter(runs::status.eq_any(TERMINAL))
                                .filter(runs::created_at.lt(cutoff))
                                .limit(PRUNE_BATCH)
                                .load(c)?;
                            diesel::delete(
                                runs::analysis_runs
                                    .filter(runs::id.eq_any(&batch))
                                    .filter(runs::status.eq_any(TERMINAL)),
                            )
                            .execute(c)
                        })
                    })
                })
                .await?;
            tracing::debug!(deleted, "pruned one batch of finished runs");
            total = total.saturating_add(u64::try_from(deleted).unwrap_or(u64::MAX));
            if i64::try_from(deleted).unwrap_or(i64::MAX) < PRUNE_BATCH {
                return Ok(total);
            }
        }
    }

    /// Inserts whole records as they are (to seed benchmarks or move runs
    /// between backends); a run whose id is already stored is skipped.
    /// Returns how many were inserted.
    pub async fn import_runs(&self, runs: &[AnalysisRun]) -> Result<u64, StoreError> {
        let rows = runs
            .iter()
            .map(RunRow::from_run)
            .collect::<Result<Vec<_>, _>>()?;
        let mut total: u64 = 0;
        for chunk in rows.chunks(IMPORT_BATCH) {
            let chunk = chunk.to_vec();
            let inserted = self
                .blocking("import runs", move |store| {
                    with_conn!(store, "import runs", |conn| {
                        let _turn = store.write_turn();
                        conn.write_batch(|c| {
                            let mut inserted = 0;
                            for row in &chunk {
                                inserted += diesel::insert_into(runs::analysis_runs)
                                    .values(row)
                                    .on_conflict_do_nothing()
                                    .execute(c)?;
                            }
                            Ok(inserted)
                        })
                    })
                })
                .await?;
            total = total.saturating_add(u64::try_from(inserted).unwrap_or(u64::MAX));
        }
        Ok(total)
    }
}
