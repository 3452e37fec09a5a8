//! The bench probe: the measurements of `cargo xtask bench` that need the
//! workspace's crates, built once in release and driven by the xtask.
//!
//! Each subcommand prints one JSON object on stdout:
//! - `runs`: `run()` throughput and per-call latency through a sink;
//! - `seed`: fills a store with generated records through `Store::import_runs`;
//! - `serve`: serves the views over a store (when `intelligence serve` cannot);
//! - `pg-create` / `pg-drop`: a dedicated PostgreSQL database for a bench;
//!   `pg-sweep`: the databases of benches that were killed.

mod pg;
mod runs;
mod seed;
mod serve;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "bench_probe", about = "Measurements for cargo xtask bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// `run()` throughput and per-call latency through one sink.
    Runs(runs::RunsArgs),
    /// Fills a store with generated records.
    Seed(seed::SeedArgs),
    /// Serves the views over a store until killed.
    Serve(serve::ServeArgs),
    /// Creates a PostgreSQL database.
    PgCreate(pg::PgArgs),
    /// Drops a PostgreSQL database, closing its connections.
    PgDrop(pg::PgArgs),
    /// Drops the databases of benches that were killed.
    PgSweep(pg::SweepArgs),
}

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match Cli::parse().command {
        Command::Runs(args) => runtime.block_on(runs::run(&args)),
        Command::Seed(args) => runtime.block_on(seed::run(&args)),
        Command::Serve(args) => runtime.block_on(serve::run(&args)),
        Command::PgCreate(args) => pg::create(&args),
        Command::PgDrop(args) => pg::drop_database(&args),
        Command::PgSweep(args) => pg::sweep(&args),
    }
}
