//! `cargo xtask bench`: runs every benchmark of the workspace.

use anyhow::Result;

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BenchArgs {
    /// One iteration of each row: checks that every benchmark still runs.
    #[arg(long)]
    pub quick: bool,
    /// Rewrites the table in docs/performance.md.
    #[arg(long)]
    pub write: bool,
}

impl BenchArgs {
    /// The arguments `cargo xtask ci` uses.
    pub fn quick() -> Self {
        Self {
            quick: true,
            write: false,
        }
    }
}

/// Runs the benchmarks.
pub fn run(args: &BenchArgs) -> Result<()> {
    // TODO: one table over every row of issue 9; for now each crate's
    // criterion benches run in test mode (one iteration) or in full.
    if args.quick {
        super::cmd::cargo(&["test", "--workspace", "--all-features", "--benches"])
    } else {
        super::cmd::cargo(&["bench", "--workspace", "--all-features"])
    }
}
