//! Project automation. `cargo xtask ci` runs every check CI runs;
//! `cargo xtask bench` runs the benchmarks. Each prints the commands it runs
//! before it runs them.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
