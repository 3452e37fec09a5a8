//! Rows 3 and 4: `intelligence recommend --memory --json` and `--cpu
//! --json` (wall time and peak memory, against `ps` and `top` reading the
//! same /proc), and cold start of `intelligence --version` and
//! `intelligence providers` (against `true`, the cost of starting any
//! process).

use anyhow::{Context, Result};

use crate::bench::Ctx;
use crate::bench::stats::{Stat, Unit};
use crate::bench::table::{Reference, Row, Target};
use crate::bench::tools::{self, Spec};

/// 15 MB, the CLI's memory target, in KiB.
const TARGET_RSS_KIB: f64 = 15e6 / 1024.0;

/// Wall times with hyperfine when it is there (and the run is not quick),
/// else a timed loop; the method goes into the row's command.
fn wall(ctx: &Ctx, spec: &Spec, warmup: usize, runs: usize) -> Result<(Stat, String)> {
    let (times, how) = if ctx.quick {
        (tools::time_runs(spec, 0, 1)?, String::new())
    } else if tools::have("hyperfine") {
        let json = ctx.path("hyperfine.json");
        (
            tools::hyperfine(spec, warmup, runs, &json)?,
            format!("hyperfine -N --warmup {warmup} --runs {runs} "),
        )
    } else {
        (
            tools::time_runs(spec, warmup, runs)?,
            format!("(timed loop, {runs} runs, hyperfine missing) "),
        )
    };
    let stat = Stat::of(Unit::Seconds, &times).context("no samples")?;
    Ok((stat, format!("{how}{}", spec.display())))
}

fn rss(ctx: &Ctx, spec: &Spec) -> Result<Option<Stat>> {
    if !tools::have("/usr/bin/time") {
        return Ok(None);
    }
    let kib = tools::peak_rss_kib(spec, ctx.tmp.path())?;
    Ok(Some(Stat::single(Unit::KiB, kib)))
}

struct Case {
    name: &'static str,
    ours: Spec,
    reference: Spec,
    warmup: usize,
    runs: usize,
    time_target: Option<(&'static str, f64)>,
    rss_target: Option<&'static str>,
}

/// Measures the analyses and the cold starts.
pub fn measure(ctx: &mut Ctx) -> Result<Vec<Row>> {
    let db = ctx.path("cli.db").display().to_string();
    let cli = |args: &[&str]| {
        Spec::new(&ctx.cli, args)
            .env("DATABASE_URL", db.clone())
            .env("NO_COLOR", "1")
    };
    let cases = vec![
        Case {
            name: "memory analysis (with its audit record)",
            ours: cli(&["recommend", "--memory", "--json"]),
            reference: Spec::new("ps", &["-eo", "pid,rss,pmem,args", "--sort=-rss"]),
            warmup: 2,
            runs: 20,
            time_target: Some(("< 150 ms (upstream: 727 ms)", 0.150)),
            rss_target: Some("< 15 MB"),
        },
        Case {
            name: "CPU analysis (two samples 500 ms apart)",
            ours: cli(&["recommend", "--cpu", "--json"]),
            reference: Spec::new("top", &["-b", "-n", "2", "-d", "0.5"]),
            warmup: 1,
            runs: 5,
            time_target: None,
            rss_target: None,
        },
        Case {
            name: "cold start: --version",
            ours: cli(&["--version"]),
            reference: Spec::new("true", &[]),
            warmup: 5,
            runs: 50,
            time_target: None,
            rss_target: None,
        },
        Case {
            name: "cold start: list providers",
            ours: cli(&["providers"]),
            reference: Spec::new("true", &[]),
            warmup: 5,
            runs: 50,
            time_target: Some(("< 20 ms (upstream: 644 ms)", 0.020)),
            rss_target: Some("< 15 MB (upstream: 53 MB)"),
        },
    ];

    let mut rows = Vec::new();
    for case in cases {
        let (ours, command) = wall(ctx, &case.ours, case.warmup, case.runs)?;
        let (reference, ref_command) = wall(ctx, &case.reference, case.warmup, case.runs)?;
        rows.push(Row {
            name: format!("{}: wall time", case.name),
            command,
            ours: Ok(ours),
            reference: Some(Reference {
                command: ref_command,
                stat: reference,
            }),
            target: case
                .time_target
                .map(|(text, limit)| Target::new(text, Some(ours.median < limit))),
        });
        match (rss(ctx, &case.ours)?, rss(ctx, &case.reference)?) {
            (Some(ours), Some(reference)) => rows.push(Row {
                name: format!("{}: peak RSS", case.name),
                command: format!("/usr/bin/time -f %M {}", case.ours.display()),
                ours: Ok(ours),
                reference: Some(Reference {
                    command: format!("/usr/bin/time -f %M {}", case.reference.display()),
                    stat: reference,
                }),
                target: case
                    .rss_target
                    .map(|text| Target::new(text, Some(ours.median < TARGET_RSS_KIB))),
            }),
            _ => rows.push(Row::not_run(
                format!("{}: peak RSS", case.name),
                "/usr/bin/time -f %M",
                "/usr/bin/time missing (apt-get install time)",
            )),
        }
    }
    Ok(rows)
}
