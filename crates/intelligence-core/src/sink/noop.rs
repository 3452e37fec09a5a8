//! A sink that records nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::{AuditSink, NewRun, RunFailed, RunId, RunSucceeded, SinkError};

/// Discards every write. For embedding where no audit trail is wanted.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopSink;

#[async_trait]
impl AuditSink for NoopSink {
    async fn create(&self, _: &NewRun) -> Result<(), SinkError> {
        Ok(())
    }

    async fn mark_started(&self, _: RunId, _: DateTime<Utc>) -> Result<(), SinkError> {
        Ok(())
    }

    async fn mark_succeeded(&self, _: RunId, _: &RunSucceeded) -> Result<(), SinkError> {
        Ok(())
    }

    async fn mark_failed(&self, _: RunId, _: &RunFailed) -> Result<(), SinkError> {
        Ok(())
    }
}
