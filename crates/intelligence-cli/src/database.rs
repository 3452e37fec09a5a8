//! Which database the commands use, and opening it.
//!
//! `--database-url`, else `DATABASE_URL`, else a SQLite file in the
//! platform's data directory ([`Store::default_sqlite_path`]), created on
//! first use. A blank `--database-url` is refused; a blank `DATABASE_URL`
//! counts as unset ([`unset_blank_env`]).

use anyhow::anyhow;
use clap::ArgMatches;
use clap::parser::ValueSource;
use intelligence_store::{Store, StoreError, StoreOptions, WriteMode, mask_url};

use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult};

/// Forgets a `DATABASE_URL` that is empty or blank, as if it were unset:
/// `DATABASE_URL= intelligence ...` is how a shell unsets it for one
/// command. clap hands an empty variable over as an empty value, which
/// [`url`] would refuse as it refuses an empty `--database-url`.
pub fn unset_blank_env(global: &mut GlobalArgs, matches: &ArgMatches) {
    if matches.value_source("database_url") == Some(ValueSource::EnvVariable)
        && global
            .database_url
            .as_deref()
            .is_some_and(|url| url.trim().is_empty())
    {
        global.database_url = None;
    }
}

/// The database URL the flags and environment ask for. A blank
/// `--database-url` is a usage error, not the default database: a script
/// whose variable came out empty must not write somewhere else.
pub fn url(global: &GlobalArgs) -> CliResult<String> {
    if let Some(url) = global.database_url.as_deref().map(str::trim) {
        if url.is_empty() {
            return Err(CliError::usage(anyhow!(
                "--database-url is empty: give a database URL, or leave the flag out \
                 for the default database"
            )));
        }
        return Ok(url.to_owned());
    }
    let path = Store::default_sqlite_path().map_err(|err| {
        CliError::failed(anyhow!(err).context("cannot find a place for the default database"))
    })?;
    Ok(path.display().to_string())
}

/// Opens (and migrates) the database, with the store's batched writer:
/// for `serve`, whose runs come many at once.
pub fn open(global: &GlobalArgs) -> CliResult<Store> {
    open_with(global, &StoreOptions::default())
}

/// Opens (and migrates) the database so that each audit step is committed
/// before `run()` goes on: `recommend` reports whether its runs were
/// recorded, and a failed write must reach it as an error, not as a log
/// line from the writer thread.
pub fn open_per_step(global: &GlobalArgs) -> CliResult<Store> {
    let options = StoreOptions {
        write_mode: WriteMode::PerStep,
        ..StoreOptions::default()
    };
    open_with(global, &options)
}

/// Opens the database without connecting or migrating, for `migrate` to
/// report what it applies.
pub fn open_unmigrated(global: &GlobalArgs) -> CliResult<Store> {
    let options = StoreOptions {
        lazy: true,
        ..StoreOptions::default()
    };
    open_with(global, &options)
}

fn open_with(global: &GlobalArgs, options: &StoreOptions) -> CliResult<Store> {
    let url = url(global)?;
    Store::open_with(&url, options).map_err(|err| failure(err, &mask_url(&url)))
}

/// A store error met while opening or migrating the database shown as
/// `shown`: exit 2 for a URL that is the caller's mistake (malformed,
/// refused by the client library before it connected, or a `postgres://`
/// URL this build cannot serve: `recommend` must not go on unaudited for
/// it), 1 otherwise. An error that names the database itself is shown as
/// it is; any other gets `cannot open database URL` in front, so that the
/// line names it once.
pub fn failure(err: StoreError, shown: &str) -> CliError {
    let usage = matches!(
        err,
        StoreError::InvalidUrl { .. } | StoreError::PostgresDisabled { .. }
    );
    let names_database = matches!(
        err,
        StoreError::InvalidUrl { .. }
            | StoreError::PostgresDisabled { .. }
            | StoreError::Open { .. }
            | StoreError::Connect { .. }
            | StoreError::Migrate { .. }
    );
    let err = if names_database {
        anyhow!(err)
    } else {
        anyhow!(err).context(format!("cannot open database {shown}"))
    };
    if usage {
        CliError::usage(err)
    } else {
        CliError::failed(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_this_build_cannot_serve_is_a_usage_error() {
        let err = failure(
            StoreError::PostgresDisabled {
                url: "postgres://app:***@db/x".to_owned(),
            },
            "postgres://app:***@db/x",
        );
        assert_eq!(err.code, crate::exit::Code::Usage);
        let unreachable = failure(StoreError::NoDataDir, "x");
        assert_eq!(unreachable.code, crate::exit::Code::Failed);
    }

    #[test]
    fn passwords_never_reach_a_message() {
        for (url, shown) in [
            (
                "postgres://app:hunter22@db:5432/x",
                "postgres://app:***@db:5432/x",
            ),
            (
                "postgres://app@db/x?password=hunter22",
                "postgres://app@db/x?password=***",
            ),
            ("postgres://app:hun@ter22@db/x", "postgres://app:***@db/x"),
            ("postgres://app@db/x", "postgres://app@db/x"),
            ("/tmp/a.db", "/tmp/a.db"),
        ] {
            assert_eq!(mask_url(url), shown, "{url}");
        }
    }

    fn global(database_url: Option<&str>) -> GlobalArgs {
        GlobalArgs {
            database_url: database_url.map(str::to_owned),
            json: false,
            verbose: 0,
        }
    }

    #[test]
    fn the_flag_is_trimmed_and_a_blank_one_is_a_usage_error() {
        assert_eq!(url(&global(Some(" /tmp/x.db "))).expect("url"), "/tmp/x.db");
        for blank in ["", " ", "\t\n"] {
            let err = url(&global(Some(blank))).expect_err("blank");
            assert_eq!(err.code, crate::exit::Code::Usage, "{blank:?}");
            assert!(err.to_string().contains("--database-url is empty"), "{err}");
        }
    }

    #[test]
    fn a_url_the_caller_got_wrong_exits_2_and_is_named_once() {
        let invalid = StoreError::InvalidUrl {
            url: "postgres://u@h:abc/x".into(),
            reason: "port \"abc\" is not a number from 1 to 65535".into(),
        };
        let err = failure(invalid, "postgres://u@h:abc/x");
        assert_eq!(err.code, crate::exit::Code::Usage);
        assert_eq!(err.to_string().matches("postgres://u@h:abc/x").count(), 1);

        let no_dir = StoreError::CreateDir {
            path: "/etc/passwd".into(),
            source: std::io::Error::other("File exists"),
        };
        let err = failure(no_dir, "/etc/passwd/x.db");
        assert_eq!(err.code, crate::exit::Code::Failed);
        assert!(
            err.to_string()
                .starts_with("cannot open database /etc/passwd/x.db: cannot create directory"),
            "{err}"
        );
    }
}
