//! Filters and keyset pagination of the run list: [`RunFilter`],
//! [`PageRequest`], [`Cursor`], [`RunPage`], and [`RunCount`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use intelligence_core::{AnalysisRun, IncidentId, RunId, RunStatus};
use uuid::Uuid;

use crate::error::StoreError;

/// Which runs a list returns; every field that is set must match.
#[derive(Default, Clone, Debug)]
pub struct RunFilter {
    /// Only runs with this status.
    pub status: Option<RunStatus>,
    /// Only runs of this provider.
    pub provider: Option<String>,
    /// Only runs about this incident.
    pub incident_id: Option<IncidentId>,
    /// Only runs with this trace id.
    pub trace_id: Option<String>,
    /// Only runs of this pipeline run.
    pub pipeline_run_id: Option<String>,
    /// Only runs created at or after this time.
    pub created_after: Option<DateTime<Utc>>,
    /// Only runs created before this time.
    pub created_before: Option<DateTime<Utc>>,
}

/// One page of the run list, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many runs; clamped to `1..=1000`.
    pub limit: i64,
    /// Continue after this position; `None` for the first page.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// The largest page a list returns.
    pub const MAX_LIMIT: i64 = 1000;

    /// The first page, of at most `limit` runs.
    pub fn first(limit: i64) -> Self {
        Self { limit, after: None }
    }

    /// The page after `cursor`.
    pub fn after(limit: i64, cursor: Cursor) -> Self {
        Self {
            limit,
            after: Some(cursor),
        }
    }

    /// The limit, clamped.
    pub fn clamped_limit(&self) -> i64 {
        self.limit.clamp(1, Self::MAX_LIMIT)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(50)
    }
}

/// A position in the run list: the `(created_at, id)` of the last run of a
/// page. Runs created after it was handed out sort before it, so following
/// cursors never skips or repeats a run while new ones arrive.
///
/// Its string form (`Display`, `FromStr`) is URL-safe: digits, letters and
/// `_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    created_at: DateTime<Utc>,
    id: RunId,
}

impl Cursor {
    /// The position just after `run`.
    pub fn after_run(run: &AnalysisRun) -> Self {
        Self {
            created_at: run.created_at.trunc_subsecs(6),
            id: run.id,
        }
    }

    /// The creation time of the run the cursor points after.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The id of the run the cursor points after.
    pub fn id(&self) -> RunId {
        self.id
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_{}",
            self.created_at.timestamp_micros(),
            self.id.0.simple()
        )
    }
}

impl FromStr for Cursor {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| StoreError::InvalidCursor {
            cursor: s.to_owned(),
            reason: reason.to_owned(),
        };
        let (micros, id) = s
            .split_once('_')
            .ok_or_else(|| invalid("expected <microseconds>_<run id>"))?;
        let digits = micros.strip_prefix('-').unwrap_or(micros);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the time is not a number"));
        }
        // Years 1 to 9999, the range both backends store and compare alike.
        let created_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .filter(|time| (1..=9999).contains(&time.year()))
            .ok_or_else(|| invalid("the time is out of range (years 1 to 9999)"))?;
        let id = Uuid::try_parse(id).map_err(|_| invalid("the run id is not a uuid"))?;
        Ok(Self {
            created_at,
            id: RunId(id),
        })
    }
}

/// A page of runs, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPage {
    /// The runs.
    pub runs: Vec<AnalysisRun>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// How many runs a provider has in one status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunCount {
    /// The provider.
    pub provider: String,
    /// The status.
    pub status: RunStatus,
    /// How many runs.
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_through_their_string() {
        let run_id = RunId::new();
        let created_at = DateTime::from_timestamp_micros(1_764_770_000_123_456).expect("time");
        let cursor = Cursor {
            created_at,
            id: run_id,
        };
        let text = cursor.to_string();
        assert!(
            text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{text}"
        );
        assert_eq!(text.parse::<Cursor>().expect("parse"), cursor);
    }

    #[test]
    fn a_bad_cursor_is_refused_with_its_text() {
        for bad in [
            "",
            "abc",
            "12_notauuid",
            "x_0190d6a2b3c47def8a9b0c1d2e3f4a5b",
        ] {
            match bad.parse::<Cursor>() {
                Err(StoreError::InvalidCursor { cursor, .. }) => assert_eq!(cursor, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_cursor_time_outside_the_years_1_to_9999_is_out_of_range() {
        let id = "0190d6a2b3c47def8a9b0c1d2e3f4a5b";
        for micros in [
            "8000000000000000000",
            "-8000000000000000000",
            "99999999999999999999",
        ] {
            let bad = format!("{micros}_{id}");
            match bad.parse::<Cursor>() {
                Err(err @ StoreError::InvalidCursor { .. }) => {
                    assert!(err.to_string().contains("out of range"), "{err}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(
            format!("-1_{id}").parse::<Cursor>().is_ok(),
            "1969 is a time"
        );
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(PageRequest::first(0).clamped_limit(), 1);
        assert_eq!(PageRequest::first(5000).clamped_limit(), 1000);
        assert_eq!(PageRequest::first(20).clamped_limit(), 20);
    }
}
