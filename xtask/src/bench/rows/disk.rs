//! Row 2: disk analysis of the generated tree by `intelligence recommend
//! --disk`, against `du` and `find` on the same warm tree, wall time and
//! peak memory of each.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::bench::Ctx;
use crate::bench::stats::{Stat, Unit};
use crate::bench::table::{Reference, Row, Target};
use crate::bench::tools::{self, Spec};
use crate::bench::tree::{self, TreeSpec};

/// 20 MB, the memory target, in KiB.
const TARGET_RSS_KIB: f64 = 20e6 / 1024.0;

/// Measures the three tools on one tree.
pub fn measure(ctx: &mut Ctx) -> Result<Vec<Row>> {
    let spec = if ctx.quick {
        TreeSpec::QUICK
    } else {
        TreeSpec::FULL
    };
    let root = ctx.path("tree");
    std::fs::create_dir_all(&root)?;
    let started = Instant::now();
    eprintln!("generating the tree: {}", spec.describe());
    tree::generate(&root, spec)?;
    ctx.notes.push(format!(
        "disk tree: {} (generated in {:.1} s)",
        spec.describe(),
        started.elapsed().as_secs_f64()
    ));
    let root_str = root.to_str().context("temporary path is not UTF-8")?;
    let db = ctx.path("disk.db");

    let ours = Spec::new(
        &ctx.cli,
        &["recommend", "--disk", "--path", root_str, "--json"],
    )
    .env("DATABASE_URL", db.display().to_string())
    .env("NO_COLOR", "1");
    let du = Spec::new("du", &["-ax", "--max-depth=3", "-t", "100M", root_str]);
    let find = Spec::new(
        "find",
        &[root_str, "-type", "f", "-mtime", "+30", "-size", "+1M"],
    );

    // Warm the cache, and keep the outputs for the checks below.
    let our_json = ours.stdout()?;
    let du_out = du.stdout()?;
    let find_out = find.stdout()?;
    check(ctx, &root, &our_json, &du_out, &find_out);

    let (warmup, runs) = if ctx.quick { (0, 1) } else { (1, 5) };
    let t_ours =
        Stat::of(Unit::Seconds, &tools::time_runs(&ours, warmup, runs)?).context("samples")?;
    let t_du = Stat::of(Unit::Seconds, &tools::time_runs(&du, warmup, runs)?).context("samples")?;
    let t_find =
        Stat::of(Unit::Seconds, &tools::time_runs(&find, warmup, runs)?).context("samples")?;

    let name = "disk analysis of the generated tree";
    let mut rows = vec![
        Row {
            name: format!("{name}: wall time vs du"),
            command: ours.display(),
            ours: Ok(t_ours),
            reference: Some(Reference {
                command: du.display(),
                stat: t_du,
            }),
            target: Some(Target::new(
                "no slower than du (upstream: 4.3 s)",
                Some(t_ours.median <= t_du.median),
            )),
        },
        Row {
            name: format!("{name}: wall time vs find"),
            command: ours.display(),
            ours: Ok(t_ours),
            reference: Some(Reference {
                command: find.display(),
                stat: t_find,
            }),
            target: None,
        },
    ];

    if tools::have("/usr/bin/time") {
        rows.extend(peak_memory(ctx, &ours, &du, &find)?);
    } else {
        rows.push(Row::not_run(
            format!("{name}: peak memory"),
            "/usr/bin/time -f %M",
            "/usr/bin/time missing (apt-get install time)",
        ));
    }
    // The tree goes now rather than with the temporary directory, so that
    // its removal (100,000 unlinks) counts in the bench's own time.
    let started = Instant::now();
    std::fs::remove_dir_all(&root).with_context(|| format!("cannot remove {}", root.display()))?;
    eprintln!(
        "removed the tree in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(rows)
}

/// Peak RSS of each tool, one run each under GNU time.
fn peak_memory(ctx: &Ctx, ours: &Spec, du: &Spec, find: &Spec) -> Result<Vec<Row>> {
    let name = "disk analysis of the generated tree";
    let mut rows = Vec::new();
    let scratch = ctx.tmp.path();
    let m_ours = Stat::single(Unit::KiB, tools::peak_rss_kib(ours, scratch)?);
    let m_du = Stat::single(Unit::KiB, tools::peak_rss_kib(du, scratch)?);
    let m_find = Stat::single(Unit::KiB, tools::peak_rss_kib(find, scratch)?);
    rows.push(Row {
        name: format!("{name}: peak RSS vs du"),
        command: format!("/usr/bin/time -f %M {}", ours.display()),
        ours: Ok(m_ours),
        reference: Some(Reference {
            command: format!("/usr/bin/time -f %M {}", du.display()),
            stat: m_du,
        }),
        target: Some(Target::new(
            "< 20 MB (upstream: 103 MB)",
            Some(m_ours.median < TARGET_RSS_KIB),
        )),
    });
    rows.push(Row {
        name: format!("{name}: peak RSS vs find"),
        command: format!("/usr/bin/time -f %M {}", ours.display()),
        ours: Ok(m_ours),
        reference: Some(Reference {
            command: format!("/usr/bin/time -f %M {}", find.display()),
            stat: m_find,
        }),
        target: None,
    });
    Ok(rows)
}

/// Notes whether we found what du and find found.
fn check(ctx: &mut Ctx, root: &Path, our_json: &str, du_out: &str, find_out: &str) {
    let (our_large, our_old) = match serde_json::from_str::<Value>(our_json) {
        Ok(value) => {
            let mut large = Vec::new();
            let mut old = None;
            collect(&value, &mut large, &mut old);
            (large, old)
        }
        Err(err) => {
            ctx.notes.push(format!(
                "disk: the CLI's --json output did not parse: {err}"
            ));
            return;
        }
    };
    let du_items: Vec<&str> = du_out
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, p)| p))
        .filter(|p| Path::new(p) != root)
        .collect();
    let missing: Vec<String> = du_items
        .iter()
        .filter(|p| !our_large.iter().any(|o| o == *p))
        .map(|p| {
            p.strip_prefix(root.to_str().unwrap_or(""))
                .unwrap_or(p)
                .to_owned()
        })
        .collect();
    let find_count = find_out.lines().count();
    ctx.notes.push(format!(
        "disk: du lists {} items below the root, we list {} large items and miss {} of du's{}; old files: ours {}, find {}",
        du_items.len(),
        our_large.len(),
        missing.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" ({})", missing.join(", "))
        },
        our_old.map_or_else(|| "none reported".to_owned(), |n| n.to_string()),
        find_count
    ));
}

/// Every `large_items[].path` and the `total_files` of the old-files
/// recommendation, wherever they sit in the CLI's JSON.
fn collect(value: &Value, large: &mut Vec<String>, old: &mut Option<u64>) {
    match value {
        Value::Object(map) => {
            if let Some(items) = map.get("large_items").and_then(Value::as_array) {
                large.extend(
                    items
                        .iter()
                        .filter_map(|i| i["path"].as_str().map(str::to_owned)),
                );
            }
            if map.contains_key("old_files")
                && let Some(n) = map.get("total_files").and_then(Value::as_u64)
            {
                *old = Some(old.unwrap_or(0) + n);
            }
            for v in map.values() {
                collect(v, large, old);
            }
        }
        Value::Array(items) => {
            for v in items {
                collect(v, large, old);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_large_items_and_old_files_at_any_depth() {
        let json = serde_json::json!({"recommendations": [
            {"details": {"large_items": [{"path": "/t/a"}, {"path": "/t/b"}], "total_size_mb": 1}},
            {"details": {"old_files": [], "total_files": 200}},
        ]});
        let (mut large, mut old) = (Vec::new(), None);
        collect(&json, &mut large, &mut old);
        assert_eq!(large, vec!["/t/a".to_owned(), "/t/b".to_owned()]);
        assert_eq!(old, Some(200));
    }
}
