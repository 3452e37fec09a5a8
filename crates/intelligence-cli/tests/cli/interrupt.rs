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
