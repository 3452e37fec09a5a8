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

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.global.verbose);

    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            commands::error_line(&err.to_string());
            err.exit_code()
        }
    }
}
