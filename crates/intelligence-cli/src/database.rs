//! Which database the commands use, and opening it.
//!
//! `--database-url`, else `DATABASE_URL`, else a SQLite file in the
//! platform's data directory ([`Store::default_sqlite_path`]), created on
//! first use.

use anyhow::anyhow;
use intelligence_store::{Store, StoreError, StoreOptions, WriteMode, mask_url};

use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult};

/// The database URL the flags and environment ask for.
pub fn url(global: &GlobalArgs) -> CliResult<String> {
    if let Some(url) = global.database_url.as_deref().map(str::trim)
        && !url.is_empty()
    {
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
    Store::open_with(&url, options).map_err(|err| {
        // A URL the store cannot read at all is the caller's mistake.
        let usage = matches!(err, StoreError::InvalidUrl { .. });
        let err = anyhow!(err).context(format!("cannot open database {}", mask_url(&url)));
        if usage {
            CliError::usage(err)
        } else {
            CliError::failed(err)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_flag_wins_and_blank_means_default() {
        let global = GlobalArgs {
            database_url: Some(" /tmp/x.db ".into()),
            json: false,
            verbose: 0,
        };
        assert_eq!(url(&global).expect("url"), "/tmp/x.db");
    }
}
