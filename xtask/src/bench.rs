//! `cargo xtask bench`: builds the binaries once, runs every row of issue 9
//! (run() throughput, disk analysis, memory and CPU analysis, cold start,
//! HTTP), prints one table headed by the machine, and with `--write` puts
//! it in `docs/performance.md` between the bench markers.
//!
//! Everything temporary (the tree, database files, PostgreSQL databases,
//! servers) lives in guards that remove it when the bench ends, failed or
//! not.

mod machine;
mod postgres;
mod rows;
mod stats;
mod table;
mod tools;
mod tree;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use self::table::Row;

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BenchArgs {
    /// One iteration of each row, on a debug build and a small tree: checks
    /// that every benchmark still runs (CI). Its figures are not figures.
    #[arg(long)]
    pub quick: bool,
    /// Rewrites the generated table in docs/performance.md.
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

/// What every row needs.
pub struct Ctx {
    /// One iteration of each row.
    pub quick: bool,
    /// The `bench_probe` example.
    pub probe: PathBuf,
    /// The `intelligence` binary.
    pub cli: PathBuf,
    /// The temporary directory everything goes in.
    pub tmp: tempfile::TempDir,
    /// Lines printed under the table: what each row checked.
    pub notes: Vec<String>,
}

impl Ctx {
    /// A path in the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Builds the CLI and the probe: release for the figures, the dev profile
/// (which CI's test build already compiled) for `--quick`.
///
/// In release the CLI is built on its own, as a user builds it: built in
/// one cargo invocation with the probe, it would inherit the probe's
/// PostgreSQL feature (cargo unifies features) and link libpq, which adds
/// megabytes to every process's resident memory.
fn build(quick: bool) -> Result<(PathBuf, PathBuf)> {
    if quick {
        super::cmd::cargo(&[
            "build",
            "--workspace",
            "--all-features",
            "--bin",
            "intelligence",
            "--example",
            "bench_probe",
        ])?;
    } else {
        super::cmd::cargo(&[
            "build",
            "--release",
            "-p",
            "intelligence-cli",
            "--bin",
            "intelligence",
        ])?;
        super::cmd::cargo(&[
            "build",
            "--release",
            "-p",
            "xtask",
            "--example",
            "bench_probe",
        ])?;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let profile = target.join(if quick { "debug" } else { "release" });
    let cli = profile.join("intelligence");
    let probe = profile.join("examples/bench_probe");
    for built in [&cli, &probe] {
        if !built.is_file() {
            bail!("cargo built no {}", built.display());
        }
    }
    Ok((cli, probe))
}

/// Runs the benchmarks.
pub fn run(args: &BenchArgs) -> Result<()> {
    if args.quick && args.write {
        bail!("--write records figures: run it without --quick");
    }
    let (cli, probe) = build(args.quick)?;
    sweep(&probe);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("intelligence-bench-{}-", std::process::id()))
        .tempdir()
        .context("cannot create the bench's temporary directory")?;
    let machine = machine::describe(tmp.path().parent().unwrap_or(tmp.path()));
    let mut ctx = Ctx {
        quick: args.quick,
        probe,
        cli,
        tmp,
        notes: Vec::new(),
    };

    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let mut failures = Vec::new();
    type Section = fn(&mut Ctx) -> Result<Vec<Row>>;
    let sections: [(&str, Section); 4] = [
        ("run() throughput", rows::runs::measure),
        ("disk analysis", rows::disk::measure),
        ("CLI", rows::cli::measure),
        ("HTTP", rows::http::measure),
    ];
    for (name, section) in sections {
        eprintln!("== bench: {name}");
        match section(&mut ctx) {
            Ok(mut measured) => rows.append(&mut measured),
            Err(err) => {
                eprintln!("error: {name}: {err:#}");
                rows.push(Row::not_run(name, "", &format!("failed: {err:#}")));
                failures.push(name);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();

    let block = report(args, &machine, &rows, &ctx.notes, elapsed);
    println!("{block}");
    if args.write {
        let path = workspace_root().join("docs/performance.md");
        let document = std::fs::read_to_string(&path).unwrap_or_default();
        let updated = table::replace_block(&document, &block)?;
        std::fs::write(&path, updated)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote the table to {}", path.display());
    }
    // The temporary directory goes before the verdict, so that a failure
    // leaves nothing behind either.
    let tmp_path = ctx.tmp.path().to_path_buf();
    ctx.tmp
        .close()
        .with_context(|| format!("cannot remove {}", tmp_path.display()))?;
    if !failures.is_empty() {
        bail!("bench sections failed: {}", failures.join(", "));
    }
    Ok(())
}

/// Removes what benches killed before their guards ran (Ctrl-C) left: the
/// temporary directories and PostgreSQL databases named after a process id
/// that no longer runs. Best effort: a failure is printed, not fatal.
fn sweep(probe: &Path) {
    let tmp = std::env::temp_dir();
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("intelligence-bench-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            eprintln!(
                "removing {}, left by a killed bench",
                entry.path().display()
            );
            if let Err(err) = std::fs::remove_dir_all(entry.path()) {
                eprintln!("warning: cannot remove {}: {err}", entry.path().display());
            }
        }
    }
    let admin = postgres::admin_url();
    if let Err(err) = tools::Spec::new(probe, &["pg-sweep", "--admin-url", &admin]).run_quiet() {
        eprintln!("note: no sweep of old bench databases ({err:#})");
    }
}

/// The block `--write` puts between the markers.
fn report(args: &BenchArgs, machine: &str, rows: &[Row], notes: &[String], seconds: f64) -> String {
    let command = match (args.quick, args.write) {
        (true, _) => "cargo xtask bench --quick",
        (false, true) => "cargo xtask bench --write",
        (false, false) => "cargo xtask bench",
    };
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(workspace_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map_or_else(String::new, |o| {
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
        });
    let build = if args.quick {
        "debug build, one iteration per row: these are not figures"
    } else {
        "release build"
    };
    let mut out = format!(
        "Measured by `{command}` on {date} at commit `{commit}` ({build}); the whole run took {seconds:.0} s.\n\n\
         Machine: {machine}.\n\n"
    );
    out.push_str(&table::render(rows));
    out.push_str("\nRatio: our cost over the reference's (time, memory, or time per operation for rates); below 1 is better than the reference.\n");
    if !notes.is_empty() {
        out.push_str("\nWhat the run checked:\n\n");
        for note in notes {
            out.push_str(&format!("- {note}\n"));
        }
    }
    out
}
