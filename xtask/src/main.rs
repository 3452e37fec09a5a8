//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask ci`: every check CI runs: formatting, clippy with warnings
//!   denied, the whole test suite, `cargo deny` (offline checks), and one
//!   quick pass of every benchmark.
//! - `cargo xtask bench [--quick] [--write]`: the benchmarks; see
//!   `docs/performance.md`.
//!
//! Each command prints what it runs before it runs it.

mod bench;
mod cmd;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "xtask",
    about = "Project automation for the intelligence workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every check CI runs.
    Ci {
        /// Skips the cargo-deny checks (for machines without cargo-deny and no time to build it).
        #[arg(long)]
        no_deny: bool,
    },
    /// Runs the benchmarks and prints one table.
    Bench(bench::BenchArgs),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Ci { no_deny } => ci(no_deny),
        Command::Bench(args) => bench::run(&args),
    }
}

fn ci(no_deny: bool) -> Result<()> {
    cmd::cargo(&["fmt", "--all", "--check"])?;
    cmd::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ])?;
    if std::env::var_os("INTELLIGENCE_TEST_DATABASE_URL").is_none() {
        eprintln!(
            "note: INTELLIGENCE_TEST_DATABASE_URL is unset; the PostgreSQL tests will say they were skipped"
        );
    }
    cmd::cargo(&["test", "--workspace", "--all-features", "--no-fail-fast"])?;
    if !no_deny {
        deny()?;
    }
    bench::run(&bench::BenchArgs::quick())?;
    Ok(())
}

fn deny() -> Result<()> {
    if !cmd::succeeds("cargo", &["deny", "--version"]) {
        cmd::cargo(&["install", "--locked", "cargo-deny"])?;
    }
    // The advisories check needs the network, which this project's machines
    // do not have; the offline checks run.
    cmd::cargo(&["deny", "check", "bans", "licenses", "sources"])
}
