//! One module per command; [`dispatch`] runs the one that was asked for on a
//! single-threaded Tokio runtime.

mod incidents;
mod migrate;
mod providers;
mod recommend;
pub mod runs;
mod serve;

use std::io::{self, Write};
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::{CliError, CliResult};

/// Runs the command.
pub fn dispatch(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command {
        // Listing providers needs neither a runtime nor the database.
        Command::Providers => providers::run(&global),
        // A server uses every core; the other commands need one thread.
        Command::Serve(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve::run(&global, args))
        }
        command => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let result = runtime.block_on(dispatch_async(&global, command));
            // An interrupted analysis may leave a blocking scan behind on
            // the runtime's thread pool: do not wait for it.
            runtime.shutdown_timeout(Duration::from_millis(100));
            result
        }
    }
}

async fn dispatch_async(global: &GlobalArgs, command: Command) -> CliResult {
    match command {
        Command::Recommend(args) => recommend::run(global, args).await,
        Command::Runs(command) => runs::run(global, command).await,
        Command::Incidents(command) => incidents::run(global, command).await,
        Command::Migrate => migrate::run(global),
        Command::Providers => providers::run(global),
        Command::Serve(args) => serve::run(global, args).await,
    }
}

/// Stdout, with colours when it is a terminal and `NO_COLOR` is unset.
pub fn stdout() -> anstream::AutoStream<io::StdoutLock<'static>> {
    anstream::AutoStream::auto(io::stdout().lock())
}

/// Writes through `write`, then flushes; a reader that went away (`| head`)
/// is not an error.
pub fn output(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> CliResult {
    let mut out = stdout();
    let result = write(&mut out).and_then(|()| out.flush());
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(CliError::from(err)),
        Ok(()) => Ok(()),
    }
}

/// Prints one error line on stderr, as `main` does for the final error.
pub fn error_line(message: &str) {
    let style = anstyle::AnsiColor::Red.on_default().bold();
    let message = crate::exit::fold_lines(message);
    anstream::eprintln!("{style}error:{style:#} {message}");
}

/// Prints one warning line on stderr.
pub fn warn(message: impl std::fmt::Display) {
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let message = crate::exit::fold_lines(&message.to_string());
    anstream::eprintln!("{style}warning:{style:#} {message}");
}
