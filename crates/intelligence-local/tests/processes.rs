//! Memory and CPU analysis against real processes on this machine: a child
//! holding 200 MB is found, a busy child is found, and a child whose
//! arguments carry a fake API key and password never leaks them into the
//! recommendations or the stored audit record.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use intelligence_core::{
    AnalysisKind, Incident, MemorySink, Provider, RecommendationType, RunOptions, RunStatus, run,
};
use intelligence_local::{LocalProvider, LocalSettings};
use serde_json::Value;

const FAKE_API_KEY: &str = "sk-test-FAKEKEY1234567890";
const FAKE_PASSWORD: &str = "hunter2-not-a-real-password";

/// A child process killed when dropped.
struct Held(Child);

impl Held {
    /// Starts `python3 -c code args...` and waits until it prints `ready`.
    fn python(code: &str, args: &[&str]) -> Self {
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(code)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 is installed");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("child says ready");
        assert_eq!(line.trim(), "ready");
        Self(child)
    }

    /// Holds `mb` MiB of touched memory.
    fn holding(mb: usize, args: &[&str]) -> Self {
        let code = format!(
            "import sys, time\nb = b'\\x01' * ({mb} * 1024 * 1024)\nprint('ready', flush=True)\ntime.sleep(120)"
        );
        Self::python(&code, args)
    }

    /// Spins on one core.
    fn busy() -> Self {
        Self::python("print('ready', flush=True)\nwhile True: pass", &[])
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn provider() -> LocalProvider {
    // Enough processes that other work on a shared machine (compilers)
    // cannot push ours out of the list.
    LocalProvider::new(LocalSettings {
        top_n: 50,
        ..LocalSettings::default()
    })
    .expect("valid settings")
}

fn listed(details: &Value, pid: u32) -> Option<&Value> {
    details["top_processes"]
        .as_array()
        .expect("top_processes is an array")
        .iter()
        .find(|p| p["pid"] == pid)
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_analysis_finds_a_child_holding_200_mb() {
    let child = Held::holding(200, &[]);
    let analysis = provider()
        .analyze(None, &AnalysisKind::Memory)
        .await
        .expect("memory analysis");
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::Memory);

    let entry = listed(&rec.details, child.pid()).expect("the child is listed");
    let mb = entry["memory_mb"].as_f64().expect("memory_mb");
    assert!((200.0..400.0).contains(&mb), "child holds {mb} MB");
    assert!(
        entry["name"].as_str().expect("name").starts_with("python"),
        "{entry}"
    );
    assert!(entry["memory_percent"].as_f64().expect("percent") > 0.1);
    assert!(rec.details["total_memory_percent"].as_f64().expect("total") > 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn cpu_analysis_finds_a_busy_child_with_counts_and_load() {
    let child = Held::busy();
    let analysis = provider()
        .analyze(None, &AnalysisKind::Cpu)
        .await
        .expect("cpu analysis");
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::Cpu);
    let entry = listed(&rec.details, child.pid()).expect("the busy child is listed");
    assert!(entry["cpu_percent"].as_f64().expect("cpu_percent") > 1.0);
    assert!(rec.details["cpu_count"].as_u64().expect("cpu_count") >= 1);
    assert_eq!(
        rec.details["load_avg"].as_array().expect("load_avg").len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_in_arguments_never_reach_recommendations_or_the_record() {
    let api_key_arg = format!("--api-key={FAKE_API_KEY}");
    let child = Held::holding(120, &[&api_key_arg, "--password", FAKE_PASSWORD]);
    let sink = Arc::new(MemorySink::new());
    let incident = Incident::new(77, "High memory usage on worker");
    let provider = provider();

    let outcome = run(
        &provider,
        sink.clone(),
        Some(&incident),
        &AnalysisKind::Automatic,
        RunOptions::traced("trace-secrets"),
    )
    .await
    .expect("memory analysis for the incident");

    let rec = &outcome.analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::Memory, "detected as memory");
    assert_eq!(rec.incident_id, Some(77));
    let entry = listed(&rec.details, child.pid()).expect("the child is listed");
    let cmdline = entry["cmdline"].as_str().expect("cmdline");
    assert!(cmdline.contains("--api-key=***"), "{cmdline}");
    assert!(cmdline.contains("--password ***"), "{cmdline}");

    let shown = serde_json::to_string(&outcome.analysis.recommendations).expect("json");
    let record = sink.get(outcome.run_id).expect("recorded");
    assert_eq!(record.status, RunStatus::Succeeded);
    let stored = serde_json::to_string(&record).expect("json");
    for text in [&shown, &stored] {
        assert!(!text.contains(FAKE_API_KEY), "api key leaked");
        assert!(!text.contains(FAKE_PASSWORD), "password leaked");
    }
    assert!(stored.contains(&child.pid().to_string()));
}
