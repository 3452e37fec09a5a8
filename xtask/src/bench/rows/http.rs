//! Row 5: HTTP with wrk from a second process on loopback, 8 connections:
//! the health route, the failed-run list and the admin list page on a store
//! seeded with 1,000,000 records (10,000 with `--quick`), on SQLite and on
//! PostgreSQL. The health route, which touches no database, is the
//! reference for the other two.

use std::net::SocketAddr;
use std::process::Child;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::Ctx;
use crate::bench::postgres::{self, Database};
use crate::bench::stats::{Stat, Unit, thousands};
use crate::bench::table::{Reference, Row, Target};
use crate::bench::tools::{self, Spec, WrkResult};

const PATHS: [(&str, &str); 3] = [
    ("health", "/intelligence/health/"),
    (
        "failed runs, 50 per page",
        "/intelligence/runs/?status=failed&limit=50",
    ),
    ("admin run list page", "/admin/intelligence/analysisrun/"),
];

/// A server process, killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    how: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `GET /intelligence/health/` answers 200, or the child exits.
fn wait_ready(server: &mut Server) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = server.child.try_wait()? {
            bail!("the server exited: {status}");
        }
        if tools::http_status(server.addr, "/intelligence/health/").is_ok_and(|s| s == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the server did not answer within 60 s")
}

/// `intelligence serve` when the CLI has it and it can open the store, else
/// the probe's server (the same router over the same store).
fn start(ctx: &Ctx, url: &str) -> Result<Server> {
    let has_serve = Spec::new(&ctx.cli, &["serve", "--help"])
        .run_quiet()
        .is_ok();
    let mut why = "the CLI has no serve command yet".to_owned();
    if has_serve {
        let port = tools::free_port()?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let spec =
            Spec::new(&ctx.cli, &["serve", "--bind", &addr.to_string()]).env("DATABASE_URL", url);
        let log = ctx.path("serve.log");
        let mut server = Server {
            child: spec.spawn(&log)?,
            addr,
            how: format!("intelligence serve --bind {addr}"),
        };
        match wait_ready(&mut server) {
            Ok(()) => return Ok(server),
            Err(err) => {
                let said = std::fs::read_to_string(&log).unwrap_or_default();
                let said = said.lines().last().unwrap_or("").trim().to_owned();
                eprintln!(
                    "intelligence serve did not come up ({err:#}: {said}); serving with the probe"
                );
                why = format!("intelligence serve did not come up: {err:#}: {said}");
            }
        }
    }
    let port = tools::free_port()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let spec = Spec::new(
        &ctx.probe,
        &["serve", "--url", url, "--bind", &addr.to_string()],
    );
    let mut server = Server {
        child: spec.spawn(&ctx.path("probe-serve.log"))?,
        addr,
        how: format!("bench_probe serve, the views' router over the store ({why})"),
    };
    wait_ready(&mut server)?;
    Ok(server)
}

/// Seeds, serves and loads one backend.
fn backend(ctx: &mut Ctx, label: &str, url: &str, concurrency: usize) -> Result<Vec<Row>> {
    let count = if ctx.quick { 10_000 } else { 1_000_000 };
    let started = Instant::now();
    Spec::new(
        &ctx.probe,
        &[
            "seed",
            "--url",
            url,
            "--count",
            &count.to_string(),
            "--concurrency",
            &concurrency.to_string(),
        ],
    )
    .stdout()?;
    ctx.notes.push(format!(
        "HTTP on {label}: seeded {} records through Store::import_runs in {:.1} s",
        thousands(count as f64),
        started.elapsed().as_secs_f64()
    ));

    let server = start(ctx, url)?;
    ctx.notes
        .push(format!("HTTP on {label}: served by {}", server.how));
    let seconds = if ctx.quick { 1 } else { 10 };
    let mut results: Vec<(&str, &str, WrkResult)> = Vec::new();
    for (name, path) in PATHS {
        let status = tools::http_status(server.addr, path)?;
        if status != 200 {
            bail!("GET {path} answered {status}");
        }
        let url = format!("http://{}{path}", server.addr);
        let result = tools::wrk(&url, seconds)?;
        if result.errors > 0 {
            ctx.notes.push(format!(
                "HTTP on {label}: {} errors or non-2xx answers on {path}",
                result.errors
            ));
        }
        results.push((name, path, result));
    }
    drop(server);

    let health = results[0].2.clone();
    let mut rows = Vec::new();
    for (i, (name, path, r)) in results.iter().enumerate() {
        let command = format!("wrk -t2 -c8 -d{seconds}s --latency {path}");
        let reference = |stat: Stat| {
            (i > 0).then(|| Reference {
                command: format!("wrk ... {}", PATHS[0].1),
                stat,
            })
        };
        rows.push(Row {
            name: format!("HTTP {name}, {label}: requests/s"),
            command: command.clone(),
            ours: Ok(Stat::single(Unit::Rate("req"), r.rps)),
            reference: reference(Stat::single(Unit::Rate("req"), health.rps)),
            target: None,
        });
        rows.push(Row {
            name: format!("HTTP {name}, {label}: p99 latency"),
            command,
            ours: Ok(Stat::single(Unit::Seconds, r.p99)),
            reference: reference(Stat::single(Unit::Seconds, health.p99)),
            target: (*path == PATHS[1].1).then(|| {
                Target::new(
                    format!("p99 < 10 ms on {} records", thousands(count as f64)),
                    Some(r.p99 < 0.010),
                )
            }),
        });
    }
    Ok(rows)
}

fn not_run(label: &str, why: &str) -> Vec<Row> {
    PATHS
        .iter()
        .map(|(name, path)| {
            Row::not_run(
                format!("HTTP {name}, {label}"),
                format!("wrk -t2 -c8 --latency {path}"),
                why,
            )
        })
        .collect()
}

/// Both backends.
pub fn measure(ctx: &mut Ctx) -> Result<Vec<Row>> {
    if !tools::have("wrk") {
        let mut rows = not_run("SQLite", "wrk missing (apt-get install wrk)");
        rows.extend(not_run("PostgreSQL", "wrk missing (apt-get install wrk)"));
        return Ok(rows);
    }
    let file = ctx.path("http.db");
    let mut rows = backend(
        ctx,
        "SQLite",
        file.to_str().context("temporary path is not UTF-8")?,
        1,
    )?;
    match Database::create(&ctx.probe, &postgres::admin_url(), "http") {
        Ok(db) => {
            let url = db.url.clone();
            rows.extend(backend(ctx, "PostgreSQL", &url, 4)?);
        }
        Err(err) => rows.extend(not_run(
            "PostgreSQL",
            &format!("postgresql unreachable ({err:#})"),
        )),
    }
    // The SQLite file goes now: it is the largest thing the bench makes.
    let _ = std::fs::remove_file(&file);
    Ok(rows)
}
