//! Recommendations: the findings a provider returns.
//!
//! A [`Recommendation`] serialises to the same JSON shape as the upstream
//! `to_dict()`: keys `type priority title description details actions
//! incident_id`, enum values in lowercase.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::incident::IncidentId;

/// What part of the system a recommendation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecommendationType {
    /// Memory pressure, swapping, out-of-memory kills.
    Memory,
    /// Disk space, large files, old files.
    Disk,
    /// CPU load and busy processes.
    Cpu,
    /// One process in particular.
    Process,
    /// Network reachability or throughput.
    Network,
    /// Anything else.
    General,
}

impl RecommendationType {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Memory,
        Self::Disk,
        Self::Cpu,
        Self::Process,
        Self::Network,
        Self::General,
    ];

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Disk => "disk",
            Self::Cpu => "cpu",
            Self::Process => "process",
            Self::Network => "network",
            Self::General => "general",
        }
    }
}

impl fmt::Display for RecommendationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecommendationType {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == lower)
            .ok_or_else(|| UnknownVariant {
                what: "recommendation type",
                value: s.to_owned(),
            })
    }
}

/// How urgently a recommendation should be acted on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Nothing urgent.
    Low,
    /// Worth a look soon.
    #[default]
    Medium,
    /// Act today.
    High,
    /// Act now.
    Critical,
}

impl Priority {
    /// Every variant, lowest first.
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
            .ok_or_else(|| UnknownVariant {
                what: "priority",
                value: s.to_owned(),
            })
    }
}

/// A string that names no variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownVariant {
    /// Which enum was parsed.
    pub what: &'static str,
    /// The string that was given.
    pub value: String,
}

/// One actionable finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// What the finding is about; `type` in JSON.
    #[serde(rename = "type")]
    pub kind: RecommendationType,
    /// How urgent it is.
    pub priority: Priority,
    /// A one-line summary.
    pub title: String,
    /// What was found and why it matters.
    pub description: String,
    /// Structured evidence (top processes, large files, ...); an object.
    #[serde(default = "empty_object")]
    pub details: serde_json::Value,
    /// Steps an operator can take.
    #[serde(default)]
    pub actions: Vec<String>,
    /// The incident this finding answers, if any.
    #[serde(default)]
    pub incident_id: Option<IncidentId>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

impl Recommendation {
    /// A recommendation with empty details, no actions and no incident.
    pub fn new(
        kind: RecommendationType,
        priority: Priority,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            priority,
            title: title.into(),
            description: description.into(),
            details: empty_object(),
            actions: Vec::new(),
            incident_id: None,
        }
    }

    /// Sets the details object.
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Sets the actions.
    #[must_use]
    pub fn with_actions<I, S>(mut self, actions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.actions = actions.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the incident id.
    #[must_use]
    pub fn with_incident(mut self, incident_id: Option<IncidentId>) -> Self {
        self.incident_id = incident_id;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_to_the_upstream_shape() {
        let rec = Recommendation::new(RecommendationType::Cpu, Priority::High, "t", "d")
            .with_details(json!({"cpu_count": 2}))
            .with_actions(["a"])
            .with_incident(Some(7));
        let text = serde_json::to_string(&rec).expect("serialise");
        assert_eq!(
            text,
            r#"{"type":"cpu","priority":"high","title":"t","description":"d","details":{"cpu_count":2},"actions":["a"],"incident_id":7}"#
        );
        let back: Recommendation = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, rec);
    }

    #[test]
    fn enums_parse_case_insensitively_and_reject_unknowns() {
        assert_eq!(
            "DISK".parse::<RecommendationType>(),
            Ok(RecommendationType::Disk)
        );
        assert_eq!(" Critical ".parse::<Priority>(), Ok(Priority::Critical));
        let err = "urgent".parse::<Priority>().expect_err("unknown");
        assert_eq!(err.to_string(), r#"unknown priority "urgent""#);
    }

    #[test]
    fn priorities_order_from_low_to_critical() {
        assert!(Priority::Low < Priority::Medium);
        assert!(Priority::High < Priority::Critical);
    }
}
