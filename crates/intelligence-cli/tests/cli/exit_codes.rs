//! Exit codes: 0 success, 1 failed or not found, 2 bad usage; errors are one
//! line naming what was wrong.

use super::support::{Env, stderr};

/// Runs `args`, asserts the exit code, returns stderr.
fn fails_with(env: &Env, args: &[&str], code: i32) -> String {
    let output = env.cmd().args(args).output().expect("run");
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    stderr(&output)
}

#[test]
fn an_unknown_provider_exits_2_and_lists_the_providers() {
    let env = Env::new();
    let err = fails_with(&env, &["recommend", "--provider", "nope"], 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("\"nope\""), "{err}");
    assert!(err.contains("local") && err.contains("openai"), "{err}");
}

#[test]
fn a_missing_incident_exits_1() {
    let env = Env::new();
    let err = fails_with(&env, &["recommend", "--incident-id", "999"], 1);
    assert_eq!(err.trim(), "error: incident 999 not found");
}

#[test]
fn bad_numbers_exit_2() {
    let env = Env::new();
    let err = fails_with(&env, &["recommend", "--top-n", "-1"], 2);
    assert!(err.contains("'-1'") && err.contains("--top-n"), "{err}");
    let err = fails_with(&env, &["recommend", "--threshold-mb", "abc"], 2);
    assert!(
        err.contains("abc") && err.contains("--threshold-mb"),
        "{err}"
    );
    fails_with(&env, &["recommend", "--old-days", "-3"], 2);
    fails_with(&env, &["runs", "list", "--limit", "0"], 2);
}

#[test]
fn a_disk_path_outside_the_allowed_roots_exits_2() {
    let env = Env::new();
    let err = fails_with(&env, &["recommend", "--disk", "--path", "/etc"], 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/etc"), "{err}");

    // The refusal is audited like any other failure.
    let runs = env.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "failed");
    assert_eq!(runs[0]["error_type"], "path_not_allowed");
}

#[test]
fn conflicting_or_incomplete_flags_exit_2() {
    let env = Env::new();
    fails_with(&env, &["recommend", "--memory", "--cpu"], 2);
    fails_with(&env, &["recommend", "--path", "/tmp"], 2);
    fails_with(&env, &["runs", "show", "not-a-uuid"], 2);
    fails_with(&env, &["runs", "list", "--status", "done"], 2);
    fails_with(&env, &["runs", "prune"], 2);
    fails_with(&env, &["runs", "prune", "--older-than", "soon"], 2);
    // Before the year 1: PostgreSQL refuses to compare, so both backends
    // refuse it here rather than one pruning and the other failing.
    let err = fails_with(&env, &["runs", "prune", "--older-than", "100000years"], 2);
    assert!(err.contains("100000years"), "{err}");
    fails_with(&env, &["runs", "reap", "--older-than", "3000years"], 2);
    fails_with(
        &env,
        &["incidents", "add", "--title", "x", "--metadata", "novalue"],
        2,
    );
    fails_with(&env, &["frobnicate"], 2);
}

#[test]
fn a_missing_run_or_incident_exits_1() {
    let env = Env::new();
    let id = "01900000-0000-7000-8000-000000000000";
    let err = fails_with(&env, &["runs", "show", id], 1);
    assert_eq!(err.trim(), format!("error: run {id} not found"));
    let err = fails_with(&env, &["incidents", "show", "7"], 1);
    assert_eq!(err.trim(), "error: incident 7 not found");
}

#[test]
fn usage_errors_are_one_line_too() {
    let env = Env::new();
    for (args, needles) in [
        (
            &["recommend", "--top-n", "-1"][..],
            &["--top-n", "'-1'"][..],
        ),
        (&["incidents", "add"][..], &["--title"][..]),
        (
            &["incidents", "add", "--title", "t", "--metadata", "novalue"][..],
            &["--metadata", "novalue"][..],
        ),
        (&["runs", "show", "not-a-uuid"][..], &["not-a-uuid"][..]),
        (
            &["runs", "reap", "--older-than", "banana"][..],
            &["banana"][..],
        ),
        (&["recommend", "--nope"][..], &["--nope"][..]),
        (&["frobnicate"][..], &["frobnicate"][..]),
    ] {
        let err = fails_with(&env, args, 2);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {needle} not in {err}");
        }
    }
}

#[test]
fn help_and_version_still_print_in_full_and_exit_0() {
    let env = Env::new();
    let help = env.cmd().arg("--help").output().expect("run");
    assert!(help.status.success());
    assert!(super::support::stdout(&help).contains("Usage:"));
    let version = env.cmd().arg("--version").output().expect("run");
    assert!(version.status.success());
    assert!(super::support::stdout(&version).starts_with("intelligence "));
}

#[test]
fn a_trace_id_must_be_short_visible_ascii() {
    let env = Env::new();
    let long = "x".repeat(201);
    for bad in ["", "a\nb", "two words", long.as_str()] {
        let err = fails_with(&env, &["recommend", "--memory", "--trace-id", bad], 2);
        assert_eq!(err.lines().count(), 1, "{bad:?}: {err}");
        assert!(err.contains("--trace-id"), "{bad:?}: {err}");
    }
    assert!(env.runs().is_empty(), "a refused trace id ran an analysis");
}

#[test]
fn a_libpq_key_value_string_exits_2_without_creating_a_file_or_printing_the_password() {
    let env = Env::new();
    let conninfo = "host=127.0.0.1 user=postgres password=hunter22";
    let output = env
        .cmd()
        .current_dir(env.dir.path())
        .args(["runs", "list", "--database-url", conninfo])
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("postgres://"), "{err}");
    assert!(!err.contains("hunter22"), "{err}");
    // Read as a file path it became a SQLite file named after the password.
    let created: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("read dir")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert!(created.is_empty(), "{created:?}");

    // recommend refuses it too, before analysing, without the password.
    let output = env
        .cmd()
        .current_dir(env.dir.path())
        .args(["recommend", "--memory", "--database-url", conninfo])
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(output.stdout.is_empty(), "nothing was analysed");
    assert!(!err.contains("hunter22"), "{err}");
    assert_eq!(std::fs::read_dir(env.dir.path()).expect("read").count(), 0);
}

#[test]
fn recommend_refuses_a_malformed_database_url_before_analysing() {
    let env = Env::new();
    for url in [
        "mysql://u@127.0.0.1/db",
        "sqlite://relative.db",
        "sqlite:x.db",
    ] {
        for args in [
            &["recommend", "--memory"][..],
            &["recommend", "--incident-id", "1"],
        ] {
            let output = env
                .cmd()
                .current_dir(env.dir.path())
                .arg("--database-url")
                .arg(url)
                .args(args)
                .output()
                .expect("run");
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{url} {args:?}: {err}");
            assert!(output.stdout.is_empty(), "{url} {args:?}: nothing analysed");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("invalid database url"), "{err}");
        }
    }
    assert_eq!(std::fs::read_dir(env.dir.path()).expect("read").count(), 0);
    // A database that exists as a URL but cannot be used still lets the
    // analysis run (tests/cli/database_faults.rs).
}

#[test]
fn a_mistyped_scheme_exits_2_without_creating_a_file_or_printing_the_password() {
    let env = Env::new();
    for (url, shown) in [
        ("postgres:/postgres:S3cretTYPO@127.0.0.1/x", "postgres:***"),
        (
            "postgresql:postgres:S3cretTYPO2@127.0.0.1",
            "postgresql:***",
        ),
        ("app:S3cretTYPO3@db.example/x", "app:***"),
    ] {
        for args in [&["migrate"][..], &["runs", "list"]] {
            let output = env
                .cmd()
                .current_dir(env.dir.path())
                .arg("--database-url")
                .arg(url)
                .args(args)
                .output()
                .expect("run");
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{url} {args:?}: {err}");
            assert!(output.stdout.is_empty(), "{url} {args:?} printed to stdout");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(shown), "{err}");
            assert!(!err.contains("S3cret"), "{err}");
        }
        // The same from the environment.
        let output = env
            .cmd()
            .current_dir(env.dir.path())
            .env("DATABASE_URL", url)
            .arg("migrate")
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(!stderr(&output).contains("S3cret"));
        // recommend refuses it too, before analysing.
        let output = env
            .cmd()
            .current_dir(env.dir.path())
            .args(["recommend", "--memory", "--database-url", url])
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(!err.contains("S3cret"), "{err}");
    }
    // Read as file paths they became directories and SQLite files named
    // after the password.
    let created: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("read dir")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert!(created.is_empty(), "{created:?}");

    // A file whose name holds a `:` is reached with a `/` before it.
    let output = env
        .cmd()
        .current_dir(env.dir.path())
        .args(["--database-url", "./a:b.db", "migrate"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(env.dir.path().join("a:b.db").is_file());
}

#[test]
fn a_relative_database_path_is_reported_as_a_path_that_opens_again() {
    let env = Env::new();
    let output = env
        .cmd()
        .current_dir(env.dir.path())
        .env_remove("DATABASE_URL")
        .args(["--database-url", "rel.db", "--json", "migrate"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let url = report["url"].as_str().expect("url").to_owned();
    assert_eq!(url, "rel.db");
    // What was reported is accepted back.
    env.cmd()
        .current_dir(env.dir.path())
        .args(["--database-url", &url, "runs", "list"])
        .assert()
        .success();
}
