//! The error a provider returns when an analysis cannot be done.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

/// Why an analysis failed.
///
/// A finding is never an error: a full disk is a recommendation. An `Err`
/// means the run itself broke, or the input was unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The provider's configuration is unusable (a negative threshold, a
    /// missing key, a value of the wrong type).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The incident or analysis kind cannot be analysed as given.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A path from outside resolves outside the allowed roots, or does not
    /// exist.
    #[error("path {path:?} is not allowed: {reason}")]
    PathNotAllowed {
        /// The path as it was given.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },

    /// No provider is registered under this name.
    #[error("unknown provider {name:?}; available: {}", available.join(", "))]
    UnknownProvider {
        /// The name that was asked for.
        name: String,
        /// The names that are registered.
        available: Vec<String>,
    },

    /// Reading the system failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// An upstream API answered with an error status.
    #[error("upstream returned HTTP {status}: {message}")]
    Http {
        /// The status code.
        status: u16,
        /// What the upstream said, cut short.
        message: String,
    },

    /// An upstream API did not answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),

    /// An upstream API could not be reached or answered nonsense.
    #[error("upstream error: {0}")]
    Upstream(String),

    /// The analysis was cancelled before it finished.
    #[error("analysis cancelled: {0}")]
    Cancelled(String),

    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl ProviderError {
    /// A short, low-cardinality name for the audit record's `error_type`:
    /// `config`, `invalid_input`, `path_not_allowed`, `unknown_provider`,
    /// `io`, `http_<status>`, `timeout`, `upstream`, `cancelled`, `provider`.
    pub fn error_type(&self) -> Cow<'static, str> {
        match self {
            Self::Config(_) => "config".into(),
            Self::InvalidInput(_) => "invalid_input".into(),
            Self::PathNotAllowed { .. } => "path_not_allowed".into(),
            Self::UnknownProvider { .. } => "unknown_provider".into(),
            Self::Io { .. } => "io".into(),
            Self::Http { status, .. } => format!("http_{status}").into(),
            Self::Timeout(_) => "timeout".into(),
            Self::Upstream(_) => "upstream".into(),
            Self::Cancelled(_) => "cancelled".into(),
            Self::Other(_) => "provider".into(),
        }
    }

    /// Whether the caller's input was at fault (CLI exit code 2, HTTP 4xx)
    /// rather than the analysis (exit code 1, HTTP 5xx).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::Config(_)
                | Self::InvalidInput(_)
                | Self::PathNotAllowed { .. }
                | Self::UnknownProvider { .. }
        )
    }

    /// An [`ProviderError::Io`] with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_are_short_and_stable() {
        let http = ProviderError::Http {
            status: 429,
            message: "slow down".into(),
        };
        assert_eq!(http.error_type(), "http_429");
        assert_eq!(ProviderError::Other("x".into()).error_type(), "provider");
        assert!(ProviderError::Config("x".into()).is_bad_input());
        assert!(!ProviderError::Timeout(Duration::from_secs(1)).is_bad_input());
    }

    #[test]
    fn unknown_provider_lists_the_alternatives() {
        let err = ProviderError::UnknownProvider {
            name: "nope".into(),
            available: vec!["local".into(), "openai".into()],
        };
        assert_eq!(
            err.to_string(),
            "unknown provider \"nope\"; available: local, openai"
        );
    }
}
