//! `providers` and `migrate`, which need no analysis.

use super::support::{Env, stderr, stdout};

#[test]
fn providers_lists_local_and_openai() {
    let env = Env::new();
    let output = env.cmd().arg("providers").output().expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let names: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(names, ["local", "openai"], "{text}");

    let listed = env.json(&["providers"]);
    assert_eq!(listed["providers"][0]["name"], "local");
    assert!(
        listed["providers"][0]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(!env.db.exists(), "listing providers touches no database");
}

#[test]
fn migrate_creates_the_database_and_is_idempotent() {
    let env = Env::new();
    let first = env.json(&["migrate"]);
    assert_eq!(first["backend"], "sqlite");
    assert!(first["applied"].as_u64().is_some_and(|n| n > 0), "{first}");
    assert!(env.db.exists());
    let again = env.json(&["migrate"]);
    assert_eq!(again["applied"], 0);

    let other = Env::new();
    let said = stdout(&other.cmd().arg("migrate").output().expect("run"));
    assert!(
        said.contains(" migrated: ") && said.contains(" migrations applied"),
        "{said}"
    );
    let said = stdout(&other.cmd().arg("migrate").output().expect("run"));
    assert!(
        said.contains(" is up to date (no migration to apply)"),
        "{said}"
    );
}

#[test]
fn the_default_database_lives_in_the_data_directory() {
    let env = Env::new();
    let output = env
        .cmd()
        .env_remove("DATABASE_URL")
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let default = env
        .dir
        .path()
        .join("xdg")
        .join("intelligence")
        .join("intelligence.db");
    assert!(default.exists(), "expected {}", default.display());

    let flag = env.dir.path().join("flag.db");
    env.cmd()
        .env_remove("DATABASE_URL")
        .args(["migrate", "--database-url"])
        .arg(&flag)
        .assert()
        .success();
    assert!(flag.exists(), "--database-url wins");
}
