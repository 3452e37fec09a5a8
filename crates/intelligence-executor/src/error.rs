//! Why the analyze stage could not produce an analysis.

use std::borrow::Cow;

use intelligence_core::{IncidentId, ProviderError, SourceError};

/// What went wrong in one [`crate::AnalyzeExecutor::execute`] call.
///
/// `execute()` never returns it: it becomes the text in
/// [`crate::AnalyzeResult::errors`] (or a fallback result) and the
/// `error_type` of the audit record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecutorError {
    /// The stage payload is not usable as given.
    #[error("invalid stage payload: {0}")]
    InvalidPayload(String),

    /// The default provider given to [`crate::AnalyzeExecutor::new`] is not
    /// registered.
    #[error("default provider {name:?} is not registered; available: {}", available.join(", "))]
    UnknownDefaultProvider {
        /// The name that was given.
        name: String,
        /// The names that are registered.
        available: Vec<String>,
    },

    /// The provider could not be built from the payload's configuration
    /// (an unknown name, a bad setting).
    #[error("cannot build provider {provider:?}: {source}")]
    Build {
        /// The provider that was asked for.
        provider: String,
        /// What the registry or the factory said.
        #[source]
        source: ProviderError,
    },

    /// The context names an incident the incident source does not have.
    #[error("incident {0} not found")]
    IncidentNotFound(IncidentId),

    /// The incident source failed while loading the incident.
    #[error("cannot load incident {id}: {source}")]
    IncidentSource {
        /// The incident that was asked for.
        id: IncidentId,
        /// What the source said.
        #[source]
        source: SourceError,
    },

    /// The provider ran and failed.
    #[error("provider {provider:?} failed: {source}")]
    Provider {
        /// The provider that ran.
        provider: String,
        /// Its error, unchanged.
        #[source]
        source: ProviderError,
    },

    /// The provider panicked while it ran.
    #[error("provider {provider:?} panicked: {message}")]
    ProviderPanicked {
        /// The provider that ran.
        provider: String,
        /// The panic's message.
        message: String,
    },
}

impl ExecutorError {
    /// A short, low-cardinality name for the audit record's `error_type`:
    /// `invalid_payload`, `unknown_provider`, `config`, `incident_not_found`,
    /// `incident_source`, `panic`, or the provider error's own type.
    pub fn error_type(&self) -> Cow<'static, str> {
        match self {
            Self::InvalidPayload(_) => "invalid_payload".into(),
            Self::UnknownDefaultProvider { .. } => "unknown_provider".into(),
            Self::Build { source, .. } | Self::Provider { source, .. } => source.error_type(),
            Self::IncidentNotFound(_) => "incident_not_found".into(),
            Self::IncidentSource { .. } => "incident_source".into(),
            Self::ProviderPanicked { .. } => "panic".into(),
        }
    }

    /// Whether the stage's input was at fault (payload, provider name,
    /// configuration, incident id) rather than the analysis.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::InvalidPayload(_)
            | Self::UnknownDefaultProvider { .. }
            | Self::IncidentNotFound(_) => true,
            Self::Build { source, .. } | Self::Provider { source, .. } => source.is_bad_input(),
            Self::IncidentSource { .. } | Self::ProviderPanicked { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_follow_the_provider_error_inside() {
        let unknown = ExecutorError::Build {
            provider: "nope".into(),
            source: ProviderError::UnknownProvider {
                name: "nope".into(),
                available: vec!["local".into()],
            },
        };
        assert_eq!(unknown.error_type(), "unknown_provider");
        assert!(unknown.is_bad_input());
        assert_eq!(
            unknown.to_string(),
            "cannot build provider \"nope\": unknown provider \"nope\"; available: local"
        );

        let upstream = ExecutorError::Provider {
            provider: "openai".into(),
            source: ProviderError::Http {
                status: 429,
                message: "slow down".into(),
            },
        };
        assert_eq!(upstream.error_type(), "http_429");
        assert!(!upstream.is_bad_input());
        assert_eq!(
            ExecutorError::IncidentNotFound(7).error_type(),
            "incident_not_found"
        );
    }
}
