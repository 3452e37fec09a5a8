//! `intelligence`: recommendations from this machine's state and from
//! incidents, the audit trail of every analysis, and incidents, from a shell.
//!
//! The binary is the only place that installs a tracing subscriber and the
//! only place that uses `anyhow`: every library error gets its context here
//! and is printed as one line, and the exit code says what kind of failure it
//! was (see [`exit`]).

mod cli;
mod commands;
mod database;
mod exit;
mod interrupt;
mod logging;
mod progress;
mod providers;
mod render;
mod watched;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

fn main() -> ExitCode {
    // As `Cli::try_parse`, keeping the matches: they say whether the
    // database URL came from the flag or the environment.
    let parsed = Cli::command().try_get_matches().and_then(|matches| {
        Cli::from_arg_matches(&matches)
            .map(|cli| (cli, matches))
            .map_err(|err| err.format(&mut Cli::command()))
    });
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            database::unset_blank_env(&mut cli.global, &matches);
            cli
        }
        Err(err) => return usage_error(&err),
    };
    logging::init(cli.global.verbose);

    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            commands::error_line(&err.to_string());
            err.exit_code()
        }
    }
}

/// Help and version print in full; every other parse error is printed as
/// one `error:` line (clap's own layout spans several, with a usage block)
/// and exits 2.
fn usage_error(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => err.exit(),
        _ => {
            commands::error_line(&cli::one_line_usage_error(&err.render().to_string()));
            ExitCode::from(exit::Code::Usage as u8)
        }
    }
}
