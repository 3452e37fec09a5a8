//! Disk analysis benchmark: our single walk against `du` and `find` on the
//! same warm, generated tree, side by side, plus our peak memory.
//!
//! Run with `cargo bench -p intelligence-local --bench disk_scan`. The tree
//! (about 100,000 small files four to six levels deep, 20 sparse 150 MiB
//! files, 5 real 120 MiB files, 200 old 1.2 MiB `.log` files) is generated
//! in a temporary directory and removed afterwards. Each tool runs once to
//! warm the cache, then [`ROUNDS`] times; the median is reported.
//!
//! Peak memory is measured in a child process (this binary re-run with
//! `--child-scan DIR`) that reports its own `VmHWM` before and after the
//! scan, so the tree generator's buffers do not count.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use intelligence_core::{AnalysisKind, Provider, Recommendation};
use intelligence_local::{LocalProvider, LocalSettings};

const ROUNDS: usize = 7;
const MIB: u64 = 1024 * 1024;
const SMALL_FILES: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-scan") {
        child_scan(Path::new(&args[i + 1]));
        return;
    }
    // `cargo bench -- <filter>` and `cargo test --benches` pass flags; a
    // test run only checks that the bench builds.
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let root = fs::canonicalize(tmp.path()).expect("canonical");
    let started = Instant::now();
    generate(&root);
    println!(
        "generated tree in {} in {:.1} s",
        root.display(),
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let provider = LocalProvider::new(LocalSettings {
        allowed_roots: vec![root.clone()],
        ..LocalSettings::default()
    })
    .expect("settings");
    let ours = || {
        runtime
            .block_on(provider.analyze(None, &AnalysisKind::disk(&root)))
            .expect("analysis")
            .recommendations
    };
    let du = || command("du", &["-ax", "--max-depth=3", "-t", "100M"], &root);
    let find = || {
        command(
            "find",
            &["-type", "f", "-mtime", "+30", "-size", "+1M"],
            &root,
        )
    };

    // Warm every tool once.
    let recs = ours();
    let du_out = du();
    let find_out = find();

    // Interleaved rounds, so that load from other work on the machine falls
    // on all three tools alike.
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        times[0].push(timed(|| drop(ours())));
        times[1].push(timed(|| drop(du())));
        times[2].push(timed(|| drop(find())));
    }
    let [t_ours, t_du, t_find] = times.map(median);

    let (our_large, our_old) = summarize(&recs);
    let du_items: Vec<&str> = du_out
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, p)| p))
        .filter(|p| Path::new(p) != root)
        .collect();
    let missing: Vec<&&str> = du_items
        .iter()
        .filter(|p| !our_large.iter().any(|o| o == *p))
        .collect();
    let find_count = find_out.lines().count();

    let (hwm_before, hwm_after) = peak_memory(&root);

    println!();
    println!("| tool | median of {ROUNDS} (warm) | found |");
    println!("|---|---|---|");
    println!(
        "| intelligence-local disk analysis (one walk) | {:.3} s | {} large items, {} old files |",
        t_ours.as_secs_f64(),
        our_large.len(),
        our_old
    );
    println!(
        "| `du -ax --max-depth=3 -t 100M` | {:.3} s | {} items below the root |",
        t_du.as_secs_f64(),
        du_items.len()
    );
    println!(
        "| `find -type f -mtime +30 -size +1M` | {:.3} s | {} files |",
        t_find.as_secs_f64(),
        find_count
    );
    println!(
        "| du + find together | {:.3} s | |",
        (t_du + t_find).as_secs_f64()
    );
    println!();
    println!(
        "peak RSS of a process running one analysis: {:.1} MiB (VmHWM {:.1} MiB before the scan)",
        hwm_after as f64 / 1024.0,
        hwm_before as f64 / 1024.0
    );
    println!(
        "large items du finds that we miss: {} {:?}",
        missing.len(),
        missing
    );
    println!("old files: ours {our_old}, find {find_count}");
}

/// Builds the tree the issue describes below `root`.
fn generate(root: &Path) {
    let small = vec![b'x'; 2048];
    for i in 0..SMALL_FILES {
        let leaf = i / 100;
        let mut dir = root.join(format!(
            "src/a{}/b{}/c{}",
            leaf % 10,
            (leaf / 10) % 10,
            leaf / 100
        ));
        for level in 0..(leaf % 3) {
            dir.push(format!("d{level}"));
        }
        if i % 100 == 0 {
            fs::create_dir_all(&dir).expect("mkdir");
        }
        let len = 100 + (i * 37) % (small.len() - 100);
        fs::write(dir.join(format!("f{i}.txt")), &small[..len]).expect("small file");
    }

    let sparse = root.join("images");
    fs::create_dir_all(&sparse).expect("mkdir");
    for i in 0..20 {
        File::create(sparse.join(format!("disk{i}.img")))
            .expect("create")
            .set_len(150 * MIB)
            .expect("sparse");
    }

    let data = root.join("data/blobs");
    fs::create_dir_all(&data).expect("mkdir");
    let chunk = vec![0x5a_u8; MIB as usize];
    for i in 0..5 {
        let mut file = File::create(data.join(format!("blob{i}.bin"))).expect("create");
        for _ in 0..120 {
            file.write_all(&chunk).expect("write");
        }
    }

    let logs = root.join("var/log/app");
    fs::create_dir_all(&logs).expect("mkdir");
    let log = vec![b'l'; (MIB + MIB / 5) as usize];
    let old = SystemTime::now() - Duration::from_secs(60 * 86_400);
    for i in 0..200 {
        let path = logs.join(format!("app-{i}.log"));
        fs::write(&path, &log).expect("log");
        File::options()
            .write(true)
            .open(&path)
            .expect("open")
            .set_modified(old)
            .expect("mtime");
    }
}

fn command(program: &str, args: &[&str], root: &Path) -> String {
    let mut cmd = Command::new(program);
    if program == "du" {
        cmd.args(args).arg(root);
    } else {
        cmd.arg(root).args(args);
    }
    let out = cmd.output().expect("tool runs");
    assert!(out.status.success(), "{program} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Our large item paths and old file count.
fn summarize(recs: &[Recommendation]) -> (Vec<String>, u64) {
    let mut large = Vec::new();
    let mut old = 0;
    for rec in recs {
        if let Some(items) = rec.details["large_items"].as_array() {
            large.extend(
                items
                    .iter()
                    .filter_map(|i| i["path"].as_str().map(str::to_owned)),
            );
        }
        if let Some(n) = rec.details["total_files"].as_u64() {
            old = n;
        }
    }
    (large, old)
}

/// Runs one analysis in a child process; its VmHWM in KiB before and after.
fn peak_memory(root: &Path) -> (u64, u64) {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .arg("--child-scan")
        .arg(root)
        .output()
        .expect("child runs");
    assert!(out.status.success(), "child scan failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text
        .split_whitespace()
        .filter_map(|w| w.parse::<u64>().ok());
    (
        numbers.next().expect("before"),
        numbers.next().expect("after"),
    )
}

fn child_scan(root: &Path) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let provider = LocalProvider::new(LocalSettings {
        allowed_roots: vec![PathBuf::from(root)],
        ..LocalSettings::default()
    })
    .expect("settings");
    let before = vm_hwm_kib();
    runtime
        .block_on(provider.analyze(None, &AnalysisKind::disk(root)))
        .expect("analysis");
    println!("{before} {}", vm_hwm_kib());
}

fn vm_hwm_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .expect("status")
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM")
}
