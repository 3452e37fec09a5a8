//! Incidents, the alerts attached to them, and where they come from.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The identity of an incident in whatever system owns it.
pub type IncidentId = i64;

/// One alert attached to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Alert {
    /// The alert's name, such as `HighMemoryUsage`.
    pub name: String,
    /// What the alert said.
    #[serde(default)]
    pub description: String,
}

/// Something that went wrong and that a provider can analyse.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Incident {
    /// Its identity.
    pub id: IncidentId,
    /// A one-line title.
    pub title: String,
    /// A longer description.
    #[serde(default)]
    pub description: String,
    /// Severity as the source spells it (`critical`, `warning`, ...).
    #[serde(default)]
    pub severity: String,
    /// Status as the source spells it (`open`, `resolved`, ...).
    #[serde(default)]
    pub status: String,
    /// Free-form metadata; a disk incident names its path under `path`.
    #[serde(default)]
    pub metadata: serde_json::Value,
    /// The alerts that raised or joined the incident.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

impl Incident {
    /// An incident with a title and nothing else.
    pub fn new(id: IncidentId, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            metadata: serde_json::Value::Object(serde_json::Map::new()),
            ..Self::default()
        }
    }

    /// A one-line description for logs and audit records.
    pub fn summary(&self) -> String {
        format!("incident {}: {}", self.id, self.title)
    }
}

/// An incident lookup that failed for a reason other than "not found".
#[derive(Debug, thiserror::Error)]
#[error("incident source failed: {message}")]
pub struct SourceError {
    /// What went wrong.
    pub message: String,
}

impl SourceError {
    /// Wraps any error's text.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }
}

/// Where adapters load incidents from: the store's own table, or a host
/// service's.
#[async_trait]
pub trait IncidentSource: Send + Sync {
    /// The incident with this id, or `None` when there is none.
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, SourceError>;
}
