//! Redaction: masks secrets in provider configuration, and scrubs the masked
//! values out of text that may echo them (error messages, recommendations).
//!
//! A key is sensitive when its lowercased name contains any of
//! [`SENSITIVE_KEY_PARTS`]. Matching is by substring so that it fails closed:
//! `max_tokens` is masked too. Before matching, invisible characters are
//! dropped and full-width letters read as ASCII, so that `pass\u{200b}word`
//! and `Ａpi_ｋey` are sensitive as well.

use serde_json::{Map, Value};

/// Substrings that make a configuration key sensitive: DESIGN.md's list,
/// and `pass`, `pwd`, `bearer`, `signature`, which name secrets as often
/// (`db_pass`, `pwd`, `bearer`, `sas_signature`).
pub const SENSITIVE_KEY_PARTS: [&str; 14] = [
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
    "pass",
    "pwd",
    "bearer",
    "signature",
];

/// What a masked value is replaced with.
pub const MASK: &str = "***";

/// Masked strings shorter than this are not scrubbed from free text: a
/// two-letter secret would mangle every message it appears in.
pub const MIN_SCRUB_LEN: usize = 4;

/// Whether a configuration key names a secret.
pub fn is_sensitive_key(key: &str) -> bool {
    let folded = fold_key(key);
    SENSITIVE_KEY_PARTS.iter().any(|part| folded.contains(part))
}

/// `key` as it is matched: lowercase, without invisible characters (zero
/// widths, joiners, direction marks, soft hyphens, variation selectors,
/// tags), full-width forms read as their ASCII letters.
fn fold_key(key: &str) -> String {
    key.chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| match u32::from(c) {
            // Full-width ASCII: U+FF01..=U+FF5E are U+0021..=U+007E.
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Characters that render as nothing, so a key can hide a word behind them.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xE0000..=0xE0FFF
    )
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
                    // A key can be a URL too, credentials and all.
                    let (key, found) = mask_url_credentials(key, true);
                    secrets.extend(found);
                    (key, redacted)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_value(v, secrets)).collect())
        }
        Value::String(text) => {
            let (masked, found) = mask_url_credentials(text, true);
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

/// Where a URL may end in text: whitespace (unless `spaces`), quotes and
/// angle brackets.
fn ends_url(c: char, spaces: bool) -> bool {
    matches!(c, '"' | '\'' | '<' | '>') || (!spaces && c.is_whitespace())
}

/// Replaces the `user:pass` part of every `scheme://user:pass@host` in `text`
/// with [`MASK`]; returns the new text and the credentials it removed.
///
/// Passwords are not always percent-encoded, so a password runs to the last
/// `@` of the URL and may hold `/`, `?`, `#` or `@`, as long as the user
/// name before its `:` holds none of `/ ? # @` (which would make the `@` a
/// part of the path or query: `https://h/x?next=a:b@c` is left alone). With
/// `spaces`, for a configuration value that is one URL, the URL runs over
/// whitespace too, so that a password with a raw space is masked whole.
fn mask_url_credentials(text: &str, spaces: bool) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let url_len = after
            .find(|c: char| ends_url(c, spaces))
            .unwrap_or(after.len());
        let userinfo_len = after[..url_len].rfind('@').filter(|&at| {
            after[..at]
                .split_once(':')
                .is_some_and(|(user, _)| !user.contains(['/', '?', '#', '@']))
        });
        let consumed = match userinfo_len {
            Some(at) => {
                let userinfo = &after[..at];
                found.push(userinfo.to_owned());
                if let Some((_, password)) = userinfo.split_once(':') {
                    found.push(password.to_owned());
                }
                out.push_str(MASK);
                at
            }
            None => 0,
        };
        rest = &after[consumed..];
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
    ///
    /// Text that was cut short may end in the first part of a secret: a
    /// trailing part of [`MIN_SCRUB_LEN`] characters or more that begins a
    /// known secret is masked too (before a trailing `…` or `...` as
    /// well). Cutting after scrubbing is still the way to cut; this is the
    /// net below it.
    pub fn scrub(&self, text: &str) -> String {
        let (mut out, _) = mask_url_credentials(text, false);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        for secret in &self.secrets {
            mask_cut_secret(&mut out, secret);
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

/// Masks the longest first part of `secret` (at least [`MIN_SCRUB_LEN`]
/// characters) that `text` ends with, before any trailing ellipsis.
fn mask_cut_secret(text: &mut String, secret: &str) {
    let body_len = text
        .strip_suffix('…')
        .or_else(|| text.strip_suffix("..."))
        .map_or(text.len(), str::len);
    let body = &text[..body_len];
    // The secret's first MIN_SCRUB_LEN characters must stand in the body's
    // last secret.len() bytes; looking for them first keeps the usual case
    // (no such tail) free of allocation.
    let head_len = secret
        .char_indices()
        .nth(MIN_SCRUB_LEN)
        .map_or(secret.len(), |(i, _)| i);
    let head = &secret[..head_len];
    let mut window = body_len.saturating_sub(secret.len());
    while !body.is_char_boundary(window) {
        window += 1;
    }
    // The earliest match whose rest of the body begins the secret is the
    // longest cut part.
    let cut_at = body[window..]
        .match_indices(head)
        .map(|(at, _)| window + at)
        .find(|&at| secret.starts_with(&body[at..]));
    if let Some(start) = cut_at {
        text.replace_range(start..body_len, MASK);
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
    fn url_passwords_run_to_the_last_at_whatever_they_hold() {
        let out = redact(&json!({
            "slash": "postgres://u:pa/SLASH-SECRET@127.0.0.1/x",
            "query": "redis://:q?QMARK-SECRET@127.0.0.1/0",
            "hash": "amqp://u:h#HASH-SECRET@127.0.0.1/",
            "at": "postgres://u:p@AT-SECRET@127.0.0.1/x",
            "space": "mongodb://u:sp ace-SECRET@127.0.0.1/",
        }));
        assert_eq!(out.config["slash"], "postgres://***@127.0.0.1/x");
        assert_eq!(out.config["query"], "redis://***@127.0.0.1/0");
        assert_eq!(out.config["hash"], "amqp://***@127.0.0.1/");
        assert_eq!(out.config["at"], "postgres://***@127.0.0.1/x");
        assert_eq!(out.config["space"], "mongodb://***@127.0.0.1/");
        // The passwords are scrubbed from text, and so are credentials of
        // that shape met in text.
        let text = out
            .scrubber
            .scrub("auth failed for pa/SLASH-SECRET via ftp://me:x/y?z@h/ok");
        assert_eq!(text, "auth failed for *** via ftp://***@h/ok");
    }

    #[test]
    fn a_key_that_is_a_url_has_its_credentials_masked() {
        let out = redact(&json!({"nested": {"https://bob:hunter2@127.0.0.1": 1}}));
        assert_eq!(out.config, json!({"nested": {"https://***@127.0.0.1": 1}}));
        assert_eq!(out.scrubber.scrub("bad hunter2"), "bad ***");
    }

    #[test]
    fn an_at_in_a_path_or_query_is_no_credential() {
        for text in [
            "https://h/x?next=a:b@c",
            "https://user@host/a:b@c",
            "see https://h.example/p and mail a:b@c.example",
            "https://registry.example/@scope/pkg:1.0",
        ] {
            assert_eq!(Scrubber::default().scrub(text), text);
        }
    }

    #[test]
    fn keys_hidden_behind_invisible_or_full_width_letters_are_sensitive() {
        for key in [
            "pass\u{200b}word",
            "\u{ff21}pi_\u{ff4b}ey",
            "to\u{00ad}ken",
            "se\u{feff}cret",
            "pwd",
            "db_pass",
            "bearer",
            "sas_signature",
        ] {
            assert!(is_sensitive_key(key), "{key:?}");
        }
        for key in ["model", "top_n", "threshold_mb", "path", "mapping"] {
            assert!(!is_sensitive_key(key), "{key:?}");
        }
    }

    #[test]
    fn a_secret_cut_short_at_the_end_of_text_is_masked() {
        let scrubber = Scrubber::new(["sk-trial-0123456789".to_owned()]);
        assert_eq!(
            scrubber.scrub("error: bad key sk-trial-01234"),
            "error: bad key ***"
        );
        assert_eq!(scrubber.scrub("title sk-trial-0…"), "title ***…");
        assert_eq!(scrubber.scrub("title sk-trial..."), "title ***...");
        // Fewer than MIN_SCRUB_LEN characters of it, or not at the end: kept.
        assert_eq!(scrubber.scrub("ends in sk-"), "ends in sk-");
        assert_eq!(scrubber.scrub("sk-trial-0 and more"), "sk-trial-0 and more");
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
