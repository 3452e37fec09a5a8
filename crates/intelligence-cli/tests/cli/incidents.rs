//! `incidents add|list|show`.

use super::support::{Env, stderr, stdout};

#[test]
fn add_list_and_show_round_trip() {
    let env = Env::new();
    let added = env.json(&[
        "incidents",
        "add",
        "--title",
        "OOM kills on web-3",
        "--description",
        "the kernel killed php-fpm twice",
        "--severity",
        "critical",
        "--metadata",
        "host=web-3",
        "--metadata",
        "query=a=b",
        "--alert",
        "HighMemoryUsage=memory above 95%",
        "--alert",
        "OOMKill",
    ]);
    assert_eq!(added["title"], "OOM kills on web-3");
    assert_eq!(added["severity"], "critical");
    assert_eq!(added["status"], "open");
    assert_eq!(
        added["metadata"],
        serde_json::json!({"host": "web-3", "query": "a=b"})
    );
    assert_eq!(added["alerts"][0]["name"], "HighMemoryUsage");
    assert_eq!(added["alerts"][0]["description"], "memory above 95%");
    assert_eq!(added["alerts"][1]["name"], "OOMKill");
    let id = added["id"].as_i64().expect("id").to_string();

    let shown = env.json(&["incidents", "show", &id]);
    assert_eq!(shown, added);

    let listed = env.json(&["incidents", "list"]);
    assert_eq!(listed["incidents"][0], added);

    let output = env.cmd().args(["incidents", "list"]).output().expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("ID  SEVERITY  STATUS  ALERTS  TITLE\n"),
        "{text}"
    );
    assert!(text.contains("critical  open"), "{text}");

    let output = env
        .cmd()
        .args(["incidents", "show", &id])
        .output()
        .expect("run");
    let text = stdout(&output);
    assert!(
        text.contains("alert: HighMemoryUsage: memory above 95%"),
        "{text}"
    );
}

#[test]
fn add_prints_the_new_id() {
    let env = Env::new();
    env.cmd()
        .args(["incidents", "add", "--title", "disk full"])
        .assert()
        .success()
        .stdout(predicates::str::is_match(r"^added incident \d+: disk full\n$").expect("regex"));
}

#[test]
fn an_empty_list_says_so() {
    let env = Env::new();
    env.cmd()
        .args(["incidents", "list"])
        .assert()
        .success()
        .stdout("no incidents\n");
}

#[test]
fn a_blank_or_multi_line_title_or_a_nameless_alert_exits_2_and_adds_nothing() {
    let env = Env::new();
    for args in [
        &["incidents", "add", "--title", ""][..],
        &["incidents", "add", "--title", "   "][..],
        &["incidents", "add", "--title", "a\nb"][..],
        &["incidents", "add", "--title", "t", "--alert", "=x"][..],
    ] {
        let output = env.cmd().args(args).output().expect("run");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    let listed = env.json(&["incidents", "list"]);
    assert_eq!(listed["incidents"], serde_json::json!([]));
}

#[test]
fn a_blank_severity_or_status_exits_2_and_adds_nothing() {
    let env = Env::new();
    for (flag, value) in [
        ("--severity", ""),
        ("--severity", "   "),
        ("--status", ""),
        ("--status", "\t"),
    ] {
        let output = env
            .cmd()
            .args(["incidents", "add", "--title", "Disk low", flag, value])
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag} {value:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(flag) && err.contains("blank"), "{err}");
    }
    let list = env.json(&["incidents", "list"]);
    assert_eq!(
        list["incidents"].as_array().map(Vec::len),
        Some(0),
        "{list}"
    );
}
