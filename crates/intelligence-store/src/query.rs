//! Reading runs: the filtered, paginated list, one run, and counts.

use diesel::dsl::count_star;
use diesel::prelude::*;
use intelligence_core::{AnalysisRun, RunId, RunStatus};

use crate::error::StoreError;
use crate::models::{RunRow, to_db};
use crate::page::{Cursor, PageRequest, RunCount, RunFilter, RunPage};
use crate::schema::analysis_runs::dsl as runs;
use crate::store::{Store, with_conn};

impl Store {
    /// The runs that match `filter`, newest first (`created_at`, then `id`,
    /// descending), one page at a time.
    pub async fn list_runs(
        &self,
        filter: &RunFilter,
        page: PageRequest,
    ) -> Result<RunPage, StoreError> {
        let filter = filter.clone();
        let limit = page.clamped_limit();
        let after = page.after;
        let rows: Vec<RunRow> = self
            .blocking("list runs", move |store| {
                with_conn!(store, "list runs", |conn| {
                    let mut query = runs::analysis_runs.select(RunRow::as_select()).into_boxed();
                    if let Some(status) = filter.status {
                        query = query.filter(runs::status.eq(status.as_str()));
                    }
                    if let Some(provider) = &filter.provider {
                        query = query.filter(runs::provider.eq(provider.clone()));
                    }
                    if let Some(incident_id) = filter.incident_id {
                        query = query.filter(runs::incident_id.eq(incident_id));
                    }
                    if let Some(trace_id) = &filter.trace_id {
                        query = query.filter(runs::trace_id.eq(trace_id.clone()));
                    }
                    if let Some(pipeline_run_id) = &filter.pipeline_run_id {
                        query = query.filter(runs::pipeline_run_id.eq(pipeline_run_id.clone()));
                    }
                    if let Some(after) = filter.created_after {
                        query = query.filter(runs::created_at.ge(to_db(after)));
                    }
                    if let Some(before) = filter.created_before {
                        query = query.filter(runs::created_at.lt(to_db(before)));
                    }
                    if let Some(cursor) = after {
                        let at = to_db(cursor.created_at());
                        query = query.filter(
                            runs::created_at.lt(at).or(runs::created_at
                                .eq(at)
                                .and(runs::id.lt(cursor.id().to_string()))),
                        );
                    }
                    query
                        .order((runs::created_at.desc(), runs::id.desc()))
                        .limit(limit + 1)
                        .load(conn)
                })
            })
            .await?;

        let mut runs = rows
            .into_iter()
            .map(RunRow::into_run)
            .collect::<Result<Vec<_>, _>>()?;
        let more = i64::try_from(runs.len()).unwrap_or(i64::MAX) > limit;
        if more {
            runs.pop();
        }
        let next = if more {
            runs.last().map(Cursor::after_run)
        } else {
            None
        };
        Ok(RunPage { runs, next })
    }

    /// The run with this id.
    pub async fn get_run(&self, id: RunId) -> Result<Option<AnalysisRun>, StoreError> {
        let key = id.to_string();
        let row: Option<RunRow> = self
            .blocking("get run", move |store| {
                with_conn!(store, "get run", |conn| runs::analysis_runs
                    .find(&key)
                    .select(RunRow::as_select())
                    .first(conn)
                    .optional())
            })
            .await?;
        row.map(RunRow::into_run).transpose()
    }

    /// How many runs each provider has in each status, by provider then
    /// status.
    pub async fn counts(&self) -> Result<Vec<RunCount>, StoreError> {
        let rows: Vec<(String, String, i64)> = self
            .blocking("count runs", move |store| {
                with_conn!(store, "count runs", |conn| runs::analysis_runs
                    .group_by((runs::provider, runs::status))
                    .select((runs::provider, runs::status, count_star()))
                    .order((runs::provider, runs::status))
                    .load(conn))
            })
            .await?;
        rows.into_iter()
            .map(|(provider, status, count)| {
                let status = status
                    .parse::<RunStatus>()
                    .map_err(|err| StoreError::Decode {
                        table: "analysis_runs",
                        id: format!("(provider {provider})"),
                        column: "status",
                        reason: err.to_string(),
                    })?;
                Ok(RunCount {
                    provider,
                    status,
                    count,
                })
            })
            .collect()
    }
}
