//! Redaction: masks secrets in provider configuration, and scrubs the masked
//! values out of text that may echo them (error messages, recommendations).
//!
//! A key is sensitive when its lowercased name contains any of
//! [`SENSITIVE_KEY_PARTS`]. Matching is by substring so that it fails closed:
//! `max_tokens` is masked too.

use serde_json::{Map, Value};

/// Substrings that make a configuration key sensitive.
pub const SENSITIVE_KEY_PARTS: [&str; 10] = [
    "key",
    "secret",
    "token",
    "password",
    "api",
    "auth",
    "credential",
    "passphrase",
    "private",
    "cookie",
];

/// What a masked value is replaced with.
pub const MASK: &str = "***";

/// Masked strings shorter than this are not scrubbed from free text: a
/// two-letter secret would mangle every message it appears in.
pub const MIN_SCRUB_LEN: usize = 4;

/// Whether a configuration key names a secret.
pub fn is_sensitive_key(key: &str) -> bool {
    let lower = key.to_lowercase();
    SENSITIVE_KEY_PARTS.iter().any(|part| lower.contains(part))
}

/// A redacted configuration and the scrubber for the values it masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    /// The configuration with every sensitive value replaced by [`MASK`] and
    /// every URL's credentials masked.
    pub config: Value,
    /// Scrubs what was masked from free text.
    pub scrubber: Scrubber,
}

/// Redacts a provider configuration without changing the caller's value.
///
/// `null` and an empty object both become `{}`. A value that is not an object
/// is kept as given, with any nested objects redacted.
pub fn redact(config: &Value) -> Redacted {
    let mut secrets = Vec::new();
    let config = match config {
        Value::Null => Value::Object(Map::new()),
        other => redact_value(other, &mut secrets),
    };
    Redacted {
        config,
        scrubber: Scrubber::new(secrets),
    }
}

fn redact_value(value: &Value, secrets: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let redacted = if is_sensitive_key(key) {
                        collect_strings(value, secrets);
                        Value::String(MASK.to_owned())
                    } else {
                        redact_value(value, secrets)
                    };
                    (key.clone(), redacted)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_value(v, secrets)).collect())
        }
        Value::String(text) => {
            let (masked, found) = mask_url_credentials(text);
            secrets.extend(found);
            Value::String(masked)
        }
        other => other.clone(),
    }
}

/// Collects every string below a masked value, so that it can be scrubbed.
fn collect_strings(value: &Value, secrets: &mut Vec<String>) {
    match value {
        Value::String(text) => secrets.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, secrets)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, secrets)),
        _ => {}
    }
}

/// Replaces the `user:pass` part of every `scheme://user:pass@host` in `text`
/// with [`MASK`]; returns the new text and the credentials it removed.
fn mask_url_credentials(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        match authority.rfind('@') {
            Some(at) if authority[..at].contains(':') => {
                let userinfo = &authority[..at];
                found.push(userinfo.to_owned());
                if let Some((_, password)) = userinfo.split_once(':') {
                    found.push(password.to_owned());
                }
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[authority_len..];
    }
    out.push_str(rest);
    (out, found)
}

/// `config` without the keys `drop` matches, at every depth of nested
/// objects and arrays, and the dotted paths of the keys removed (`a.b`,
/// `list[0].c`), sorted. The caller's value is not changed.
///
/// Adapters use it on configuration that arrives from outside (a request, a
/// pipeline payload) so that it cannot name an address, a path or a
/// credential, whatever the provider would do with it.
pub fn strip_keys(config: &Value, drop: impl Fn(&str) -> bool) -> (Value, Vec<String>) {
    fn strip(
        value: &Value,
        at: &str,
        drop: &dyn Fn(&str) -> bool,
        removed: &mut Vec<String>,
    ) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter_map(|(key, value)| {
                        let path = if at.is_empty() {
                            key.clone()
                        } else {
                            format!("{at}.{key}")
                        };
                        if drop(key) {
                            removed.push(path);
                            None
                        } else {
                            Some((key.clone(), strip(value, &path, drop, removed)))
                        }
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| strip(item, &format!("{at}[{i}]"), drop, removed))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    let mut removed = Vec::new();
    let value = strip(config, "", &drop, &mut removed);
    removed.sort();
    (value, removed)
}

/// Removes known secret values and URL credentials from free text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scrubber {
    /// Longest first, so that a secret containing another is removed whole.
    secrets: Vec<String>,
}

impl Scrubber {
    /// A scrubber for these values; those shorter than [`MIN_SCRUB_LEN`]
    /// characters are ignored.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.chars().count() >= MIN_SCRUB_LEN)
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets }
    }

    /// Whether it knows no secret values (URL credentials are still masked).
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every known secret and URL credential replaced by
    /// [`MASK`].
    pub fn scrub(&self, text: &str) -> String {
        let (mut out, _) = mask_url_credentials(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// `value` with [`Scrubber::scrub`] applied to every string in it, keys
    /// included.
    pub fn scrub_value(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.scrub(text)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.scrub_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.scrub(k), self.scrub_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_flat_keys_by_substring_and_case() {
        let input = json!({
            "API_KEY": "sk-live-123",
            "model": "gpt",
            "max_tokens": 1024,
            "Client-Secret": "s3cr3t",
            "top_n": 5,
        });
        let out = redact(&input).config;
        assert_eq!(
            out,
            json!({
                "API_KEY": "***",
                "model": "gpt",
                "max_tokens": "***",
                "Client-Secret": "***",
                "top_n": 5,
            })
        );
        assert_eq!(
            input["API_KEY"], "sk-live-123",
            "the caller's config is untouched"
        );
    }

    #[test]
    fn masks_nested_objects_and_arrays_of_objects() {
        let input = json!({
            "upstream": {"headers": {"Authorization": "Bearer abcdef"}, "name": "x"},
            "backends": [{"password": "hunter22"}, {"host": "db"}],
            "credentials": {"user": "u", "pass": "p"},
        });
        let out = redact(&input).config;
        assert_eq!(out["upstream"]["headers"]["Authorization"], "***");
        assert_eq!(out["upstream"]["name"], "x");
        assert_eq!(out["backends"][0]["password"], "***");
        assert_eq!(out["backends"][1]["host"], "db");
        assert_eq!(out["credentials"], "***");
    }

    #[test]
    fn empty_and_non_object_configs() {
        assert_eq!(redact(&Value::Null).config, json!({}));
        assert_eq!(redact(&json!({})).config, json!({}));
        assert_eq!(redact(&json!(42)).config, json!(42));
        assert_eq!(
            redact(&json!([{"token": "abcd"}, "x"])).config,
            json!([{"token": "***"}, "x"])
        );
    }

    #[test]
    fn masks_url_credentials_in_values() {
        let out = redact(&json!({"base_url": "https://bob:pa55word@example.com/v1"}));
        assert_eq!(out.config["base_url"], "https://***@example.com/v1");
        assert_eq!(
            out.scrubber.scrub("failed: pa55word rejected"),
            "failed: *** rejected"
        );
    }

    #[test]
    fn user_only_urls_are_left_alone() {
        let out = redact(&json!({"url": "postgres://postgres@127.0.0.1/test"}));
        assert_eq!(out.config["url"], "postgres://postgres@127.0.0.1/test");
    }

    #[test]
    fn scrubs_masked_values_from_text() {
        let redacted = redact(&json!({"api_key": "sk-abcdef", "pin": {"secret": "xy"}}));
        let scrubbed = redacted
            .scrubber
            .scrub("401: invalid key sk-abcdef for https://a:b@h/x; xy");
        assert_eq!(scrubbed, "401: invalid key *** for https://***@h/x; xy");
    }

    #[test]
    fn longer_secrets_are_scrubbed_before_their_prefixes() {
        let scrubber = Scrubber::new(["abcd".to_owned(), "abcdefgh".to_owned()]);
        assert_eq!(scrubber.scrub("x abcdefgh y abcd"), "x *** y ***");
    }

    #[test]
    fn strip_keys_removes_at_every_depth_and_names_what_it_removed() {
        let input = json!({
            "base_url": "x",
            "model": "m",
            "nested": {"host": "h", "keep": 1},
            "list": [{"path": "/etc", "n": 2}, 3],
        });
        let (out, removed) = strip_keys(&input, |k| {
            ["url", "host", "path"].iter().any(|p| k.contains(p))
        });
        assert_eq!(
            out,
            json!({"model": "m", "nested": {"keep": 1}, "list": [{"n": 2}, 3]})
        );
        assert_eq!(removed, ["base_url", "list[0].path", "nested.host"]);
        assert_eq!(input["base_url"], "x", "the caller's value is untouched");
    }

    #[test]
    fn scrub_value_reaches_every_string() {
        let scrubber = Scrubber::new(["topsecret".to_owned()]);
        let value = json!({"a": ["topsecret", {"b": "x topsecret"}], "topsecret": 1});
        assert_eq!(
            scrubber.scrub_value(&value),
            json!({"a": ["***", {"b": "x ***"}], "***": 1})
        );
    }
}
