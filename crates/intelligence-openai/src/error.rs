//! [`OpenAiError`]: what can go wrong between this crate and the API, and
//! how each failure maps onto the core's [`ProviderError`] and the audit
//! record's `error_type`.

use std::time::Duration;

use intelligence_core::ProviderError;

/// Why a chat completion did not give usable recommendations, or why the
/// settings cannot be used.
///
/// Messages never contain the API key; the provider scrubs them again before
/// they leave the crate, in case an upstream echoed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenAiError {
    /// A setting is unusable; `field` names it, the value is never shown for
    /// `api_key`.
    #[error("invalid openai setting {field}: {reason}")]
    InvalidSetting {
        /// The setting's name, as in the JSON configuration.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The public OpenAI API was configured without an API key: no request
    /// is sent, since it could only answer 401.
    #[error("no api key: set OPENAI_API_KEY to use {endpoint}")]
    MissingApiKey {
        /// The chat completions URL.
        endpoint: String,
    },

    /// The HTTP client could not be built (TLS initialisation).
    #[error("could not build the http client: {0}")]
    Client(String),

    /// The endpoint could not be reached: refused, DNS, TLS, reset.
    #[error("could not reach {endpoint}: {reason}")]
    Connect {
        /// The chat completions URL.
        endpoint: String,
        /// What the connection attempt said.
        reason: String,
    },

    /// No complete reply arrived within the configured timeout.
    #[error("no reply from {endpoint} within {timeout:?}")]
    Timeout {
        /// The chat completions URL.
        endpoint: String,
        /// The configured timeout.
        timeout: Duration,
    },

    /// The endpoint answered with a status other than 2xx.
    #[error("{endpoint} returned HTTP {status}: {message}")]
    Status {
        /// The chat completions URL.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The API's error message (or the body), cut short, with the
        /// `Retry-After` value appended when there was one.
        message: String,
    },

    /// A 2xx reply that is not a chat completion.
    #[error("unreadable reply from {endpoint}: {reason}")]
    MalformedReply {
        /// The chat completions URL.
        endpoint: String,
        /// What was wrong with it.
        reason: String,
    },

    /// A chat completion whose message carries no text.
    #[error("reply has no content (finish_reason {finish_reason})")]
    NoContent {
        /// Why the model stopped, as it said; `unknown` when absent.
        finish_reason: String,
    },

    /// The model declined to answer.
    #[error("model refused: {0}")]
    Refusal(String),

    /// The reply hit `max_tokens` before one complete recommendation.
    #[error("reply cut off at max_tokens {max_tokens} before any complete recommendation")]
    Truncated {
        /// The configured limit.
        max_tokens: u32,
    },
}

impl OpenAiError {
    /// The short, low-cardinality kind recorded as the audit record's
    /// `error_type`: `config`, `client`, `connect`, `timeout`,
    /// `http_<status>`, `upstream`, `no_content`, `refusal`, `truncated`.
    pub fn error_type(&self) -> String {
        match self {
            Self::InvalidSetting { .. } | Self::MissingApiKey { .. } => "config".to_owned(),
            Self::Client(_) => "client".to_owned(),
            Self::Connect { .. } => "connect".to_owned(),
            Self::Timeout { .. } => "timeout".to_owned(),
            Self::Status { status, .. } => format!("http_{status}"),
            Self::MalformedReply { .. } => "upstream".to_owned(),
            Self::NoContent { .. } => "no_content".to_owned(),
            Self::Refusal(_) => "refusal".to_owned(),
            Self::Truncated { .. } => "truncated".to_owned(),
        }
    }
}

impl From<OpenAiError> for ProviderError {
    fn from(err: OpenAiError) -> Self {
        match err {
            OpenAiError::InvalidSetting { .. } | OpenAiError::MissingApiKey { .. } => {
                Self::Config(err.to_string())
            }
            OpenAiError::Timeout { timeout, .. } => Self::Timeout(timeout),
            OpenAiError::Status {
                status, message, ..
            } => Self::Http { status, message },
            OpenAiError::Client(_) => Self::Other(err.to_string()),
            other => Self::Upstream(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_match_the_core_names_where_they_overlap() {
        let status = OpenAiError::Status {
            endpoint: "http://h/v1/chat/completions".into(),
            status: 429,
            message: "slow down".into(),
        };
        assert_eq!(status.error_type(), "http_429");
        let core = ProviderError::from(status);
        assert_eq!(core.error_type(), "http_429");

        let timeout = OpenAiError::Timeout {
            endpoint: "e".into(),
            timeout: Duration::from_millis(300),
        };
        assert_eq!(timeout.error_type(), "timeout");
        assert_eq!(ProviderError::from(timeout).error_type(), "timeout");
    }

    #[test]
    fn invalid_settings_are_bad_input_for_the_adapters() {
        let err = OpenAiError::InvalidSetting {
            field: "max_tokens",
            reason: "must be a positive integer, got -1".into(),
        };
        assert_eq!(
            err.to_string(),
            "invalid openai setting max_tokens: must be a positive integer, got -1"
        );
        assert!(ProviderError::from(err).is_bad_input());
    }
}
