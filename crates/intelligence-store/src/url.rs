//! Database URLs: which backend, which file or server, and how to show one
//! without its password.

use std::path::PathBuf;

use crate::error::StoreError;

/// Where a store keeps its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server, as a libpq URL.
    Postgres(String),
}

/// Parses `postgres://...` (or `postgresql://`), `sqlite:///absolute/path.db`
/// or a plain file path.
pub(crate) fn parse(url: &str) -> Result<Target, StoreError> {
    let trimmed = url.trim();
    let invalid = |reason: &str| StoreError::InvalidUrl {
        url: mask(trimmed),
        reason: reason.to_owned(),
    };
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(Target::Postgres(trimmed.to_owned()));
    }
    if let Some(rest) = trimmed.strip_prefix("sqlite://") {
        if !rest.starts_with('/') {
            return Err(invalid("expected sqlite:///absolute/path.db"));
        }
        return Ok(Target::Sqlite(PathBuf::from(rest)));
    }
    if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(invalid(&format!(
            "unsupported scheme {scheme:?}: expected postgres://, sqlite:/// or a file path"
        )));
    }
    if is_conninfo(trimmed) {
        // Taken as a file path it would create a file named after the
        // password.
        return Err(invalid(
            "a libpq key=value connection string is not supported: \
             give a URL such as postgres://user@host:5432/db",
        ));
    }
    if trimmed == ":memory:" || trimmed.starts_with("file:") {
        return Err(invalid(
            "in-memory and URI-style SQLite names are not supported: give a file path",
        ));
    }
    Ok(Target::Sqlite(PathBuf::from(trimmed)))
}

/// The connection keywords of libpq that can open a key=value connection
/// string (`host=db user=app password=...`).
const CONNINFO_KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "service",
    "sslmode",
    "connect_timeout",
    "application_name",
    "options",
];

/// Whether `text` reads as a libpq key=value connection string: it begins
/// with one of libpq's keywords and `=`.
fn is_conninfo(text: &str) -> bool {
    text.split_once('=').is_some_and(|(key, _)| {
        CONNINFO_KEYWORDS
            .iter()
            .any(|keyword| key.trim().eq_ignore_ascii_case(keyword))
    })
}

/// The URL with the password of its user info and any `password=` parameter
/// replaced by `***`, for messages and logs. A libpq key=value string keeps
/// only its keywords (`host=*** password=***`): a quoted value may hold
/// spaces, so every value is masked rather than guessing where the
/// password ends.
///
/// It fails closed: the user info runs to the last `@` of the URL, so a
/// password holding a raw `@`, `/` or `?` is masked whole (an `@` inside a
/// query parameter masks more than it needs to, never less).
pub fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        if is_conninfo(url.trim()) {
            return url
                .split_whitespace()
                .filter_map(|token| token.split_once('='))
                .map(|(key, _)| format!("{key}=***"))
                .collect::<Vec<_>>()
                .join(" ");
        }
        return url.to_owned();
    };
    let (authority, tail) = match rest.rfind('@') {
        Some(at) => {
            let (user_info, after) = rest.split_at(at);
            let user_info = match user_info.split_once(':') {
                Some((user, _password)) => format!("{user}:***"),
                None => user_info.to_owned(),
            };
            let host_end = after.find(['/', '?']).unwrap_or(after.len());
            let (host, tail) = after.split_at(host_end);
            (format!("{user_info}{host}"), tail)
        }
        None => {
            let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (host, tail) = rest.split_at(host_end);
            (host.to_owned(), tail)
        }
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if is_password_key(key) => format!("{key}=***"),
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Whether a URL parameter holds a password: libpq's `password`, and
/// `sslpassword`, the passphrase of the client's SSL key.
fn is_password_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("sslpassword")
}

/// The secrets of `url`: its password, and the parts of a password that
/// holds a raw `@` (libpq splits it there and may echo either part as a
/// host name). Only those of four characters or more, as in `run()`'s
/// redaction: a shorter one would garble every message it appears in.
fn secrets(url: &str) -> Vec<&str> {
    let mut found = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        if let Some(at) = rest.rfind('@')
            && let Some((_, password)) = rest[..at].split_once(':')
        {
            found.push(password);
            found.extend(password.split('@'));
        }
        if let Some((_, query)) = rest.split_once('?') {
            found.extend(query.split('&').filter_map(|param| {
                param
                    .split_once('=')
                    .filter(|(key, _)| is_password_key(key))
                    .map(|(_, value)| value)
            }));
        }
    }
    found.retain(|secret| secret.chars().count() >= 4);
    found.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    found
}

/// `message` (an error from the database's client library, which may
/// quote the URL it was given) with `url` shown masked and its password
/// replaced by `***` wherever it appears.
pub(crate) fn scrub(message: &str, url: &str) -> String {
    let mut scrubbed = message.replace(url, &mask(url));
    for secret in secrets(url) {
        scrubbed = scrubbed.replace(secret, "***");
    }
    scrubbed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(
            parse("postgres://u@h/db").expect("pg"),
            Target::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            parse("sqlite:///var/lib/x.db").expect("sqlite url"),
            Target::Sqlite("/var/lib/x.db".into())
        );
        assert_eq!(
            parse(" data/x.db ").expect("path"),
            Target::Sqlite("data/x.db".into())
        );
    }

    #[test]
    fn refuses_what_it_cannot_open() {
        for bad in ["", "mysql://u@h/db", "sqlite://relative.db", ":memory:"] {
            let err = parse(bad).expect_err(bad);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn a_libpq_key_value_string_is_refused_without_its_password() {
        for conninfo in [
            "host=127.0.0.1 user=postgres password=hunter22",
            " dbname=test password='hunter22 with spaces'",
            "PASSWORD = hunter22",
        ] {
            let err = parse(conninfo).expect_err(conninfo);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{err}");
            let message = err.to_string();
            assert!(message.contains("postgres://"), "{message}");
            assert!(!message.contains("hunter22"), "{message}");
            assert!(!mask(conninfo).contains("hunter22"), "{conninfo}");
        }
        // A path that merely holds an '=' is still a file.
        assert_eq!(
            parse("data/a=b.db").expect("path"),
            Target::Sqlite("data/a=b.db".into())
        );
    }

    #[test]
    fn masks_passwords_and_keeps_the_rest() {
        assert_eq!(
            mask("postgres://app:s3cret@db:5432/x?sslmode=require&password=p"),
            "postgres://app:***@db:5432/x?sslmode=require&password=***"
        );
        assert_eq!(mask("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(mask("/plain/path.db"), "/plain/path.db");
        assert_eq!(
            mask("postgres://app@db/x?sslmode=disable&PASSWORD=p2&x=1"),
            "postgres://app@db/x?sslmode=disable&PASSWORD=***&x=1"
        );
        assert_eq!(
            mask("postgres://app@db/x?sslkey=/k.pem&sslpassword=KeyPass9"),
            "postgres://app@db/x?sslkey=/k.pem&sslpassword=***"
        );
        assert_eq!(
            scrub(
                "could not load private key: KeyPass9",
                "postgres://app@db/x?sslpassword=KeyPass9"
            ),
            "could not load private key: ***"
        );
    }

    #[test]
    fn a_password_with_raw_separators_is_masked_whole() {
        for (url, masked) in [
            ("postgres://u:Pw5@SECRETx@h:1/x", "postgres://u:***@h:1/x"),
            ("postgres://u:pa/SECRETx@h/db", "postgres://u:***@h/db"),
            ("postgres://u:pa?SECRETx@h/db", "postgres://u:***@h/db"),
            (
                "postgres://u:pa:SECRETx@[::1]:5432/db",
                "postgres://u:***@[::1]:5432/db",
            ),
        ] {
            assert_eq!(mask(url), masked, "{url}");
        }
    }

    #[test]
    fn a_client_error_quoting_the_url_or_a_piece_of_its_password_is_scrubbed() {
        let url = "postgres://u:Pw5@SECRETx@[::1:1/x?password=QpSECRET";
        let message =
            format!("invalid URI: \"{url}\"; could not translate host name \"SECRETx@127.0.0.1\"");
        let scrubbed = scrub(&message, url);
        assert!(!scrubbed.contains("SECRET"), "{scrubbed}");
        assert!(
            scrubbed.contains("could not translate host name"),
            "{scrubbed}"
        );
        assert_eq!(
            scrub("connection refused", "postgres://u:abc@h/x"),
            "connection refused"
        );
    }
}
