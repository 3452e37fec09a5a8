//! The kind of analysis a run performs.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a provider is asked to analyse.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AnalysisKind {
    /// Driven by the incident, or a general scan when there is none.
    #[default]
    Automatic,
    /// Memory use and the processes holding it.
    Memory,
    /// CPU load and the busiest processes.
    Cpu,
    /// Disk use below a path; the provider's default path when `None`.
    Disk {
        /// Where to look.
        path: Option<PathBuf>,
    },
}

impl AnalysisKind {
    /// The short name stored in the audit record: `automatic`, `memory`,
    /// `cpu` or `disk`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Automatic => "automatic",
            Self::Memory => "memory",
            Self::Cpu => "cpu",
            Self::Disk { .. } => "disk",
        }
    }

    /// A disk analysis of `path`.
    pub fn disk(path: impl Into<PathBuf>) -> Self {
        Self::Disk {
            path: Some(path.into()),
        }
    }
}

impl fmt::Display for AnalysisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Disk { path: Some(path) } => write!(f, "disk {}", path.display()),
            other => f.write_str(other.as_str()),
        }
    }
}

/// A string that names no analysis kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown analysis kind {0:?}: expected \"\", \"automatic\", \"memory\", \"cpu\" or \"disk\""
)]
pub struct ParseKindError(pub String);

impl FromStr for AnalysisKind {
    type Err = ParseKindError;

    /// Parses the strings that arrive from the edges. The empty string is
    /// [`AnalysisKind::Automatic`]; anything unknown is an error, never a
    /// silent general scan.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "automatic" => Ok(Self::Automatic),
            "memory" => Ok(Self::Memory),
            "cpu" => Ok(Self::Cpu),
            "disk" => Ok(Self::Disk { path: None }),
            _ => Err(ParseKindError(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_edge_strings() {
        assert_eq!("".parse(), Ok(AnalysisKind::Automatic));
        assert_eq!("memory".parse(), Ok(AnalysisKind::Memory));
        assert_eq!("CPU".parse(), Ok(AnalysisKind::Cpu));
        assert_eq!("disk".parse(), Ok(AnalysisKind::Disk { path: None }));
    }

    #[test]
    fn an_unknown_string_is_an_error_not_a_general_scan() {
        let err = "network".parse::<AnalysisKind>().expect_err("unknown");
        assert!(err.to_string().contains("\"network\""), "{err}");
    }

    #[test]
    fn as_str_round_trips() {
        for kind in [
            AnalysisKind::Automatic,
            AnalysisKind::Memory,
            AnalysisKind::Cpu,
        ] {
            assert_eq!(kind.as_str().parse::<AnalysisKind>(), Ok(kind));
        }
    }
}
