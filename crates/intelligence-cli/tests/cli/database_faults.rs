//! A database that cannot be opened or written never stops the
//! recommendations: they are printed, one warning goes to stderr, exit 0.

use super::support::{Env, stderr, stdout};

/// Asserts exit 0, recommendations on stdout, exactly one warning line.
fn still_recommends(env: &Env) -> String {
    let output = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("  1. ["), "{}", stdout(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("warning: "), "{err}");
    err
}

#[test]
fn a_database_that_cannot_be_opened() {
    let mut env = Env::new();
    // A regular file where the database's directory should be.
    let blocker = env.dir.path().join("blocker");
    std::fs::write(&blocker, "not a directory").expect("write");
    env.db = blocker.join("intelligence.db");

    let err = still_recommends(&env);
    assert!(err.contains("cannot open database"), "{err}");
    assert!(err.contains("not recorded"), "{err}");
}

#[test]
fn a_database_that_cannot_be_written() {
    // Every insert into the runs table now fails, as on a full or
    // read-only disk; opening still works.
    let env = migrated_with_trigger(REFUSE_INSERT);

    let err = still_recommends(&env);
    assert!(err.contains("could not be written"), "{err}");

    let output = env
        .cmd()
        .args(["recommend", "--memory", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["recorded"], false);
}

#[test]
fn a_database_that_fails_after_the_run_was_created_says_what_is_left() {
    // The record is created and marked running, then the outcome is
    // refused, as when the database is locked part-way through a run.
    let env = migrated_with_trigger(
        "CREATE TRIGGER refuse BEFORE UPDATE ON analysis_runs \
         WHEN NEW.status = 'succeeded' \
         BEGIN SELECT RAISE(ABORT, 'database is locked'); END",
    );

    let err = still_recommends(&env);
    let runs = env.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "running", "the row left behind");
    let id = runs[0]["id"].as_str().expect("id");
    assert!(err.contains("could not be written"), "{err}");
    assert!(err.contains("database is locked"), "{err}");
    assert!(
        err.contains(&format!(
            "run {id} is recorded as running without its outcome or recommendations"
        )),
        "{err}"
    );
    assert!(err.contains("runs reap"), "{err}");
    assert!(!err.contains("are not recorded"), "{err}");
}

#[test]
fn a_database_that_cannot_create_the_record_says_the_run_is_not_recorded() {
    let env = migrated_with_trigger(REFUSE_INSERT);

    let output = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    let text = stdout(&output);
    let id = text
        .split_once("(run ")
        .and_then(|(_, rest)| rest.split_once(','))
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("a run id: {text}"));
    let err = stderr(&output);
    assert!(
        err.contains("(create: ") && err.contains(&format!("; run {id} is not recorded")),
        "{err}"
    );
    assert!(env.runs().is_empty());
}

#[test]
fn the_json_report_says_when_it_was_recorded() {
    let env = Env::new();
    let report = env.json(&["recommend", "--memory"]);
    assert_eq!(report["recorded"], true);
}

#[test]
fn a_database_path_that_is_a_directory_gives_one_error_line() {
    let mut env = Env::new();
    // A directory is no database: a usage error, refused before the
    // analysis as a malformed URL is (exit 2). SQLite's own attempts to
    // open it, which the pool would retry and log, must not reach a user
    // who asked for no logs.
    let dir = env.dir.path().join("a-directory.db");
    std::fs::create_dir_all(&dir).expect("mkdir");
    env.db = dir;

    let output = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("invalid database url"), "{err}");
    assert!(err.contains("directory"), "{err}");
    assert_eq!(
        err.matches("a-directory.db").count(),
        1,
        "named once: {err}"
    );
}

#[test]
fn a_database_path_with_a_newline_still_gives_one_warning_line() {
    let mut env = Env::new();
    let blocker = env.dir.path().join("blocker");
    std::fs::write(&blocker, "not a directory").expect("write");
    env.db = blocker.join("two\nlines.db");

    let err = still_recommends(&env);
    assert!(err.contains("cannot open database"), "{err}");
}

/// A trigger that refuses every insert into the runs table, as a full or
/// read-only disk does.
const REFUSE_INSERT: &str = "CREATE TRIGGER refuse BEFORE INSERT ON analysis_runs \
                             BEGIN SELECT RAISE(ABORT, 'disk is read-only'); END";

/// A migrated database with `trigger` (SQL) added, which makes some write
/// of the audit record fail while opening still works.
fn migrated_with_trigger(trigger: &str) -> Env {
    let env = Env::new();
    env.cmd().arg("migrate").assert().success();
    let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(
        env.db.to_str().expect("utf-8"),
    )
    .expect("connect");
    diesel::RunQueryDsl::execute(diesel::sql_query(trigger), &mut conn).expect("trigger");
    env
}
