//! Reading the stage payload: the provider name, its configuration without
//! location keys, and the checker output reference.

use serde_json::{Map, Value};

use crate::error::ExecutorError;

/// Substrings that make a `provider_config` key name a location (a URL, a
/// host, a filesystem path). Such keys are dropped, at every depth, before
/// the configuration reaches a provider or the audit record: a pipeline
/// payload may choose a model, never where a provider connects or what it
/// scans. Matching is by lowercased substring, so it fails closed.
pub const LOCATION_KEY_PARTS: [&str; 10] = [
    "url", "uri", "host", "path", "endpoint", "addr", "dir", "root", "socket", "proxy",
];

/// Whether a configuration key names a URL, host or path.
pub fn is_location_key(key: &str) -> bool {
    let lower = key.to_lowercase();
    LOCATION_KEY_PARTS.iter().any(|part| lower.contains(part))
}

/// The payload, read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StagePayload {
    /// The provider asked for; `None` means the default.
    pub provider: Option<String>,
    /// `provider_config` without location keys; `{}` when absent.
    pub config: Value,
    /// The location keys that were dropped, as dotted paths.
    pub stripped: Vec<String>,
    /// The checker output reference; empty when absent.
    pub checker_output_ref: String,
}

impl StagePayload {
    /// Reads a payload. `null` is an empty payload; anything else that is not
    /// an object, or a key of the wrong type, is
    /// [`ExecutorError::InvalidPayload`].
    pub fn parse(payload: &Value) -> Result<Self, ExecutorError> {
        let empty = Map::new();
        let map = match payload {
            Value::Null => &empty,
            Value::Object(map) => map,
            other => {
                return Err(ExecutorError::InvalidPayload(format!(
                    "expected a JSON object, got {}",
                    intelligence_core::json::kind_of(other)
                )));
            }
        };

        let provider = match map.get("provider") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) if name.trim().is_empty() => None,
            Some(Value::String(name)) => Some(name.trim().to_owned()),
            Some(other) => {
                return Err(ExecutorError::InvalidPayload(format!(
                    "`provider` must be a string, got {}",
                    intelligence_core::json::kind_of(other)
                )));
            }
        };

        let (config, stripped) = match map.get("provider_config") {
            None | Some(Value::Null) => (Value::Object(Map::new()), Vec::new()),
            Some(config @ Value::Object(_)) => strip_location_keys(config),
            Some(other) => {
                return Err(ExecutorError::InvalidPayload(format!(
                    "`provider_config` must be an object, got {}",
                    intelligence_core::json::kind_of(other)
                )));
            }
        };

        let checker_output_ref = match map.get("checker_output_ref") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(reference)) => reference.clone(),
            Some(other) => {
                return Err(ExecutorError::InvalidPayload(format!(
                    "`checker_output_ref` must be a string, got {}",
                    intelligence_core::json::kind_of(other)
                )));
            }
        };

        Ok(Self {
            provider,
            config,
            stripped,
            checker_output_ref,
        })
    }

    /// The provider name a payload asks for, read leniently so that a
    /// payload rejected for another reason is still recorded under the
    /// provider it named.
    pub fn provider_hint(payload: &Value) -> Option<&str> {
        payload
            .get("provider")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|name| !name.is_empty())
    }
}

/// `config` without the keys [`is_location_key`] matches, at every depth of
/// nested objects and arrays, and the dotted paths of the keys it dropped,
/// sorted. The caller's value is not changed.
pub fn strip_location_keys(config: &Value) -> (Value, Vec<String>) {
    intelligence_core::strip_keys(config, is_location_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strips_location_keys_at_every_depth_and_keeps_the_rest() {
        let config = json!({
            "model": "m",
            "api_key": "sk-1",
            "base_url": "http://127.0.0.1:9/v1",
            "Scan_Paths": ["/etc"],
            "nested": {"hostname": "db", "top_n": 3},
            "list": [{"endpoint": "x", "keep": true}],
        });
        let (stripped, dropped) = strip_location_keys(&config);
        assert_eq!(
            stripped,
            json!({
                "model": "m",
                "api_key": "sk-1",
                "nested": {"top_n": 3},
                "list": [{"keep": true}],
            })
        );
        assert_eq!(
            dropped,
            [
                "Scan_Paths",
                "base_url",
                "list[0].endpoint",
                "nested.hostname"
            ]
        );
        assert_eq!(
            config["base_url"], "http://127.0.0.1:9/v1",
            "input unchanged"
        );
    }

    #[test]
    fn a_uri_is_a_location_as_for_the_views() {
        // The HTTP views drop `uri` keys; a pipeline payload must not get
        // further than an HTTP body.
        for key in ["api_uri", "redirect_URI", "uri"] {
            assert!(is_location_key(key), "{key}");
        }
        let (stripped, dropped) =
            strip_location_keys(&json!({"api_uri": "http://x", "model": "m"}));
        assert_eq!(stripped, json!({"model": "m"}));
        assert_eq!(dropped, ["api_uri"]);
    }

    #[test]
    fn reads_a_full_payload() {
        let payload = json!({
            "provider": " openai ",
            "provider_config": {"model": "m", "disk_path": "/"},
            "checker_output_ref": "checker:t:p:check",
        });
        let read = StagePayload::parse(&payload).expect("valid");
        assert_eq!(read.provider.as_deref(), Some("openai"));
        assert_eq!(read.config, json!({"model": "m"}));
        assert_eq!(read.stripped, ["disk_path"]);
        assert_eq!(read.checker_output_ref, "checker:t:p:check");
    }

    #[test]
    fn null_and_empty_values_mean_the_defaults() {
        for payload in [
            Value::Null,
            json!({}),
            json!({"provider": null, "provider_config": null}),
            json!({"provider": "  "}),
        ] {
            let read = StagePayload::parse(&payload).expect("valid");
            assert_eq!(read.provider, None, "{payload}");
            assert_eq!(read.config, json!({}), "{payload}");
        }
    }

    #[test]
    fn rejects_values_of_the_wrong_type_with_a_clear_message() {
        let cases = [
            (json!("local"), "expected a JSON object, got a string"),
            (json!([1]), "expected a JSON object, got an array"),
            (
                json!({"provider": 3}),
                "`provider` must be a string, got a number",
            ),
            (
                json!({"provider_config": "x"}),
                "`provider_config` must be an object, got a string",
            ),
            (
                json!({"checker_output_ref": {}}),
                "`checker_output_ref` must be a string, got an object",
            ),
        ];
        for (payload, message) in cases {
            let err = StagePayload::parse(&payload).expect_err("invalid");
            assert_eq!(err.to_string(), format!("invalid stage payload: {message}"));
        }
    }

    #[test]
    fn the_provider_hint_survives_an_invalid_payload() {
        let payload = json!({"provider": "openai", "provider_config": 1});
        assert!(StagePayload::parse(&payload).is_err());
        assert_eq!(StagePayload::provider_hint(&payload), Some("openai"));
        assert_eq!(StagePayload::provider_hint(&json!("x")), None);
    }
}
