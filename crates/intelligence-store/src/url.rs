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
    if let Some(scheme_end) = ["postgres://", "postgresql://"]
        .into_iter()
        .find(|scheme| trimmed.starts_with(scheme))
        .map(str::len)
    {
        check_postgres(&trimmed[scheme_end..]).map_err(|reason| invalid(&reason))?;
        return Ok(Target::Postgres(trimmed.to_owned()));
    }
    if let Some(rest) = trimmed.strip_prefix("sqlite://") {
        if !rest.starts_with('/') {
            return Err(invalid("expected sqlite:///absolute/path.db"));
        }
        if rest.contains(['?', '#']) {
            // A URL's query or fragment, which would otherwise become part
            // of the file's name (`q?mode=ro`).
            return Err(invalid(
                "a \"?\" or \"#\" in a sqlite:// URL starts a query or fragment, \
                 which is not supported: give sqlite:///absolute/path.db with no options, \
                 or a plain file path (which is taken literally)",
            ));
        }
        return sqlite_file(rest).map_err(|reason| invalid(&reason));
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
    sqlite_file(trimmed).map_err(|reason| invalid(&reason))
}

/// A SQLite file path, refused when it names a directory by its form
/// (`data/`, `data/.`, `..`): `Path` drops a trailing `/`, so `/tmp/db/`
/// would otherwise create a file named `/tmp/db`.
fn sqlite_file(path: &str) -> Result<Target, String> {
    let last = path.rsplit('/').next().unwrap_or(path);
    if matches!(last, "" | "." | "..") {
        let dir = if last.is_empty() {
            path.trim_end_matches('/')
        } else {
            path
        };
        return Err(format!(
            "it ends in {:?}, which names a directory: name a database file, \
             such as {dir}/intelligence.db",
            if last.is_empty() { "/" } else { last }
        ));
    }
    Ok(Target::Sqlite(PathBuf::from(path)))
}

/// Checks what of a `postgres://` URL (`rest`, the part after `://`) can be
/// checked without a server, and says what is wrong.
///
/// The user info (the user name and password, before the `@`) must hold no
/// raw `/`, `?`, `#` or second `@`, under any of the [`readings`] that
/// [`mask`] considers: libpq ends the user info at the first `@`, and
/// takes a `/` before any `@` for the start of the database name, so it
/// would read a password holding one as a host and a port, fail, and quote
/// pieces of it in its error (`invalid integer value "Hunter2" for
/// connection option "port"`); it never connects with such a URL. A query
/// value holding an `@` (`?application_name=me@there`) is no user info.
///
/// Each port of the host list (`h1:5432,h2:5433,[::1]:5434`) must be a
/// number from 1 to 65535, or empty (libpq's default). A port holding a
/// `%` is left to libpq, which decodes it first. Query parameters are left
/// to libpq too: which ones exist depends on its version, and its own
/// errors for them are told apart as bad input ([`is_refused_option`]).
fn check_postgres(rest: &str) -> Result<(), String> {
    let readings = readings(rest);
    let mut raw: Vec<char> = Vec::new();
    for reading in &readings {
        if let Some(at) = reading.user_info_end {
            raw.extend(
                rest[..at]
                    .chars()
                    .filter(|c| matches!(c, '/' | '?' | '#' | '@')),
            );
        }
    }
    if !raw.is_empty() {
        raw.sort_unstable();
        raw.dedup();
        let named = raw
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(format!(
            "the user name and password (before the last \"@\") hold a raw {named}, \
             which libpq cannot read: percent-encode \"/\" as %2F, \"@\" as %40, \
             \"?\" as %3F and \"#\" as %23"
        ));
    }
    // With a clean user info every reading ends it at the same `@`: the
    // greedy one (at the last `@`) would have held the `?` of a query
    // value holding an `@`.
    let hosts_start = readings
        .last()
        .and_then(|reading| reading.user_info_end)
        .map_or(0, |at| at + 1);
    let hosts = &rest[hosts_start..];
    let hosts = &hosts[..hosts.find(['/', '?']).unwrap_or(hosts.len())];
    check_hosts(hosts)
}

/// Checks a libpq host list (`h1:5432,[::1]:5433,h3`), as libpq splits it:
/// a host in `[...]` may hold `:`, and a port follows a `:` up to the
/// next `,`.
fn check_hosts(mut hosts: &str) -> Result<(), String> {
    loop {
        let port;
        if let Some(bracketed) = hosts.strip_prefix('[') {
            let Some(close) = bracketed.find(']') else {
                return Err("an IPv6 host address has a \"[\" but no \"]\"".to_owned());
            };
            let after = &bracketed[close + 1..];
            (port, hosts) = match after.chars().next() {
                None => (None, ""),
                Some(',') => (None, &after[1..]),
                Some(':') => split_port(&after[1..]),
                Some(other) => {
                    return Err(format!(
                        "unexpected {other:?} after the IPv6 host address \"[{}]\": \
                         expected \":\" and a port, \",\" and another host, or \"/\"",
                        &bracketed[..close]
                    ));
                }
            };
        } else {
            let end = hosts.find([':', ',']).unwrap_or(hosts.len());
            let rest = &hosts[end..];
            (port, hosts) = match rest.strip_prefix(':') {
                Some(after) => split_port(after),
                None => (None, rest.strip_prefix(',').unwrap_or(rest)),
            };
        }
        if let Some(port) = port {
            check_port(port)?;
        }
        if hosts.is_empty() {
            return Ok(());
        }
    }
}

/// The port at the start of `text` (up to a `,`) and what follows the `,`.
fn split_port(text: &str) -> (Option<&str>, &str) {
    match text.split_once(',') {
        Some((port, rest)) => (Some(port), rest),
        None => (Some(text), ""),
    }
}

/// Whether `port` is empty (libpq's default), holds a `%` (libpq decodes
/// it first), or is a number from 1 to 65535, as libpq reads one (spaces
/// around it and a `+` before it allowed).
fn check_port(port: &str) -> Result<(), String> {
    if port.is_empty() || port.contains('%') {
        return Ok(());
    }
    // `u16`'s parser takes digits with an optional `+`, as libpq does.
    if port
        .trim_ascii()
        .parse::<u16>()
        .is_ok_and(|number| number >= 1)
    {
        Ok(())
    } else {
        Err(format!("port {port:?} is not a number from 1 to 65535"))
    }
}

/// Whether `message`, an error from libpq, is one it raises while reading
/// the URL and its options, before any network I/O: a malformed URL, an
/// unknown query parameter, a value an option does not take. Such a URL is
/// the caller's mistake to fix, not a database that is down. It goes by
/// the wording of libpq's messages, not by a list of parameter names, which
/// changes with libpq's version (so a libpq that translates its messages
/// into another language is not understood, and such an error stays a
/// failure to open).
#[cfg(any(feature = "postgres", test))]
pub(crate) fn is_refused_option(message: &str) -> bool {
    const STARTS: &[&str] = &[
        "invalid URI query parameter",
        "invalid integer value",
        "invalid port number",
        "invalid connection option",
        "unexpected character",
        "invalid percent-encoded token",
        "forbidden value %00",
        "could not match",
        "missing key/value separator",
        "extra key/value separator",
        "end of string reached when looking for matching",
        "IPv6 host address may not be empty",
    ];
    // libpq may put the error of one host's attempt after `connection to
    // server at "h", port p failed: `, as it does for a bad
    // connect_timeout; a server's own error there begins `FATAL:`.
    std::iter::once(message)
        .chain(
            message
                .match_indices("failed: ")
                .map(|(at, found)| &message[at + found.len()..]),
        )
        .map(str::trim_start)
        .any(|text| STARTS.iter().any(|start| text.starts_with(start)) || is_invalid_value(text))
}

/// Whether `message` begins `invalid NAME value:`, as libpq's errors for an
/// option's value do (`invalid sslmode value: "bogus"`,
/// `invalid target_session_attrs value: "x"`).
#[cfg(any(feature = "postgres", test))]
fn is_invalid_value(message: &str) -> bool {
    message
        .strip_prefix("invalid ")
        .and_then(|rest| rest.split_once(" value:"))
        .is_some_and(|(name, _)| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        })
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
    /// Where the whole parameter lies in the text the query was taken from.
    span: std::ops::Range<usize>,
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
        let span = param_start..param_start + param.len();
        match param.split_once('=') {
            Some((name, _)) => Param {
                text: param,
                name,
                span,
                value: Some(param_start + name.len() + 1..param_start + param.len()),
            },
            None => Param {
                text: param,
                name: param,
                span,
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
            // A password holding a raw `&` reads as a password and then
            // more parameters, which libpq names in its error
            // (`missing key/value separator "=" in URI query parameter:
            // "REST"`): what follows a password up to the next parameter
            // libpq knows is taken for more of it.
            let mut secret: Option<std::ops::Range<usize>> = None;
            for param in params(rest, question + 1) {
                if let Some(span) = &mut secret
                    && !is_url_parameter(param.name)
                {
                    span.end = start + param.span.end;
                    continue;
                }
                spans.extend(secret.take());
                if is_password_key(param.name)
                    && let Some(value) = param.value
                {
                    secret = Some(start + value.start..start + value.end);
                }
            }
            spans.extend(secret);
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

/// Where libpq may cut a URL into pieces that it then quotes one by one:
/// the user info ends at an `@`, a `/` before any `@` starts the database
/// name, `:` and `,` split hosts and ports, `?`, `&` and `=` the query.
const URL_SEPARATORS: [char; 8] = ['@', '/', ':', ',', '?', '&', '=', '#'];

/// The secrets of `url`: what [`mask`] hides, and the pieces of each
/// between the [`URL_SEPARATORS`] (libpq splits a password holding one
/// and may echo a piece as a host name, a port or a parameter). Only those
/// of four characters or more, as in `run()`'s redaction: a shorter one
/// would garble every message it appears in.
fn secrets(url: &str) -> Vec<&str> {
    let mut found: Vec<&str> = secret_spans(url)
        .unwrap_or_default()
        .into_iter()
        .map(|span| &url[span])
        .flat_map(|secret| std::iter::once(secret).chain(secret.split(URL_SEPARATORS)))
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
            mask("postgres://app@db/x?sslmode=disable&PASSWORD=p2&connect_timeout=1"),
            "postgres://app@db/x?sslmode=disable&PASSWORD=***&connect_timeout=1"
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

    #[test]
    fn a_user_info_holding_a_raw_separator_is_refused_without_its_password() {
        for (url, shown, named) in [
            (
                "postgres://app:Hunter2/xyzSECRET@db/x",
                "postgres://app:***@db/x",
                "\"/\"",
            ),
            (
                "postgres://app:Pw5ecret@ESECRET@127.0.0.1/x",
                "postgres://app:***@127.0.0.1/x",
                "\"@\"",
            ),
            (
                "postgresql://u:pa?SECRETx@h/db",
                "postgresql://u:***@h/db",
                "\"?\"",
            ),
            (
                "postgres://u:pa#SECRETx@h/db",
                "postgres://u:***@h/db",
                "\"#\"",
            ),
            (
                "postgres://u:Xy@3?q=SECRET@h/db",
                "postgres://u:***@h/db",
                "\"?\" and \"@\"",
            ),
            // libpq reads a user info up to the `@` here as well.
            (
                "postgres://h:5432?password=Ab@cdSECRET",
                "postgres://h:***",
                "\"?\"",
            ),
        ] {
            let err = parse(url).expect_err(url);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err}");
            let message = err.to_string();
            for hidden in ["SECRET", "Hunter2", "Pw5ecret"] {
                assert!(!message.contains(hidden), "{url}: {message}");
            }
            assert!(message.contains(&format!("{shown:?}")), "{url}: {message}");
            assert!(
                message.contains(&format!("raw {named},")),
                "{url}: {message}"
            );
            for encoded in ["%2F", "%40", "%3F", "%23"] {
                assert!(message.contains(encoded), "{url}: {message}");
            }
        }
        // Percent-encoded, a `:` in the password, an `@` in a query value
        // (of a parameter libpq knows), and no user info at all are fine.
        for url in [
            "postgres://app:Hunter2%2Fxyz%40E%3F%23@db/x",
            "postgres://u:pa:ss@[::1]:5432/db",
            "postgres://postgres@127.0.0.1:5432/trial_b?password=Ab@cd",
            "postgres://127.0.0.1/trial_b?password=Ab@cd",
            "postgres://u@h/db?application_name=me@there&password=S3cret",
            "postgres:///db",
            "postgres://",
        ] {
            assert_eq!(
                parse(url).expect(url),
                Target::Postgres(url.to_owned()),
                "{url}"
            );
        }
    }

    #[test]
    fn every_port_of_the_host_list_is_a_number_from_1_to_65535() {
        for (url, port) in [
            ("postgres://u@h:abc/x", "abc"),
            ("postgres://u@h:99999/x", "99999"),
            ("postgres://u@h:0/x", "0"),
            ("postgres://h:-1/x", "-1"),
            ("postgres://h1:5432,h2:x5433/db", "x5433"),
            ("postgres://h1:5432,h2:5433:5434/db", "5433:5434"),
            ("postgres://[::1]:abc/db", "abc"),
            ("postgres://h1,[::1]:70000?sslmode=disable", "70000"),
            ("postgres://u:pw@:65536", "65536"),
        ] {
            let err = parse(url).expect_err(url);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err}");
            let message = err.to_string();
            assert!(
                message.ends_with(&format!("port {port:?} is not a number from 1 to 65535")),
                "{url}: {message}"
            );
        }
        for (url, reason) in [
            ("postgres://u@[::1/db", "no \"]\""),
            ("postgres://u@[::1]x:5432/db", "unexpected 'x'"),
        ] {
            let err = parse(url).expect_err(url);
            assert!(err.to_string().contains(reason), "{url}: {err}");
        }
        for url in [
            "postgres://u@h:5432/db",
            "postgres://u@h:1/db",
            "postgres://u@h:65535/db",
            "postgres://h1:5432,h2:5433/db",
            "postgres://h1,h2:5433,h3",
            "postgres://[::1]:5432,[fe80::1%25eth0]/db",
            "postgres://u@h:/db",
            "postgres://u@:5432/db",
            "postgres://u@h:+5432/db",
            // libpq decodes a port before it reads it, and reads the query.
            "postgres://u@h:%35432/db",
            "postgres://u@h/db?port=abc",
            "postgres://h:5432?sslmode=require",
        ] {
            assert!(parse(url).is_ok(), "{url}: {:?}", parse(url));
        }
    }

    #[test]
    fn a_path_that_names_a_directory_by_its_form_is_refused() {
        for (url, hint) in [
            ("/tmp/x y/", "/tmp/x y/intelligence.db"),
            ("data/", "data/intelligence.db"),
            ("data/.", "data/./intelligence.db"),
            ("..", "../intelligence.db"),
            ("sqlite:///var/lib/x/", "/var/lib/x/intelligence.db"),
            ("sqlite:///", "/intelligence.db"),
        ] {
            let err = parse(url).expect_err(url);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err}");
            assert!(err.to_string().contains("names a directory"), "{err}");
            assert!(err.to_string().contains(hint), "{url}: {err}");
        }
        assert_eq!(
            parse("data/x.db").ok(),
            Some(Target::Sqlite("data/x.db".into()))
        );
        assert_eq!(parse("./a.").ok(), Some(Target::Sqlite("./a.".into())));
    }

    #[test]
    fn a_sqlite_url_with_a_query_or_fragment_is_refused_and_a_path_is_literal() {
        for url in ["sqlite:///tmp/t/q?mode=ro", "sqlite:///tmp/t/x.db#frag"] {
            let err = parse(url).expect_err(url);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err}");
            assert!(err.to_string().contains("not supported"), "{err}");
        }
        assert_eq!(
            parse("/tmp/t/q?mode=ro").expect("a path"),
            Target::Sqlite("/tmp/t/q?mode=ro".into())
        );
    }

    #[test]
    fn libpq_refusing_the_url_is_told_from_a_database_it_cannot_reach() {
        for refused in [
            "invalid URI query parameter: \"bogusparam\"\n",
            "invalid integer value \"abc\" for connection option \"port\"",
            "invalid port number: \"99999\"",
            "invalid sslmode value: \"bogus\"",
            "invalid target_session_attrs value: \"x\"",
            "invalid connection option \"bogus\"",
            "unexpected character \"x\" at position 20 in URI (expected \":\" or \"/\"): \"...\"",
            "invalid percent-encoded token: \"%zz\"",
            "forbidden value %00 in percent-encoded value: \"%00\"",
            "could not match 2 port numbers to 3 hosts",
            "missing key/value separator \"=\" in URI query parameter: \"x\"",
            "extra key/value separator \"=\" in URI query parameter: \"x\"",
            "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"x\"",
            "connection to server at \"127.0.0.1\", port 5432 failed: invalid integer value \"x\" for connection option \"connect_timeout\"",
        ] {
            assert!(is_refused_option(refused), "{refused}");
        }
        for unreachable in [
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
            "could not translate host name \"db\" to address: Name or service not known",
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"x\" does not exist",
            "connection to server at \"h\", port 5432 failed: FATAL:  invalid value for parameter \"search_path\": \"x\"",
            "connection to server at \"h\", port 5432 failed: FATAL:  password authentication failed for user \"u\"",
            "invalid value: \"x\"",
            "timeout expired",
        ] {
            assert!(!is_refused_option(unreachable), "{unreachable}");
        }
    }

    #[test]
    fn a_piece_of_a_password_libpq_may_quote_is_scrubbed() {
        // libpq cuts the user info at a `/` and reads the piece as a port;
        // a password parameter holding a raw `&` as more parameters.
        for (url, message, piece) in [
            (
                "postgres://app:Hunter2/xyz@db/x",
                "invalid integer value \"Hunter2\" for connection option \"port\"",
                "Hunter2",
            ),
            (
                "postgres://app:Hunter,2/xyz@db/x",
                "could not translate host name \"Hunter\" to address",
                "Hunter",
            ),
            (
                "postgres://u@h/db?password=ab&cdSECRET",
                "missing key/value separator \"=\" in URI query parameter: \"cdSECRET\"",
                "cdSECRET",
            ),
            (
                "postgres://u@h/db?password=ab&cdSECRET=ef&sslmode=disable",
                "invalid URI query parameter: \"cdSECRET\"",
                "cdSECRET",
            ),
        ] {
            let scrubbed = scrub(message, url);
            assert!(!scrubbed.contains(piece), "{url}: {scrubbed}");
            assert!(!mask(url).contains(piece), "{url}: {}", mask(url));
        }
        assert_eq!(
            mask("postgres://u@h/db?password=ab&cdSECRET=ef&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable"
        );
    }
}
