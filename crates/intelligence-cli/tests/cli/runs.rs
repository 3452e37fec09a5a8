//! `runs list|show|reap|prune` over records the CLI wrote and records
//! seeded through the store.

use chrono::{Duration, Utc};
use intelligence_core::{AnalysisRun, NewRun, RunId, RunStatus};
use intelligence_store::Store;

use super::support::{Env, stderr, stdout};

/// Seeds one run with `status`, created `age` ago.
fn seed(env: &Env, status: RunStatus, age: Duration) -> RunId {
    seed_in(env, status, age, "")
}

/// Seeds one run with `status`, created `age` ago, of pipeline run
/// `pipeline`.
fn seed_in(env: &Env, status: RunStatus, age: Duration, pipeline: &str) -> RunId {
    let new = NewRun {
        id: RunId::new(),
        trace_id: "seeded".into(),
        pipeline_run_id: pipeline.into(),
        provider: "local".into(),
        provider_config: serde_json::json!({}),
        incident_id: None,
        analysis_kind: "memory".into(),
        input_summary: "memory".into(),
        checker_output_ref: String::new(),
        created_at: Utc::now() - age,
    };
    let mut run = AnalysisRun::from_new(&new);
    run.status = status;
    let store = Store::open(env.db.to_str().expect("utf-8")).expect("open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(store.import_runs(&[run])).expect("import");
    new.id
}

#[test]
fn list_shows_an_aligned_table_newest_first() {
    let env = Env::new();
    env.cmd().args(["recommend", "--memory"]).assert().success();
    env.cmd().args(["recommend", "--cpu"]).assert().success();

    let output = env.cmd().args(["runs", "list"]).output().expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("ID "), "{text}");
    assert!(lines[1].contains(" cpu "), "newest first: {text}");
    assert!(lines[2].contains(" memory "), "{text}");
    let status_column = lines[0].find("STATUS").expect("STATUS");
    assert_eq!(lines[1].find("succeeded"), Some(status_column), "{text}");
    assert_eq!(lines[2].find("succeeded"), Some(status_column), "{text}");
}

#[test]
fn list_filters_and_pages() {
    let env = Env::new();
    seed(&env, RunStatus::Failed, Duration::minutes(5));
    seed(&env, RunStatus::Succeeded, Duration::minutes(4));
    seed(&env, RunStatus::Succeeded, Duration::minutes(3));

    let failed = env.json(&["runs", "list", "--status", "failed"]);
    assert_eq!(failed["runs"].as_array().map(Vec::len), Some(1));
    let none = env.json(&["runs", "list", "--provider", "openai"]);
    assert_eq!(none["runs"].as_array().map(Vec::len), Some(0));
    let none = env.json(&["runs", "list", "--incident-id", "3"]);
    assert_eq!(none["runs"].as_array().map(Vec::len), Some(0));

    let first = env.json(&["runs", "list", "--limit", "2"]);
    assert_eq!(first["runs"].as_array().map(Vec::len), Some(2));
    let cursor = first["next"].as_str().expect("a next cursor");
    // As docs/cli.md says: <microseconds>_<id as 32 hex digits>.
    assert!(
        cursor.split_once('_').is_some_and(|(micros, id)| {
            micros.parse::<i64>().is_ok()
                && id.len() == 32
                && id.bytes().all(|b| b.is_ascii_hexdigit())
        }),
        "{cursor}"
    );
    let second = env.json(&["runs", "list", "--limit", "2", "--after", cursor]);
    assert_eq!(second["runs"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["next"], serde_json::Value::Null);
    assert_eq!(second["runs"][0]["status"], "failed", "oldest last");

    let output = env
        .cmd()
        .args(["runs", "list", "--limit", "2"])
        .output()
        .expect("run");
    assert_eq!(
        stdout(&output).lines().count(),
        3,
        "header and two rows only"
    );
    assert!(
        stderr(&output).starts_with("more: intelligence ")
            && stderr(&output).contains(" runs list --limit 2 --after "),
        "{}",
        stderr(&output)
    );

    // The hint continues the same list: filters and limit kept.
    let output = env
        .cmd()
        .args(["runs", "list", "--limit", "1", "--status", "succeeded"])
        .output()
        .expect("run");
    let hint = stderr(&output);
    let hint = hint
        .trim()
        .strip_prefix("more: intelligence ")
        .unwrap_or_else(|| panic!("a hint: {hint}"));
    // DATABASE_URL counts as --database-url: the hint names the database.
    assert!(
        hint.starts_with(&format!("--database-url {} ", env.db.display()))
            && hint.contains(" runs list --status succeeded --limit 1 --after "),
        "{hint}"
    );
    let next: Vec<&str> = hint.split_whitespace().collect();
    let page = env.json(&next);
    assert_eq!(page["runs"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(page["runs"][0]["status"], "succeeded", "still filtered");

    let output = env
        .cmd()
        .args(["runs", "list", "--after", "garbage"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn an_empty_list_says_so() {
    let env = Env::new();
    env.cmd()
        .args(["runs", "list"])
        .assert()
        .success()
        .stdout("no runs\n");
}

#[test]
fn show_prints_one_run_in_full() {
    let env = Env::new();
    let report = env.json(&["recommend", "--memory"]);
    let id = report["analyses"][0]["run_id"].as_str().expect("id");

    let output = env.cmd().args(["runs", "show", id]).output().expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("status: succeeded"), "{text}");
    assert!(text.contains(&format!("id: {id}")), "{text}");
    assert!(text.contains("  1. ["), "{text}");

    let run = env.json(&["runs", "show", id]);
    assert_eq!(run["id"], id);
    assert_eq!(
        run["recommendations"],
        report["analyses"][0]["recommendations"]
    );
}

#[test]
fn reap_closes_stale_runs_only() {
    let env = Env::new();
    let stale = seed(&env, RunStatus::Running, Duration::hours(2));
    let fresh = seed(&env, RunStatus::Running, Duration::minutes(1));

    let reaped = env.json(&["runs", "reap", "--older-than", "1h"]);
    assert_eq!(reaped["reaped"], 1);
    let stale = env.json(&["runs", "show", &stale.to_string()]);
    assert_eq!(stale["status"], "failed");
    assert_eq!(stale["error_type"], "abandoned");
    // The message claims only what reap knows.
    let message = stale["error_message"].as_str().expect("a message");
    assert!(
        message.contains("still pending or running when reaped as older than the cutoff"),
        "{message}"
    );
    let fresh = env.json(&["runs", "show", &fresh.to_string()]);
    assert_eq!(fresh["status"], "running");

    env.cmd()
        .args(["runs", "reap"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "reaped 0 runs created before ",
        ));
    let _ = seed(&env, RunStatus::Pending, Duration::hours(3));
    env.cmd()
        .args(["runs", "reap"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("reaped 1 run created before "));
}

#[test]
fn prune_deletes_old_finished_runs_only() {
    let env = Env::new();
    let old = seed(&env, RunStatus::Succeeded, Duration::days(40));
    let old_running = seed(&env, RunStatus::Running, Duration::days(40));
    let recent = seed(&env, RunStatus::Succeeded, Duration::days(1));

    let output = env
        .cmd()
        .args(["runs", "prune", "--older-than", "30d"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("pruned 1 run created before "));

    let left: Vec<String> = env
        .runs()
        .iter()
        .map(|run| run["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!left.contains(&old.to_string()));
    assert!(left.contains(&old_running.to_string()));
    assert!(left.contains(&recent.to_string()));
}

#[test]
fn list_filters_by_time_window_and_pipeline_run() {
    let env = Env::new();
    let old = seed_in(&env, RunStatus::Succeeded, Duration::days(3), "p-1");
    let middle = seed_in(&env, RunStatus::Succeeded, Duration::hours(5), "p-2");
    let recent = seed_in(&env, RunStatus::Failed, Duration::minutes(10), "p-1");
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["runs", "list"];
        all.extend_from_slice(args);
        env.json(&all)["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|run| run["id"].as_str().expect("id").to_owned())
            .collect()
    };

    assert_eq!(ids(&["--since", "1h"]), [recent.to_string()]);
    assert_eq!(ids(&["--until", "1d"]), [old.to_string()]);
    assert_eq!(
        ids(&["--since", "1d", "--until", "1h"]),
        [middle.to_string()]
    );
    let at = (Utc::now() - Duration::hours(1)).to_rfc3339();
    assert_eq!(
        ids(&["--until", &at, "--since", "2d"]),
        [middle.to_string()]
    );
    assert_eq!(
        ids(&["--pipeline-run-id", "p-1"]),
        [recent.to_string(), old.to_string()]
    );

    // The next page keeps the window as times, not as ages.
    let output = env
        .cmd()
        .args([
            "runs",
            "list",
            "--since",
            "4d",
            "--pipeline-run-id",
            "p-1",
            "--limit",
            "1",
        ])
        .output()
        .expect("run");
    let hint = stderr(&output);
    assert!(
        hint.contains(" --pipeline-run-id p-1 --since 20") && hint.contains("Z --limit 1 --after "),
        "{hint}"
    );

    for bad in [
        &["--since", "yesterday"][..],
        &["--until", "100000years"],
        &["--trace-id", ""],
        &["--trace-id", "a\nb"],
        &["--pipeline-run-id", " "],
    ] {
        let mut args = vec!["runs", "list"];
        args.extend_from_slice(bad);
        let output = env.cmd().args(&args).output().expect("run");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output).trim().lines().count(),
            1,
            "{bad:?}: one line"
        );
    }
}

/// Runs `args`, asserts exit 2 with one `error:` line on stderr and nothing
/// on stdout, and returns that line.
fn refused(env: &Env, args: &[&str]) -> String {
    let output = env.cmd().args(args).output().expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(output.stdout.is_empty(), "{args:?}: {}", stdout(&output));
    assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    err
}

#[test]
fn negative_numbers_and_ages_are_refused_naming_their_flag() {
    let env = Env::new();
    for (args, flag) in [
        (&["runs", "list", "--limit", "-1"][..], "--limit"),
        (&["runs", "list", "--since", "-1h"], "--since"),
        (&["runs", "list", "--incident-id", "-1"], "--incident-id"),
        (&["runs", "prune", "--older-than", "-1h"], "--older-than"),
        (&["runs", "reap", "--older-than", "-2d"], "--older-than"),
        (&["recommend", "--incident-id", "-1"], "--incident-id"),
    ] {
        let err = refused(&env, args);
        let value = args[args.len() - 1];
        assert!(
            err.contains(&format!("'{value}'")) && err.contains(flag),
            "{args:?}: {err}"
        );
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
    // A cursor that starts with a hyphen is the cursor, refused as one.
    let err = refused(&env, &["runs", "list", "--after", "-5_0190"]);
    assert!(err.contains("--after"), "{err}");
    // Nothing was recorded by the refused recommend.
    assert!(env.runs().is_empty());
}

#[test]
fn a_blank_provider_or_an_inverted_window_is_refused() {
    let env = Env::new();
    seed(&env, RunStatus::Succeeded, Duration::minutes(90));
    for blank in ["", "  "] {
        let err = refused(&env, &["runs", "list", "--provider", blank]);
        assert!(err.contains("--provider") && err.contains("blank"), "{err}");
    }
    let err = refused(&env, &["runs", "list", "--since", "1h", "--until", "2h"]);
    assert!(err.contains("--since") && err.contains("--until"), "{err}");
    // The window the right way round still lists the run.
    let listed = env.json(&["runs", "list", "--since", "2h", "--until", "1h"]);
    assert_eq!(listed["runs"].as_array().map(Vec::len), Some(1), "{listed}");
}

#[test]
fn an_age_needs_its_unit_even_when_zero() {
    let env = Env::new();
    let finished = seed(&env, RunStatus::Succeeded, Duration::minutes(1));
    for bare in ["0", "00", "0.0", "1"] {
        let err = refused(&env, &["runs", "prune", "--older-than", bare]);
        assert!(err.contains("time unit needed"), "{bare}: {err}");
        refused(&env, &["runs", "reap", "--older-than", bare]);
        refused(&env, &["runs", "list", "--since", bare]);
    }
    assert_eq!(env.runs().len(), 1, "nothing pruned");
    // 0s keeps its documented meaning: every finished run.
    let pruned = env.json(&["runs", "prune", "--older-than", "0s"]);
    assert_eq!(pruned["pruned"], 1);
    assert!(env.runs().is_empty(), "{finished} was pruned");
}
