//! [`RunQueries`]: the run list and run lookup the views need, implemented
//! for [`Store`]; a host service can answer them from its own database.

use async_trait::async_trait;
use intelligence_core::{AnalysisRun, RunId};
use intelligence_store::{PageRequest, RunFilter, RunPage, Store, StoreError};

/// Reads recorded runs.
#[async_trait]
pub trait RunQueries: Send + Sync {
    /// One page of runs matching `filter`, newest first.
    async fn list_runs(&self, filter: &RunFilter, page: PageRequest)
    -> Result<RunPage, StoreError>;

    /// One run, or `None` when there is no run with that id.
    async fn get_run(&self, id: RunId) -> Result<Option<AnalysisRun>, StoreError>;
}

#[async_trait]
impl RunQueries for Store {
    async fn list_runs(
        &self,
        filter: &RunFilter,
        page: PageRequest,
    ) -> Result<RunPage, StoreError> {
        Store::list_runs(self, filter, page).await
    }

    async fn get_run(&self, id: RunId) -> Result<Option<AnalysisRun>, StoreError> {
        Store::get_run(self, id).await
    }
}
