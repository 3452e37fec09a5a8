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
    if trimmed == ":memory:" || trimmed.starts_with("file:") {
        return Err(invalid(
            "in-memory and URI-style SQLite names are not supported: give a file path",
        ));
    }
    Ok(Target::Sqlite(PathBuf::from(trimmed)))
}

/// The URL with the password of its user info and any `password=` parameter
/// replaced by `***`.
pub(crate) fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
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
    fn masks_passwords_and_keeps_the_rest() {
        assert_eq!(
            mask("postgres://app:s3cret@db:5432/x?sslmode=require&password=p"),
            "postgres://app:***@db:5432/x?sslmode=require&password=***"
        );
        assert_eq!(mask("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(mask("/plain/path.db"), "/plain/path.db");
    }
}
