//! With the `postgres` feature, the CLI records its runs in PostgreSQL and
//! lists them from there. Runs against `INTELLIGENCE_TEST_DATABASE_URL`, in
//! a schema of its own that is dropped afterwards.

use super::support::Env;

#[cfg(feature = "postgres")]
#[test]
fn recommend_then_runs_list_on_postgresql() {
    use std::process::Command;

    let Ok(base) = std::env::var("INTELLIGENCE_TEST_DATABASE_URL") else {
        eprintln!(
            "skipped: INTELLIGENCE_TEST_DATABASE_URL is unset, so the PostgreSQL CLI test did not run"
        );
        return;
    };
    let schema = format!("cli_{}", uuid::Uuid::now_v7().simple());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([base.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .status()
            .expect("psql runs");
        assert!(status.success(), "psql {sql}");
    };
    psql(&format!("CREATE SCHEMA {schema}"));
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3D{schema}");

    let env = Env::new();
    let recorded = env
        .cmd()
        .env("DATABASE_URL", &url)
        .args(["recommend", "--memory", "--json"])
        .output()
        .expect("run");
    let listed = env
        .cmd()
        .env("DATABASE_URL", &url)
        .args(["runs", "list", "--json"])
        .output()
        .expect("run");
    psql(&format!("DROP SCHEMA {schema} CASCADE"));

    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&recorded.stderr).contains("warning"),
        "the run was recorded without a warning: {}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let runs = listed["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "{listed}");
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["analysis_kind"], "memory");
}

#[cfg(not(feature = "postgres"))]
#[test]
fn a_postgres_url_without_the_feature_still_prints_the_analysis() {
    let env = Env::new();
    let output = env
        .cmd()
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        .args(["recommend", "--memory", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("postgres"), "{stderr}");
}
