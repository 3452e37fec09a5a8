//! Row 1: `run()` throughput and per-call latency through the in-memory
//! sink, the SQLite store (default batched writer, per-step commits, full
//! sync) and PostgreSQL on
//! loopback, from one task and from 8, against a bare `analyze()` and the
//! in-memory sink measured in the same run.

use std::collections::HashMap;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::bench::Ctx;
use crate::bench::postgres::{self, Database};
use crate::bench::stats::{Stat, Unit};
use crate::bench::table::{Reference, Row, Target};
use crate::bench::tools::Spec;

/// What the probe reported for one sink and task count.
struct Measured {
    command: String,
    rates: Stat,
    latency: Stat,
    runs: u64,
    records: Option<i64>,
    non_terminal: Option<i64>,
}

fn probe(ctx: &Ctx, sink: &str, url: Option<&str>, tasks: usize) -> Result<Measured> {
    let (samples, sample_ms, warmup_ms) = if ctx.quick {
        ("1", "100", "20")
    } else {
        ("5", "600", "300")
    };
    let tasks_arg = tasks.to_string();
    let mut args = vec![
        "runs",
        "--sink",
        sink,
        "--tasks",
        &tasks_arg,
        "--samples",
        samples,
        "--sample-ms",
        sample_ms,
        "--warmup-ms",
        warmup_ms,
    ];
    if let Some(url) = url {
        args.extend(["--url", url]);
    }
    let spec = Spec::new(&ctx.probe, &args);
    let report: Value = serde_json::from_str(spec.stdout()?.trim()).context("probe runs JSON")?;
    let rates: Vec<f64> = report["rates"]
        .as_array()
        .context("no rates")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let lat = &report["latency_us"];
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let runs = report["runs"].as_u64().unwrap_or(0);
    Ok(Measured {
        command: format!("bench_probe runs --sink {sink} --tasks {tasks}"),
        rates: Stat::of(Unit::Rate("runs"), &rates).context("no samples")?,
        latency: Stat::with_range(
            Unit::Micros,
            number(&lat["median"]),
            number(&lat["min"]),
            number(&lat["max"]),
            usize::try_from(runs).unwrap_or(usize::MAX),
        ),
        runs,
        records: report["records"].as_i64(),
        non_terminal: report["non_terminal"].as_i64(),
    })
}

/// The sinks, with what each is named in the table.
const SINKS: [(&str, &str); 6] = [
    ("bare", "bare analyze()"),
    ("memory", "run(), in-memory sink"),
    (
        "sqlite",
        "run(), SQLite file (default: batched writer, WAL, synchronous=NORMAL)",
    ),
    (
        "sqlite-per-step",
        "run(), SQLite file, each step its own commit (WriteMode::PerStep)",
    ),
    (
        "sqlite-full",
        "run(), SQLite file, batched writer, synchronous=FULL",
    ),
    ("postgres", "run(), PostgreSQL on loopback (batched writer)"),
];

/// Measures every sink at 1 and 8 tasks.
pub fn measure(ctx: &mut Ctx) -> Result<Vec<Row>> {
    let pg = Database::create(&ctx.probe, &postgres::admin_url(), "runs");
    let mut results: HashMap<(&str, usize), Result<Measured, String>> = HashMap::new();
    for (sink, _) in SINKS {
        for tasks in [1, 8] {
            let outcome = match sink {
                "sqlite" | "sqlite-per-step" | "sqlite-full" => {
                    let file = ctx.path(&format!("runs-{sink}-{tasks}.db"));
                    probe(ctx, sink, file.to_str(), tasks).map_err(|e| format!("failed: {e:#}"))
                }
                "postgres" => match &pg {
                    Ok(db) => {
                        probe(ctx, sink, Some(&db.url), tasks).map_err(|e| format!("failed: {e:#}"))
                    }
                    Err(err) => Err(format!("postgresql unreachable ({err:#})")),
                },
                _ => probe(ctx, sink, None, tasks).map_err(|e| format!("failed: {e:#}")),
            };
            results.insert((sink, tasks), outcome);
        }
    }
    drop(pg);
    for entry in std::fs::read_dir(ctx.tmp.path())?.flatten() {
        if entry.file_name().to_string_lossy().starts_with("runs-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for tasks in [1, 8] {
        for (sink, label) in SINKS.iter().skip(1) {
            let reference_sink = if *sink == "memory" { "bare" } else { "memory" };
            let reference = match results.get(&(reference_sink, tasks)) {
                Some(Ok(m)) => Some(Reference {
                    command: m.command.clone(),
                    stat: m.rates,
                }),
                _ => None,
            };
            let name = format!(
                "{label}, {tasks} task{}: runs/s",
                if tasks == 1 { "" } else { "s" }
            );
            let row = match results.get(&(*sink, tasks)) {
                Some(Ok(m)) => Row {
                    name,
                    command: m.command.clone(),
                    ours: Ok(m.rates),
                    reference,
                    target: throughput_target(ctx, sink, tasks, m),
                },
                Some(Err(why)) => {
                    if why.starts_with("failed") {
                        failed.push(format!("{sink} x{tasks}: {why}"));
                    }
                    Row::not_run(
                        name,
                        format!("bench_probe runs --sink {sink} --tasks {tasks}"),
                        why.trim_start_matches("not run: "),
                    )
                }
                None => continue,
            };
            rows.push(row);
        }
    }
    for (sink, label) in SINKS.iter().skip(1) {
        let Some(Ok(m)) = results.get(&(*sink, 1)) else {
            continue;
        };
        let bare = match results.get(&("bare", 1)) {
            Some(Ok(b)) => Some(b),
            _ => None,
        };
        let target = (*sink == "sqlite").then(|| {
            let overhead = bare.map(|b| m.latency.median - b.latency.median);
            Target::new(
                format!(
                    "overhead over bare analyze() < 100 µs at the median{}",
                    overhead.map_or_else(String::new, |o| format!(" (here {o:.1} µs)"))
                ),
                overhead.map(|o| o < 100.0),
            )
        });
        rows.push(Row {
            name: format!("{label}, 1 task: latency per call"),
            command: m.command.clone(),
            ours: Ok(m.latency),
            reference: bare.map(|b| Reference {
                command: b.command.clone(),
                stat: b.latency,
            }),
            target,
        });
    }
    if !failed.is_empty() {
        anyhow::bail!("{}", failed.join("; "));
    }
    Ok(rows)
}

fn throughput_target(ctx: &mut Ctx, sink: &str, tasks: usize, m: &Measured) -> Option<Target> {
    let records = m.records?;
    let open = m.non_terminal.unwrap_or(0);
    let complete = u64::try_from(records).ok() == Some(m.runs) && open == 0;
    ctx.notes.push(format!(
        "`{}`: {} runs, {} records, {} not terminal",
        m.command, m.runs, records, open
    ));
    if sink == "sqlite" && tasks == 1 {
        Some(Target::new(
            "≥ 5,000 runs/s (upstream default SQLite: 104)",
            Some(m.rates.median >= 5_000.0 && complete),
        ))
    } else if tasks == 8 {
        Some(Target::new(
            "no lost or open record at 8 tasks",
            Some(complete),
        ))
    } else {
        None
    }
}
