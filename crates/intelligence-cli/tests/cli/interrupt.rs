//! Ctrl-C, SIGTERM or SIGHUP during an analysis exits 128 plus the
//! signal's number and leaves the run `failed` (cancelled), never
//! `running`.

use std::process::{Command, Stdio};
use std::time::Duration;

use intelligence_core::RunStatus;
use intelligence_store::{PageRequest, RunFilter, Store};

use super::support::Env;

#[test]
fn ctrl_c_records_the_run_as_cancelled() {
    stop_with("-INT", 130, "interrupted");
}

#[test]
fn sigterm_records_the_run_as_cancelled() {
    stop_with("-TERM", 143, "terminated");
}

#[test]
fn sighup_records_the_run_as_cancelled() {
    stop_with("-HUP", 129, "hung up");
}

/// Sends `signal` to `recommend --cpu` once its run is seen running.
fn stop_with(signal: &str, code: i32, verb: &str) {
    let env = Env::new();
    env.cmd().arg("migrate").assert().success();
    let store = Store::open(env.db.to_str().expect("utf-8")).expect("open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // A CPU analysis takes two samples half a second apart: long enough to
    // see it running.
    let child = Command::new(assert_cmd::cargo::cargo_bin("intelligence"))
        .args(["recommend", "--cpu"])
        .env("DATABASE_URL", &env.db)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");

    let running = RunFilter {
        status: Some(RunStatus::Running),
        ..RunFilter::default()
    };
    let mut seen = None;
    for _ in 0..400 {
        let page = runtime
            .block_on(store.list_runs(
                &running,
                PageRequest {
                    limit: 1,
                    after: None,
                },
            ))
            .expect("list");
        if let Some(run) = page.runs.first() {
            seen = Some(run.id);
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let id = seen.expect("the run was seen running");

    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
    assert!(stderr.contains(verb), "{signal}: {stderr}");
    assert!(
        stderr.contains("recorded as cancelled"),
        "{signal}: {stderr}"
    );

    let run = runtime
        .block_on(store.get_run(id))
        .expect("get")
        .expect("exists");
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.error_type.as_deref(), Some("cancelled"));
}

/// Ctrl-C during the CPU analysis of `recommend --all --json`: the memory
/// analysis that finished before it is still printed (and recorded), the
/// CPU run is recorded as cancelled, the disk analysis never starts.
#[test]
fn an_interrupted_all_still_prints_the_analyses_that_finished() {
    let env = Env::new();
    env.cmd().arg("migrate").assert().success();
    let store = Store::open(env.db.to_str().expect("utf-8")).expect("open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tree = tempfile::tempdir().expect("tempdir");

    let child = Command::new(assert_cmd::cargo::cargo_bin("intelligence"))
        .args(["recommend", "--all", "--json", "--path"])
        .arg(tree.path())
        .env("DATABASE_URL", &env.db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");

    // Wait for the CPU run (the memory run before it may be seen running
    // for a moment too).
    let running = RunFilter {
        status: Some(RunStatus::Running),
        ..RunFilter::default()
    };
    let mut seen = false;
    for _ in 0..400 {
        let page = runtime
            .block_on(store.list_runs(&running, PageRequest::first(5)))
            .expect("list");
        if page.runs.iter().any(|run| run.analysis_kind == "cpu") {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(seen, "the cpu run was seen running");

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the finished analyses as JSON");
    let analyses = report["analyses"].as_array().expect("analyses");
    assert_eq!(analyses.len(), 1, "{report}");
    assert_eq!(analyses[0]["kind"], "memory");
    assert!(
        !analyses[0]["recommendations"]
            .as_array()
            .expect("recommendations")
            .is_empty()
    );

    let all = runtime
        .block_on(store.list_runs(&RunFilter::default(), PageRequest::first(10)))
        .expect("list");
    let kinds: Vec<(&str, RunStatus)> = all
        .runs
        .iter()
        .map(|run| (run.analysis_kind.as_str(), run.status))
        .collect();
    assert_eq!(
        kinds,
        [("cpu", RunStatus::Failed), ("memory", RunStatus::Succeeded)],
        "newest first; no disk run"
    );
}
