//! A two-stage alert pipeline against the embedded SQLite store: a checker
//! stub raises an incident, then the analyze stage runs the local provider
//! on it through `AnalyzeExecutor`. Prints the stage result and the audit
//! record it left, as JSON.
//!
//! ```text
//! cargo run -p intelligence-executor --example pipeline            # local provider
//! cargo run -p intelligence-executor --example pipeline -- nope    # unknown provider: fallback
//! ```

use std::sync::Arc;

use anyhow::Context as _;
use intelligence_core::{Alert, ProviderRegistry};
use intelligence_executor::{AnalyzeExecutor, StageContext};
use intelligence_local::LocalSettings;
use intelligence_store::{NewIncident, Store};
use serde_json::json;

/// What the check stage hands on: the incident it raised and a reference to
/// its output.
struct CheckOutput {
    incident_id: i64,
    checker_output_ref: String,
}

/// Stage 1, a stand-in for real checkers: it "finds" memory pressure and
/// raises an incident in the store.
async fn check_stage(
    store: &Store,
    trace_id: &str,
    pipeline_run_id: &str,
) -> anyhow::Result<CheckOutput> {
    let incident = NewIncident {
        description: "memory usage above 90% for 10 minutes".into(),
        severity: "warning".into(),
        alerts: vec![Alert {
            name: "HighMemoryUsage".into(),
            description: "available memory below 10%".into(),
        }],
        ..NewIncident::new("high memory usage on this host")
    };
    let incident = store
        .add_incident(incident)
        .await
        .context("raise the incident")?;
    Ok(CheckOutput {
        incident_id: incident.id,
        checker_output_ref: format!("checker:{trace_id}:{pipeline_run_id}:check"),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let provider = std::env::args()
        .nth(1)
        .unwrap_or_else(|| intelligence_local::NAME.to_owned());

    let dir = tempfile::tempdir().context("create a temp dir")?;
    let path = dir.path().join("intelligence.db");
    let store = Store::open(path.to_str().context("temp path is not utf-8")?)
        .context("open the sqlite store")?;

    let mut registry = ProviderRegistry::new();
    intelligence_local::register(&mut registry, LocalSettings::default());
    let executor = AnalyzeExecutor::new(
        registry,
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        intelligence_local::NAME,
    )?;

    let (trace_id, pipeline_run_id) = ("trace-demo-1", "pipeline-run-1");
    let checked = check_stage(&store, trace_id, pipeline_run_id).await?;

    let ctx = StageContext::new(trace_id, pipeline_run_id)
        .with_incident(checked.incident_id)
        .with_payload(json!({
            "provider": provider,
            // `api_key` is masked in the record; `scan_paths` names a path
            // and is dropped before the provider sees it.
            "provider_config": {"top_n": 5, "api_key": "demo-key-not-secret", "scan_paths": ["/etc"]},
            "checker_output_ref": checked.checker_output_ref,
        }));
    let result = executor.execute(&ctx).await;
    let record = store
        .get_run(result.run_id)
        .await?
        .context("the stage left no audit record")?;

    println!(
        "{}",
        serde_json::to_string_pretty(&json!({"analyze_result": result, "audit_record": record}))?
    );
    Ok(())
}
