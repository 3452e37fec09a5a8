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
/// or a plain file path. A value with a `:` before its first `/` is a URL,
/// never a file path (see [`url_like_prefix`]): one this store cannot open
/// is refused, so that a mistyped `postgres:/user:password@host` does not
/// become a file named after the password.
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
    if is_conninfo(trimmed) {
        // Taken as a file path it would create a file named after the
        // password. Before the `://` check, which would quote everything
        // before an `options=a://b` as a scheme.
        return Err(invalid(
            "a libpq key=value connection string is not supported: \
             give a URL such as postgres://user@host:5432/db",
        ));
    }
    if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(invalid(&if is_scheme(scheme) {
            format!(
                "unsupported scheme {scheme:?}: expected postgres://, sqlite:/// or a file path"
            )
        } else {
            "it holds \"://\" but does not begin with a URL scheme: \
             expected postgres://, sqlite:/// or a file path"
                .to_owned()
        }));
    }
    if trimmed == ":memory:" || trimmed.starts_with("file:") {
        return Err(invalid(
            "in-memory and URI-style SQLite names are not supported: give a file path",
        ));
    }
    if let Some(prefix) = url_like_prefix(trimmed) {
        // Taken as a file path it would create a file named after
        // whatever follows, a password as like as not.
        let reason = if prefix.eq_ignore_ascii_case("postgres")
            || prefix.eq_ignore_ascii_case("postgresql")
        {
            let scheme = prefix.to_ascii_lowercase();
            format!(
                "it begins with \"{prefix}:\" but not \"{prefix}://\": \
                 write {scheme}://user:password@host:5432/db"
            )
        } else if prefix.eq_ignore_ascii_case("sqlite") {
            format!(
                "it begins with \"{prefix}:\" but not \"{prefix}:///\": \
                 write sqlite:///absolute/path.db"
            )
        } else if is_scheme(prefix) {
            format!(
                "unsupported scheme {prefix:?}: expected postgres://, sqlite:/// or a file path \
                 (write ./{prefix}:... for a file named so)"
            )
        } else {
            format!(
                "a \":\" before the first \"/\" reads as user:password@host or host:port, \
                 not a file path: expected postgres://, sqlite:/// or a file path \
                 (write ./{prefix}:... for a file named so)"
            )
        };
        return Err(invalid(&reason));
    }
    Ok(Target::Sqlite(PathBuf::from(trimmed)))
}

/// Whether `text` is a URL scheme (RFC 3986): a letter, then letters,
/// digits, `+`, `-` or `.`.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// What comes before the first `:` of `text` when no `/` comes before it
/// (`postgres:/user:pw@host`, `user:pw@host`, `host:5432/db`, `a:b.db`):
/// such a value reads as a URL, not as a file path. A file whose name holds
/// a `:` is still reached by a path with a `/` before it (`./a:b.db`,
/// `/tmp/x:y.db`). On Windows a drive (`C:\`, `C:/`) is a path, and `\`
/// separates as `/` does.
fn url_like_prefix(text: &str) -> Option<&str> {
    let (prefix, _) = text.split_once(':')?;
    if prefix.contains('/') || (cfg!(windows) && prefix.contains('\\')) {
        return None;
    }
    if cfg!(windows) && prefix.len() == 1 && prefix.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(prefix)
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
/// It fails closed. The user info runs to the last `@` before the query, so
/// a password holding a raw `@`, `/` or `?` is masked whole. The query
/// begins at the first `?` after which every `@` sits in a parameter's value
/// (`?password=Ab@cd`); a `?` followed by an `@` that does not
/// (`u:pa?ss@host`) is part of the password. A URL that reads either way (a
/// password holding an `@` and then a `?`, or `host:5432?password=a@b`
/// with no `/`, which libpq itself reads as a user info) has whatever
/// either reading takes for a secret masked.
///
/// A value with a `:` before its first `/` that is not `scheme://...`
/// (`postgres:/user:pw@host`, `user:pw@host`) keeps only what comes before
/// that `:` (`postgres:***`): without the `//` there is no telling where
/// its password would be.
pub fn mask(url: &str) -> String {
    let text = url.trim();
    if is_conninfo(text) {
        return url
            .split_whitespace()
            .filter_map(|token| token.split_once('='))
            .map(|(key, _)| format!("{key}=***"))
            .collect::<Vec<_>>()
            .join(" ");
    }
    if let Some(prefix) = url_like_prefix(text)
        && !(is_scheme(prefix) && text[prefix.len() + 1..].starts_with("//"))
        && text != ":memory:"
    {
        return format!("{prefix}:***");
    }
    let Some(spans) = secret_spans(url) else {
        return url.to_owned();
    };
    let mut masked = String::with_capacity(url.len());
    let mut shown = 0;
    for span in merge(spans) {
        masked.push_str(&url[shown..span.start]);
        masked.push_str("***");
        shown = span.end;
    }
    masked.push_str(&url[shown..]);
    masked
}

/// One way of reading the part of a URL after `://`: where its user info
/// ends (the `@`) and where its query begins (the `?`), as byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    user_info_end: Option<usize>,
    query_start: Option<usize>,
}

/// The readings of `rest` (a URL after its `://`) that could be meant.
///
/// Greedy: the user info runs to the last `@`, and the query begins at the
/// first `?` after it (a password may hold a raw `@`, `/` or `?`). Query
/// first: the query begins at the first `?` after which every `@` sits in
/// a parameter's value, and the user info runs to the last `@` before it.
/// They differ only when a query value holds an `@`. The greedy reading is
/// then dropped when every such value belongs to one of libpq's parameters
/// and libpq itself would not read a user info across that `?` (it takes
/// the user info to the first `@` unless a `/` comes first); otherwise
/// both are kept, and masking both fails closed.
fn readings(rest: &str) -> Vec<Reading> {
    let last_at = rest.rfind('@');
    let host_start = last_at.map_or(0, |at| at + 1);
    let greedy = Reading {
        user_info_end: last_at,
        query_start: rest[host_start..].find('?').map(|q| host_start + q),
    };
    let Some(question) = rest.match_indices('?').map(|(at, _)| at).find(|&at| {
        params(rest, at + 1).all(|param| !param.text.contains('@') || param.value_holds_every_at())
    }) else {
        return vec![greedy];
    };
    let query_first = Reading {
        user_info_end: rest[..question].rfind('@'),
        query_start: Some(question),
    };
    if query_first == greedy {
        return vec![greedy];
    }
    let known = params(rest, question + 1)
        .filter(|param| param.text.contains('@'))
        .all(|param| is_url_parameter(param.name));
    let libpq_reads_user_info_across = rest
        .find(['@', '/'])
        .is_some_and(|at| rest.as_bytes()[at] == b'@' && at > question);
    if known && !libpq_reads_user_info_across {
        vec![query_first]
    } else {
        vec![greedy, query_first]
    }
}

/// One `name=value` (or bare `name`) parameter of a query.
struct Param<'a> {
    /// The whole parameter.
    text: &'a str,
    /// Its name, as written (not decoded).
    name: &'a str,
    /// Where its value lies in the text the query was taken from, when it
    /// has an `=`.
    value: Option<std::ops::Range<usize>>,
}

impl Param<'_> {
    /// Whether every `@` of the parameter is in its value.
    fn value_holds_every_at(&self) -> bool {
        self.value.is_some() && !self.name.contains('@')
    }
}

/// The `&`-separated parameters of the query that starts at byte `start`
/// of `text`.
fn params(text: &str, start: usize) -> impl Iterator<Item = Param<'_>> {
    let mut offset = start;
    text[start..].split('&').map(move |param| {
        let param_start = offset;
        offset += param.len() + 1;
        match param.split_once('=') {
            Some((name, _)) => Param {
                text: param,
                name,
                value: Some(param_start + name.len() + 1..param_start + param.len()),
            },
            None => Param {
                text: param,
                name: param,
                value: None,
            },
        }
    })
}

/// The byte ranges of `url` that hold a secret under any of its
/// [`readings`]: the password of the user info, the values of password
/// parameters. `None` when `url` has no `://`.
fn secret_spans(url: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let mut spans = Vec::new();
    for reading in readings(rest) {
        if let Some(at) = reading.user_info_end
            && let Some(colon) = rest[..at].find(':')
        {
            spans.push(start + colon + 1..start + at);
        }
        if let Some(question) = reading.query_start {
            spans.extend(
                params(rest, question + 1)
                    .filter(|param| is_password_key(param.name))
                    .filter_map(|param| param.value)
                    .map(|value| start + value.start..start + value.end),
            );
        }
    }
    Some(spans)
}

/// `spans` in order, overlapping or touching ones joined.
fn merge(mut spans: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    spans.sort_by_key(|span| (span.start, span.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Whether a URL parameter holds a password: libpq's `password`, and
/// `sslpassword`, the passphrase of the client's SSL key, in any case and
/// percent-encoded or not (libpq decodes parameter names: `passw%6Frd` is
/// `password`). A name that does not decode cleanly counts as one: it
/// fails closed.
fn is_password_key(key: &str) -> bool {
    decode_name(key).is_none_or(|name| {
        name.eq_ignore_ascii_case("password") || name.eq_ignore_ascii_case("sslpassword")
    })
}

/// `name` percent-decoded as libpq decodes a URL's parameter names, or
/// `None` when it does not decode cleanly: a `%` without two hex digits
/// after it, a `%00`, or bytes that are not UTF-8.
fn decode_name(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let hex = |offset: usize| {
                bytes
                    .get(at + offset)
                    .and_then(|digit| char::from(*digit).to_digit(16))
            };
            let value = hex(1)? * 16 + hex(2)?;
            if value == 0 {
                return None;
            }
            decoded.push(u8::try_from(value).ok()?);
            at += 3;
        } else {
            decoded.push(byte);
            at += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The parameters libpq reads from a URL's query (PostgreSQL 15 to 18).
/// Only used to tell a query value holding an `@` from a password holding
/// a `?`; the list errs on the side of being short, which masks more.
const URL_PARAMETERS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "min_protocol_version",
    "max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "ssl",
];

/// Whether `name`, percent-decoded, is one of libpq's [`URL_PARAMETERS`].
/// A name that does not decode cleanly is not.
fn is_url_parameter(name: &str) -> bool {
    decode_name(name).is_some_and(|name| {
        URL_PARAMETERS
            .iter()
            .any(|parameter| name.eq_ignore_ascii_case(parameter))
    })
}

/// The secrets of `url`: what [`mask`] hides, and the parts of each around
/// a raw `@` (libpq splits a password there and may echo either part as a
/// host name). Only those of four characters or more, as in `run()`'s
/// redaction: a shorter one would garble every message it appears in.
fn secrets(url: &str) -> Vec<&str> {
    let mut found: Vec<&str> = secret_spans(url)
        .unwrap_or_default()
        .into_iter()
        .map(|span| &url[span])
        .flat_map(|secret| std::iter::once(secret).chain(secret.split('@')))
        .filter(|secret| secret.chars().count() >= 4)
        .collect();
    found.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    found.dedup();
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
            "host=h password=hunter22 options=a://b",
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
    fn a_value_with_a_colon_before_any_slash_is_a_url_not_a_file() {
        for (bad, masked, hint) in [
            (
                "postgres:/postgres:S3cretTYPO@127.0.0.1/x",
                "postgres:***",
                "write postgres://",
            ),
            (
                "postgresql:postgres:S3cretTYPO2@127.0.0.1",
                "postgresql:***",
                "write postgresql://",
            ),
            (
                " Postgres:S3cretTYPO@h ",
                "Postgres:***",
                "write postgres://",
            ),
            ("sqlite:/tmp/S3cretTYPO.db", "sqlite:***", "sqlite:///"),
            ("sqlite:S3cretTYPO.db", "sqlite:***", "sqlite:///"),
            (
                "mysql:u:S3cretTYPO@h/db",
                "mysql:***",
                "unsupported scheme \"mysql\"",
            ),
            ("app:S3cretTYPO@db.example/x", "app:***", "./app:..."),
            ("127.0.0.1:5432/S3cretTYPO", "127.0.0.1:***", "host:port"),
            ("_svc:S3cretTYPO@h", "_svc:***", "user:password@host"),
            (
                "u:S3cretTYPO@h://x",
                "u:***",
                "does not begin with a URL scheme",
            ),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{bad}: {err}");
            let message = err.to_string();
            assert!(!message.contains("S3cret"), "{bad}: {message}");
            assert!(message.contains(&format!("{masked:?}")), "{bad}: {message}");
            assert!(message.contains(hint), "{bad}: {message}");
            assert_eq!(mask(bad), masked, "{bad}");
        }
        // A `:` after a `/` is part of a file name.
        for path in [
            "./a:b.db",
            "/tmp/x:y.db",
            "data/a:b.db",
            "../up/x:y.db",
            "a.db",
        ] {
            assert_eq!(
                parse(path).expect(path),
                Target::Sqlite(path.into()),
                "{path}"
            );
            assert_eq!(mask(path), path);
        }
        assert_eq!(mask(":memory:"), ":memory:");
        assert_eq!(mask("data/x://u:S3cret@h"), "data/x://u:***@h");
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
    fn an_at_in_a_query_value_is_not_taken_for_the_end_of_the_user_info() {
        for (url, masked) in [
            (
                "postgres://postgres@127.0.0.1:5432/trial_b?password=Ab@cdS3cretAT",
                "postgres://postgres@127.0.0.1:5432/trial_b?password=***",
            ),
            (
                "postgres://127.0.0.1:5432/trial_b?password=Ab@cdS3cretAT",
                "postgres://127.0.0.1:5432/trial_b?password=***",
            ),
            (
                "postgres://u:pw@h/db?sslmode=require&sslpassword=Ab@cd&password=S@3",
                "postgres://u:***@h/db?sslmode=require&sslpassword=***&password=***",
            ),
            (
                "postgres://u@h/db?application_name=me@there&password=S3cret",
                "postgres://u@h/db?application_name=me@there&password=***",
            ),
        ] {
            assert_eq!(mask(url), masked, "{url}");
        }
        let url = "postgres://postgres@127.0.0.1:5432/trial_b?password=Ab@cdS3cretAT";
        assert_eq!(
            scrub("bad password Ab@cdS3cretAT for host cdS3cretAT", url),
            "bad password *** for host ***"
        );
    }

    #[test]
    fn a_password_or_a_query_holding_an_at_is_masked_as_both_when_unsure() {
        // A password holding `@` then `?` (`Xy@3?q=Z`, `q` being no libpq
        // parameter), and `host:port?password=` with no `/` (which libpq
        // itself reads as a user info up to the `@`).
        for (url, masked) in [
            ("postgres://u:Xy@3?q=Z@h/db", "postgres://u:***@h/db"),
            ("postgres://h:5432?password=Ab@cdSECRET", "postgres://h:***"),
            ("postgres://u:pa?password=SECRET@h/db", "postgres://u:***"),
        ] {
            assert_eq!(mask(url), masked, "{url}");
            assert!(!scrub(url, url).contains("SECRET"), "{url}");
        }
    }

    #[test]
    fn a_percent_encoded_password_name_is_masked_and_scrubbed() {
        for (url, masked) in [
            (
                "postgres://postgres@127.0.0.1:5432/trial_b?passw%6Frd=S3cretENC",
                "postgres://postgres@127.0.0.1:5432/trial_b?passw%6Frd=***",
            ),
            (
                "postgres://u@h/db?sslmode=disable&%50ASSWORD=S3cretENC",
                "postgres://u@h/db?sslmode=disable&%50ASSWORD=***",
            ),
            (
                "postgres://u@h/db?%73sl%70assword=S3cretENC",
                "postgres://u@h/db?%73sl%70assword=***",
            ),
            (
                "postgres://u@h/db?passw%6Frd=Ab@cdS3cretENC",
                "postgres://u@h/db?passw%6Frd=***",
            ),
        ] {
            assert_eq!(mask(url), masked, "{url}");
            let (_, password) = url.rsplit_once('=').expect("a value");
            assert_eq!(
                scrub(&format!("password {password} rejected: {url}"), url),
                format!("password *** rejected: {masked}"),
                "{url}"
            );
        }
        // Other names, decoded, are left alone.
        assert_eq!(
            mask("postgres://u@h/db?ssl%6Dode=require"),
            "postgres://u@h/db?ssl%6Dode=require"
        );
    }

    #[test]
    fn a_parameter_name_that_does_not_decode_has_its_value_masked() {
        for name in [
            "passw%6",
            "passw%zzrd",
            "passw%",
            "pass%00word",
            "pass%FFword",
        ] {
            let url = format!("postgres://u@h/db?sslmode=disable&{name}=S3cretBAD");
            assert_eq!(
                mask(&url),
                format!("postgres://u@h/db?sslmode=disable&{name}=***"),
                "{url}"
            );
            assert!(!scrub(&url, &url).contains("S3cretBAD"), "{url}");
            // With an `@` in the value too.
            let url = format!("postgres://u@h/db?{name}=Ab@cdS3cretBAD");
            assert!(!mask(&url).contains("S3cretBAD"), "{url}: {}", mask(&url));
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
