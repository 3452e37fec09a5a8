//! Request-supplied provider configuration: what a request may tune, and
//! what is removed before any provider is built.
//!
//! A request can never point a provider somewhere else or hand it a
//! credential: every key (at any depth) whose lowercased name contains one of
//! [`FORBIDDEN_KEY_PARTS`], or that is a token (`token`, `*_token`, but not
//! `max_tokens`), is removed. The registry's factories apply only their
//! tunables anyway; this is the second lock on the door.

use serde_json::{Map, Value};

use crate::error::ViewsError;

/// Key name fragments that make a request-supplied config key be removed.
pub const FORBIDDEN_KEY_PARTS: &[&str] = &[
    "url",
    "uri",
    "host",
    "path",
    "endpoint",
    "proxy",
    "socket",
    "root",
    "key",
    "secret",
    "password",
    "passwd",
    "credential",
    "auth",
    "cookie",
];

/// The config with forbidden keys removed, and the removed keys' names
/// (dotted paths). `null` becomes `{}`; anything but an object is refused.
pub fn sanitize(config: Option<&Value>) -> Result<(Value, Vec<String>), ViewsError> {
    match config {
        None | Some(Value::Null) => Ok((Value::Object(Map::new()), Vec::new())),
        Some(config @ Value::Object(_)) => Ok(intelligence_core::strip_keys(config, forbidden)),
        Some(other) => Err(ViewsError::invalid(
            "config",
            format!(
                "must be a JSON object, got {}",
                intelligence_core::json::kind_of(other)
            ),
        )),
    }
}

/// The most characters of a removed key's name that are logged; a longer
/// name is cut there and ends in `...`.
pub const MAX_LOGGED_KEY_CHARS: usize = 64;

/// A removed key's name (its dotted path, as [`sanitize`] returns it) as it
/// may appear in the logs. A request chooses its key names, so a name is
/// treated like any other client text: the credentials of a URL in it
/// (`scheme://user:pass@host`) are masked by the core's scrubber, then it
/// is cut to [`MAX_LOGGED_KEY_CHARS`] characters. Masking comes first, so
/// that a cut cannot leave the start of a password behind its `@`.
pub(crate) fn loggable_key(path: &str) -> String {
    let masked = intelligence_core::Scrubber::default().scrub(path);
    match masked.char_indices().nth(MAX_LOGGED_KEY_CHARS) {
        Some((cut, _)) => format!("{}...", &masked[..cut]),
        None => masked,
    }
}

/// Whether a request may not set a key with this name.
pub fn forbidden(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    FORBIDDEN_KEY_PARTS.iter().any(|part| lower.contains(part))
        || lower == "token"
        || lower.ends_with("_token")
        || lower.ends_with("-token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_paths_and_credentials_are_removed_at_every_depth() {
        let config = json!({
            "base_url": "http://evil.example",
            "host": "evil.example",
            "scan_paths": ["/etc"],
            "allowed_roots": ["/"],
            "api_key": "sk-x",
            "OPENAI_API_KEY": "sk-y",
            "access_token": "t",
            "model": "gpt-x",
            "max_tokens": 10,
            "top_n": 3,
            "nested": {"proxy": "socks5://x", "keep": 1},
        });
        let (clean, mut removed) = sanitize(Some(&config)).expect("object");
        assert_eq!(
            clean,
            json!({"model": "gpt-x", "max_tokens": 10, "top_n": 3, "nested": {"keep": 1}})
        );
        removed.sort();
        assert_eq!(
            removed,
            [
                "OPENAI_API_KEY",
                "access_token",
                "allowed_roots",
                "api_key",
                "base_url",
                "host",
                "nested.proxy",
                "scan_paths"
            ]
        );
    }

    #[test]
    fn logged_key_names_have_url_credentials_masked() {
        assert_eq!(
            loggable_key("https://bob:KEYNAME-SECRET-15@127.0.0.1"),
            "https://***@127.0.0.1"
        );
        assert_eq!(
            loggable_key("nested.postgres://u:pw@db/x"),
            "nested.postgres://***@db/x"
        );
        assert_eq!(loggable_key("api_key"), "api_key");
        assert_eq!(loggable_key("list[0].base_url"), "list[0].base_url");
    }

    #[test]
    fn long_logged_key_names_are_cut_after_masking() {
        let long = format!("key_{}", "é".repeat(100));
        let logged = loggable_key(&long);
        assert_eq!(logged.chars().count(), MAX_LOGGED_KEY_CHARS + 3);
        assert!(
            logged.starts_with("key_é") && logged.ends_with("é..."),
            "{logged}"
        );
        let exact = "k".repeat(MAX_LOGGED_KEY_CHARS);
        assert_eq!(loggable_key(&exact), exact);

        // Cut first, the `@` would be gone and the password's start kept.
        let secret = "LONGSECRET".repeat(10);
        let logged = loggable_key(&format!("https://bob:{secret}@example.com"));
        assert_eq!(logged, "https://***@example.com");
    }

    #[test]
    fn null_is_empty_and_non_objects_are_refused() {
        assert_eq!(sanitize(None).expect("none").0, json!({}));
        assert_eq!(sanitize(Some(&Value::Null)).expect("null").0, json!({}));
        let err = sanitize(Some(&json!([1]))).expect_err("array");
        assert!(err.to_string().contains("an array"), "{err}");
    }
}
