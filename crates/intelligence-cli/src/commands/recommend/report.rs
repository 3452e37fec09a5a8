//! What `recommend` reports: the JSON document `--json` prints, and the
//! failed analyses turned into the command's error.

use std::path::PathBuf;

use intelligence_core::{Fallback, ProviderError, Recommendation, RunId};
use serde::Serialize;

use crate::exit::{CliError, CliResult, Code};

/// What `recommend --json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Shared by every run of this invocation.
    pub trace_id: String,
    /// The provider that ran.
    pub provider: String,
    /// Whether every audit record was written.
    pub recorded: bool,
    /// One entry per analysis, in the order they ran.
    pub analyses: Vec<AnalysisReport>,
}

/// One analysis in the report.
#[derive(Debug, Serialize)]
pub struct AnalysisReport {
    /// What the human output calls it: `memory analysis`, `general scan`.
    #[serde(skip)]
    pub heading: String,
    /// The audit record's id.
    pub run_id: RunId,
    /// `automatic`, `memory`, `cpu` or `disk`.
    pub kind: &'static str,
    /// The disk analysis' path, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// How long the analysis took.
    pub duration_ms: u64,
    /// The model that answered, for model providers.
    pub model: Option<String>,
    /// Set when the answer is a stand-in for a failed analysis.
    pub fallback: Option<Fallback>,
    /// The findings; empty when the analysis failed.
    pub recommendations: Vec<Recommendation>,
    /// Why the analysis failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

/// Why an analysis failed, in the report.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    /// The short error type, as the audit record's `error_type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

/// Turns the failed analyses into the command's error: every failure but
/// the last printed as its own line, the exit code the worst of them.
pub fn fail_with(failures: Vec<(String, ProviderError)>) -> CliResult {
    let code = failures.iter().map(|(_, err)| Code::of(err)).max();
    let mut failures = failures.into_iter();
    let (Some(code), Some((what, err))) = (code, failures.next_back()) else {
        return Ok(());
    };
    for (earlier, earlier_err) in failures {
        crate::commands::error_line(&format!("{earlier} failed: {earlier_err}"));
    }
    Err(CliError {
        code,
        error: anyhow::Error::new(err).context(format!("{what} failed")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_failures_is_success() {
        assert!(fail_with(Vec::new()).is_ok());
    }

    #[test]
    fn the_worst_code_wins_and_the_last_failure_is_the_message() {
        let failures = vec![
            (
                "cpu analysis".to_owned(),
                ProviderError::Other("broke".into()),
            ),
            (
                "disk analysis of /etc".to_owned(),
                ProviderError::InvalidInput("no".into()),
            ),
        ];
        let err = fail_with(failures).expect_err("failed");
        assert_eq!(err.code, Code::Usage);
        assert_eq!(
            err.to_string(),
            "disk analysis of /etc failed: invalid input: no"
        );
    }
}
