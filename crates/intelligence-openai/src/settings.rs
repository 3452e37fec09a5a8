//! [`OpenAiSettings`]: the server-side configuration, read from the
//! environment, narrowed per run by a JSON configuration that may change the
//! model, the token limit and the timeout, and nothing else.

use std::fmt;
use std::time::Duration;

use intelligence_core::ProviderError;
use reqwest::Url;
use serde_json::Value;

use crate::error::OpenAiError;

/// The model asked for when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// The completion token limit when none is configured.
pub const DEFAULT_MAX_TOKENS: u32 = 1024;
/// How long one request may take, connection to last byte, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The public OpenAI API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// The longest timeout a JSON configuration may ask for.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);

/// The environment variable holding the API key.
pub const ENV_API_KEY: &str = "OPENAI_API_KEY";
/// The environment variable holding the base URL.
pub const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
/// The environment variable holding the model name.
pub const ENV_MODEL: &str = "OPENAI_MODEL";

/// How to reach the chat completions API.
///
/// Its `Debug` output shows `api_key` as `Some("***")` or `None`, never the
/// key itself.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiSettings {
    /// The bearer token; `None` sends no `Authorization` header (a local
    /// server may need none).
    pub api_key: Option<String>,
    /// The model to ask, `gpt-4o-mini` by default.
    pub model: String,
    /// The completion token limit, 1024 by default.
    pub max_tokens: u32,
    /// How long one request may take, 30 s by default.
    pub timeout: Duration,
    /// The API root that `/chat/completions` is appended to, the public
    /// OpenAI API by default; any OpenAI-compatible server works.
    pub base_url: String,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            model: DEFAULT_MODEL.to_owned(),
            max_tokens: DEFAULT_MAX_TOKENS,
            timeout: DEFAULT_TIMEOUT,
            base_url: DEFAULT_BASE_URL.to_owned(),
        }
    }
}

impl fmt::Debug for OpenAiSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiSettings")
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("model", &self.model)
            .field("max_tokens", &self.max_tokens)
            .field("timeout", &self.timeout)
            .field("base_url", &self.shown_base_url())
            .finish()
    }
}

impl OpenAiSettings {
    /// The base URL scrubbed of the key (a proxy may take it in the path),
    /// of URL credentials and of secret-looking query values.
    fn shown_base_url(&self) -> String {
        self.scrubber().scrub(&self.base_url)
    }

    /// What scrubs the key and the base URL's secrets ([`Self::url_secrets`])
    /// from text, and URL credentials.
    pub(crate) fn scrubber(&self) -> intelligence_core::Scrubber {
        intelligence_core::Scrubber::new(self.api_key.iter().cloned().chain(self.url_secrets()))
    }

    /// The defaults, with `OPENAI_API_KEY`, `OPENAI_BASE_URL` and
    /// `OPENAI_MODEL` applied where they are set and not blank.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`OpenAiSettings::from_env`] over any variable lookup.
    pub(crate) fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let defaults = Self::default();
        Self {
            api_key: var(ENV_API_KEY),
            model: var(ENV_MODEL).unwrap_or(defaults.model),
            base_url: var(ENV_BASE_URL).unwrap_or(defaults.base_url),
            ..defaults
        }
    }

    /// These settings with `model`, `max_tokens` and `timeout_secs` taken
    /// from a JSON object where present.
    ///
    /// Every other key is ignored: a request can never set the API key or the
    /// base URL. `null` changes nothing; a value that is not an object, or a
    /// key of the wrong type or range, is [`ProviderError::Config`] naming
    /// the key.
    pub fn with_overrides(&self, config: &Value) -> Result<Self, ProviderError> {
        self.apply(config).map_err(ProviderError::from)
    }

    fn apply(&self, config: &Value) -> Result<Self, OpenAiError> {
        let mut out = self.clone();
        let map = match config {
            Value::Null => return Ok(out),
            Value::Object(map) => map,
            other => {
                return Err(OpenAiError::InvalidSetting {
                    field: "config",
                    reason: format!(
                        "expected a JSON object, got {}",
                        intelligence_core::json::kind_of(other)
                    ),
                });
            }
        };
        if let Some(value) = map.get("model") {
            out.model = parse_model(value)?;
        }
        if let Some(value) = map.get("max_tokens") {
            out.max_tokens = parse_max_tokens(value)?;
        }
        if let Some(value) = map.get("timeout_secs") {
            out.timeout = parse_timeout(value)?;
        }
        Ok(out)
    }

    /// The chat completions URL: the base URL with `/chat/completions`
    /// appended to its path, with or without a trailing slash.
    pub(crate) fn endpoint(&self) -> Result<Url, OpenAiError> {
        let invalid = |reason: String| OpenAiError::InvalidSetting {
            field: "base_url",
            reason,
        };
        let mut url = Url::parse(self.base_url.trim())
            .map_err(|err| invalid(format!("not a URL ({err})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "expected an http or https URL, got scheme {:?}",
                url.scheme()
            )));
        }
        if url.cannot_be_a_base() || url.host().is_none() {
            return Err(invalid("the URL has no host".to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // The HTTP client would send them as Basic authorization in
            // place of the key; neither is shown.
            return Err(invalid(
                "must not carry credentials (user:password@); put the API key in OPENAI_API_KEY"
                    .to_owned(),
            ));
        }
        let path = format!("{}/chat/completions", url.path().trim_end_matches('/'));
        url.set_path(&path);
        Ok(url)
    }

    /// The values of the base URL's query that may be a gateway's key (under
    /// a sensitive name such as `api-key`, `code` or `sig`, or 16 characters
    /// and longer), for the provider to scrub from what upstream echoes.
    pub(crate) fn url_secrets(&self) -> Vec<String> {
        let Ok(url) = Url::parse(self.base_url.trim()) else {
            return Vec::new();
        };
        url.query_pairs()
            .filter(|(name, value)| {
                let name = name.to_ascii_lowercase();
                intelligence_core::redact::is_sensitive_key(&name)
                    || matches!(name.as_str(), "code" | "sig" | "sv")
                    || value.chars().count() >= 16
            })
            .map(|(_, value)| value.into_owned())
            .collect()
    }

    /// Checks every field; the key is checked without being shown.
    pub(crate) fn validate(&self) -> Result<(), OpenAiError> {
        parse_model(&Value::String(self.model.clone()))?;
        if self.max_tokens == 0 {
            return Err(OpenAiError::InvalidSetting {
                field: "max_tokens",
                reason: "must be at least 1".to_owned(),
            });
        }
        if self.timeout.is_zero() {
            return Err(OpenAiError::InvalidSetting {
                field: "timeout",
                reason: "must be longer than zero".to_owned(),
            });
        }
        if let Some(key) = &self.api_key {
            let usable = !key.trim().is_empty() && key.chars().all(|c| c.is_ascii_graphic());
            if !usable {
                return Err(OpenAiError::InvalidSetting {
                    field: "api_key",
                    reason: "must be printable ASCII without spaces (value not shown)".to_owned(),
                });
            }
        }
        self.endpoint().map(drop)
    }
}

fn parse_model(value: &Value) -> Result<String, OpenAiError> {
    let invalid = |reason: String| OpenAiError::InvalidSetting {
        field: "model",
        reason,
    };
    let Value::String(model) = value else {
        return Err(invalid(format!(
            "expected a string, got {}",
            intelligence_core::json::kind_of(value)
        )));
    };
    let model = model.trim();
    if model.is_empty() {
        return Err(invalid("must not be empty".to_owned()));
    }
    if model.chars().count() > 200 || model.chars().any(char::is_control) {
        return Err(invalid(
            "must be at most 200 characters, without control characters".to_owned(),
        ));
    }
    Ok(model.to_owned())
}

/// A wrong value as an error shows it: a number as it is, anything else by
/// its kind only, since a request's text (under `max_tokens`, a name the
/// record masks) is echoed into responses and logs.
fn shown_value(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => intelligence_core::json::kind_of(other).to_owned(),
    }
}

fn parse_max_tokens(value: &Value) -> Result<u32, OpenAiError> {
    value
        .as_u64()
        .filter(|n| *n >= 1)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| OpenAiError::InvalidSetting {
            field: "max_tokens",
            reason: format!(
                "expected an integer from 1 to {}, got {}",
                u32::MAX,
                shown_value(value)
            ),
        })
}

fn parse_timeout(value: &Value) -> Result<Duration, OpenAiError> {
    value
        .as_f64()
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|timeout| *timeout <= MAX_TIMEOUT)
        .ok_or_else(|| OpenAiError::InvalidSetting {
            field: "timeout_secs",
            reason: format!(
                "expected a number of seconds above 0 and at most {}, got {}",
                MAX_TIMEOUT.as_secs(),
                shown_value(value)
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keyed() -> OpenAiSettings {
        OpenAiSettings {
            api_key: Some("sk-test-0123456789".into()),
            ..OpenAiSettings::default()
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let settings = OpenAiSettings::default();
        assert_eq!(settings.api_key, None);
        assert_eq!(settings.model, "gpt-4o-mini");
        assert_eq!(settings.max_tokens, 1024);
        assert_eq!(settings.timeout, Duration::from_secs(30));
        assert_eq!(settings.base_url, "https://api.openai.com/v1");
    }

    #[test]
    fn reads_the_three_variables_and_ignores_blank_ones() {
        let settings = OpenAiSettings::from_vars(|name| match name {
            "OPENAI_API_KEY" => Some(" sk-env-key\n".into()),
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:8080/v1".into()),
            "OPENAI_MODEL" => Some("   ".into()),
            _ => None,
        });
        assert_eq!(settings.api_key.as_deref(), Some("sk-env-key"));
        assert_eq!(settings.base_url, "http://127.0.0.1:8080/v1");
        assert_eq!(settings.model, DEFAULT_MODEL);

        let empty = OpenAiSettings::from_vars(|_| Some(String::new()));
        assert_eq!(empty, OpenAiSettings::default());
    }

    #[test]
    fn debug_never_prints_the_key() {
        let text = format!("{:?} {:#?}", keyed(), keyed());
        assert!(!text.contains("sk-test-0123456789"), "{text}");
        assert!(text.contains(r#"api_key: Some("***")"#), "{text}");
    }

    #[test]
    fn overrides_apply_only_model_max_tokens_and_timeout() {
        let base = keyed();
        let out = base
            .with_overrides(&json!({
                "model": "gpt-4.1",
                "max_tokens": 256,
                "timeout_secs": 0.3,
                "api_key": "sk-from-a-request",
                "base_url": "http://evil.example/v1",
                "unknown": true,
            }))
            .expect("valid overrides");
        assert_eq!(out.model, "gpt-4.1");
        assert_eq!(out.max_tokens, 256);
        assert_eq!(out.timeout, Duration::from_millis(300));
        assert_eq!(out.api_key, base.api_key);
        assert_eq!(out.base_url, base.base_url);

        assert_eq!(base.with_overrides(&Value::Null).expect("null"), base);
        assert_eq!(base.with_overrides(&json!({})).expect("empty"), base);
    }

    #[test]
    fn wrong_overrides_are_config_errors_naming_the_key() {
        let base = OpenAiSettings::default();
        for (config, field) in [
            (json!({"model": 4}), "model"),
            (json!({"model": " "}), "model"),
            (json!({"max_tokens": "512"}), "max_tokens"),
            (json!({"max_tokens": 0}), "max_tokens"),
            (json!({"max_tokens": -1}), "max_tokens"),
            (json!({"max_tokens": 1.5}), "max_tokens"),
            (json!({"max_tokens": 5_000_000_000_u64}), "max_tokens"),
            (json!({"timeout_secs": 0}), "timeout_secs"),
            (json!({"timeout_secs": "30"}), "timeout_secs"),
            (json!({"timeout_secs": 601}), "timeout_secs"),
            (json!([1, 2]), "config"),
        ] {
            let err = base.with_overrides(&config).expect_err("invalid");
            assert!(
                matches!(&err, ProviderError::Config(message) if message.contains(field)),
                "{config} gave {err}"
            );
        }
    }

    #[test]
    fn a_base_url_with_credentials_is_refused_without_showing_them() {
        for base_url in [
            "http://bob:BASEPW-SECRET-1@127.0.0.1:8080/v1",
            "https://TOKENONLY-SECRET@gw.example/v1",
        ] {
            let settings = OpenAiSettings {
                base_url: base_url.to_owned(),
                ..OpenAiSettings::default()
            };
            let err = settings
                .validate()
                .expect_err("credentials in the base url");
            let text = err.to_string();
            assert!(text.contains("must not carry credentials"), "{text}");
            assert!(!text.contains("SECRET"), "{text}");
        }
    }

    #[test]
    fn the_base_urls_query_values_are_secrets_to_scrub() {
        let settings = OpenAiSettings {
            base_url: "http://127.0.0.1:8080/v1?api-key=QUERY-SECRET-2&x=1".to_owned(),
            ..OpenAiSettings::default()
        };
        assert_eq!(settings.url_secrets(), ["QUERY-SECRET-2"]);
        assert!(OpenAiSettings::default().url_secrets().is_empty());
    }

    #[test]
    fn a_wrong_text_value_is_named_by_its_kind_not_echoed() {
        let err = OpenAiSettings::default()
            .with_overrides(&json!({"max_tokens": "MAXTOK-SECRET-20"}))
            .expect_err("a string");
        let text = err.to_string();
        assert!(text.contains("got a string"), "{text}");
        assert!(!text.contains("MAXTOK"), "{text}");
        let err = OpenAiSettings::default()
            .with_overrides(&json!({"timeout_secs": -3}))
            .expect_err("negative");
        assert!(err.to_string().contains("got -3"), "{err}");
    }

    #[test]
    fn endpoint_joins_with_and_without_trailing_slash_and_prefix() {
        for (base, expected) in [
            (
                "http://127.0.0.1:9/v1",
                "http://127.0.0.1:9/v1/chat/completions",
            ),
            (
                "http://127.0.0.1:9/v1/",
                "http://127.0.0.1:9/v1/chat/completions",
            ),
            ("http://127.0.0.1:9", "http://127.0.0.1:9/chat/completions"),
            ("http://127.0.0.1:9/", "http://127.0.0.1:9/chat/completions"),
            (
                "https://gw.example/openai/v1//",
                "https://gw.example/openai/v1/chat/completions",
            ),
            (
                "https://api.openai.com/v1?api-version=1",
                "https://api.openai.com/v1/chat/completions?api-version=1",
            ),
        ] {
            let settings = OpenAiSettings {
                base_url: base.into(),
                ..OpenAiSettings::default()
            };
            assert_eq!(settings.endpoint().expect(base).as_str(), expected);
        }
    }

    #[test]
    fn bad_base_urls_and_keys_are_refused_without_showing_the_key() {
        for base in ["not a url", "ftp://h/v1", "mailto:x@y", "file:///tmp"] {
            let settings = OpenAiSettings {
                base_url: base.into(),
                ..OpenAiSettings::default()
            };
            let err = settings.validate().expect_err(base);
            assert!(err.to_string().contains("base_url"), "{err}");
        }

        let settings = OpenAiSettings {
            api_key: Some("sk-bad key\n".into()),
            ..OpenAiSettings::default()
        };
        let err = settings.validate().expect_err("bad key").to_string();
        assert!(err.contains("api_key") && !err.contains("sk-bad"), "{err}");

        assert!(keyed().validate().is_ok());
        let zero = OpenAiSettings {
            max_tokens: 0,
            ..OpenAiSettings::default()
        };
        assert!(zero.validate().is_err());
    }
}
