//! `recommend` in every mode leaves audit records that `runs list` shows.

use super::support::{Env, stderr, stdout};

#[test]
fn memory_analysis_is_printed_and_recorded_as_succeeded() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("memory analysis (run "), "{text}");
    assert!(text.contains("  1. ["), "numbered recommendations: {text}");

    let runs = env.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["analysis_kind"], "memory");
    assert_eq!(runs[0]["provider"], "local");
    assert!(text.contains(runs[0]["id"].as_str().expect("id")), "{text}");
}

#[test]
fn all_leaves_three_records_with_one_trace_id() {
    let env = Env::new();
    let tree = env.tree();
    let report = env.json(&["recommend", "--all", "--path", Env::path_str(&tree)]);
    let analyses = report["analyses"].as_array().expect("analyses");
    assert_eq!(analyses.len(), 3);

    let runs = env.runs();
    let mut kinds: Vec<&str> = runs
        .iter()
        .map(|run| run["analysis_kind"].as_str().expect("kind"))
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["cpu", "disk", "memory"]);
    for run in &runs {
        assert_eq!(run["status"], "succeeded", "{run}");
        assert_eq!(run["trace_id"], report["trace_id"]);
    }
}

#[test]
fn disk_analysis_finds_the_old_log_in_the_tree() {
    let env = Env::new();
    let tree = env.tree();
    let report = env.json(&[
        "recommend",
        "--disk",
        "--path",
        Env::path_str(&tree),
        "--threshold-mb",
        "1",
        "--old-days",
        "30",
    ]);
    let text = report.to_string();
    assert!(text.contains("app.log"), "{text}");
    assert_eq!(report["analyses"][0]["kind"], "disk");
    assert_eq!(
        report["analyses"][0]["path"].as_str(),
        Some(Env::path_str(&tree))
    );

    let runs = env.runs();
    assert_eq!(runs[0]["analysis_kind"], "disk");
    assert_eq!(
        runs[0]["provider_config"],
        serde_json::json!({"threshold_mb": 1.0, "old_days": 30.0})
    );
}

#[test]
fn cpu_analysis_is_recorded() {
    let env = Env::new();
    let report = env.json(&["recommend", "--cpu", "--top-n", "2"]);
    assert_eq!(report["analyses"][0]["kind"], "cpu");
    let runs = env.runs();
    assert_eq!(runs[0]["analysis_kind"], "cpu");
    assert_eq!(runs[0]["provider_config"], serde_json::json!({"top_n": 2}));
}

#[test]
fn top_n_limits_the_processes_listed() {
    let env = Env::new();
    let report = env.json(&["recommend", "--memory", "--top-n", "1"]);
    for rec in report["analyses"][0]["recommendations"]
        .as_array()
        .expect("recommendations")
    {
        if let Some(processes) = rec["details"]["top_processes"].as_array() {
            assert!(processes.len() <= 1, "{rec}");
        }
    }
}

#[test]
fn a_general_scan_runs_without_flags() {
    let env = Env::new();
    let output = env.cmd().arg("recommend").output().expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("general scan (run "));
    let runs = env.runs();
    assert_eq!(runs[0]["analysis_kind"], "automatic");
    assert_eq!(runs[0]["input_summary"], "general scan");
}

#[test]
fn the_trace_id_reaches_the_record() {
    let env = Env::new();
    let report = env.json(&["recommend", "--memory", "--trace-id", "ticket-42"]);
    assert_eq!(report["trace_id"], "ticket-42");
    let listed = env.json(&["runs", "list", "--trace-id", "ticket-42"]);
    assert_eq!(listed["runs"].as_array().map(Vec::len), Some(1));
}

#[test]
fn an_incident_is_analysed_and_linked_to_the_record() {
    let env = Env::new();
    let tree = env.tree();
    let path = format!("path={}", Env::path_str(&tree));
    let incident = env.json(&[
        "incidents",
        "add",
        "--title",
        "Disk space low on app-1",
        "--metadata",
        &path,
    ]);
    let id = incident["id"].as_i64().expect("id").to_string();

    let report = env.json(&["recommend", "--incident-id", &id]);
    let recs = report["analyses"][0]["recommendations"]
        .as_array()
        .expect("recommendations");
    assert!(!recs.is_empty());
    assert!(
        recs.iter()
            .all(|rec| rec["incident_id"].as_i64().map(|i| i.to_string()) == Some(id.clone()))
    );

    env.json(&["recommend", "--memory"]);
    let about = env.json(&["runs", "list", "--incident-id", &id]);
    let runs = about["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "only the incident's run: {about}");
    assert_eq!(
        runs[0]["incident_id"].as_i64().map(|i| i.to_string()),
        Some(id)
    );
    assert_eq!(runs[0]["status"], "succeeded");
}

#[test]
fn openai_without_an_incident_answers_nothing_and_is_recorded() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["recommend", "--provider", "openai", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["provider"], "openai");
    let runs = env.runs();
    assert_eq!(runs[0]["provider"], "openai");
    assert_eq!(runs[0]["status"], "succeeded");
}

#[test]
fn all_prints_what_succeeded_and_exits_with_the_failure() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["recommend", "--all", "--path", "/etc"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("memory analysis (run "), "{text}");
    assert!(text.contains("\ncpu analysis (run "), "{text}");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: disk analysis of /etc failed: "),
        "{err}"
    );

    let mut statuses: Vec<(String, String)> = env
        .runs()
        .iter()
        .map(|run| {
            (
                run["analysis_kind"].as_str().expect("kind").to_owned(),
                run["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("cpu".to_owned(), "succeeded".to_owned()),
            ("disk".to_owned(), "failed".to_owned()),
            ("memory".to_owned(), "succeeded".to_owned()),
        ]
    );

    let report = env.json(&["recommend", "--memory"]);
    assert!(
        report["analyses"][0].get("error").is_none(),
        "no error key on success"
    );
}

#[test]
fn all_with_json_reports_the_failed_analysis() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["recommend", "--all", "--path", "/etc", "--json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["analyses"][2]["kind"], "disk");
    assert_eq!(report["analyses"][2]["error"]["type"], "path_not_allowed");
    assert_eq!(
        report["analyses"][2]["recommendations"],
        serde_json::json!([])
    );
}
