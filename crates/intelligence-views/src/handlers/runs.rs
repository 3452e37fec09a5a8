//! `GET /intelligence/runs/` (filters and keyset pagination) and
//! `GET /intelligence/runs/{id}/`. The query parameters are shared with the
//! admin list page.

use axum::Json;
use axum::extract::{Path, State};
use intelligence_core::{AnalysisRun, RunId};
use intelligence_store::{Cursor, PageRequest, RunFilter};
use serde::{Deserialize, Serialize};

use crate::error::ViewsError;
use crate::extract::ApiQuery;
use crate::params::{self, present};
use crate::state::AppState;

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;

/// The run list's query parameters, as strings.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct RunsQuery {
    pub(crate) status: Option<String>,
    pub(crate) provider: Option<String>,
    pub(crate) incident_id: Option<String>,
    pub(crate) trace_id: Option<String>,
    pub(crate) pipeline_run_id: Option<String>,
    pub(crate) created_after: Option<String>,
    pub(crate) created_before: Option<String>,
    pub(crate) limit: Option<String>,
    pub(crate) after: Option<String>,
}

impl RunsQuery {
    /// The store filter and page these parameters ask for.
    pub(crate) fn parse(&self) -> Result<(RunFilter, PageRequest), ViewsError> {
        let filter = RunFilter {
            status: params::status(self.status.as_deref())?,
            provider: present(self.provider.as_deref()).map(str::to_owned),
            incident_id: params::incident_id(self.incident_id.as_deref())?,
            trace_id: present(self.trace_id.as_deref()).map(str::to_owned),
            pipeline_run_id: present(self.pipeline_run_id.as_deref()).map(str::to_owned),
            created_after: params::time("created_after", self.created_after.as_deref())?,
            created_before: params::time("created_before", self.created_before.as_deref())?,
        };
        let max = u64::try_from(PageRequest::MAX_LIMIT).unwrap_or(u64::MAX);
        let limit = match params::count("limit", self.limit.as_deref(), max)? {
            None => DEFAULT_LIMIT,
            Some(0) => return Err(ViewsError::invalid("limit", "0 is less than the minimum 1")),
            Some(n) => i64::try_from(n).unwrap_or(PageRequest::MAX_LIMIT),
        };
        let page = match present(self.after.as_deref()) {
            None => PageRequest::first(limit),
            Some(text) => PageRequest::after(limit, text.parse::<Cursor>()?),
        };
        Ok((filter, page))
    }
}

/// The body of `GET /intelligence/runs/`, serialised field by field (the
/// runs are not turned into a `Value` first).
#[derive(Debug, Serialize)]
pub(crate) struct RunsPage {
    count: usize,
    next: Option<String>,
    runs: Vec<AnalysisRun>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RunsQuery>,
) -> Result<Json<RunsPage>, ViewsError> {
    let (filter, page) = query.parse()?;
    let page = state.runs.list_runs(&filter, page).await?;
    Ok(Json(RunsPage {
        count: page.runs.len(),
        next: page.next.map(|cursor| cursor.to_string()),
        runs: page.runs,
    }))
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AnalysisRun>, ViewsError> {
    let run = find(&state, &id).await?;
    Ok(Json(run))
}

/// The run with this id; a malformed id is a 400, a missing run a 404.
pub(crate) async fn find(state: &AppState, id: &str) -> Result<AnalysisRun, ViewsError> {
    let run_id: RunId = id
        .parse()
        .map_err(|err| ViewsError::invalid("run id", format!("{id:?} is not a uuid: {err}")))?;
    state
        .runs
        .get_run(run_id)
        .await?
        .ok_or_else(|| ViewsError::RunNotFound(id.to_owned()))
}
