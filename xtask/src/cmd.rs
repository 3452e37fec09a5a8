//! Running commands, printing each before it runs.

use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The cargo that runs this xtask.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Prints and runs `cargo ARGS`; fails when it fails.
pub fn cargo(args: &[&str]) -> Result<()> {
    run(&cargo_bin(), args)
}

/// Prints and runs a command; fails when it fails.
pub fn run(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {} {}", display_name(program), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("could not start {program}"))?;
    if !status.success() {
        bail!(
            "`{} {}` failed: {status}",
            display_name(program),
            args.join(" ")
        );
    }
    Ok(())
}

/// Whether a command exits 0; prints nothing and shows none of its output.
pub fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn display_name(program: &str) -> &str {
    if program == cargo_bin() {
        "cargo"
    } else {
        program
    }
}
