//! Serves the views over a SQLite file, optionally seeded with sample runs:
//! the same few lines `intelligence serve` uses, plus seeding for load tests.
//!
//! ```text
//! cargo run --release -p intelligence-views --example serve -- /tmp/views.db 100000 127.0.0.1:8000
//! ```
//!
//! Arguments: database path (default `views.db` in the temp dir), how many
//! sample runs to add first (default 0), bind address (default
//! 127.0.0.1:8000). `INTELLIGENCE_TOKEN` sets the bearer token.

use std::net::SocketAddr;

use chrono::{Duration, Utc};
use intelligence_core::{AnalysisRun, NewRun, ProviderRegistry, RunFailed, RunId, RunSucceeded};
use intelligence_store::Store;
use intelligence_views::{AppState, DEFAULT_BIND, ServeSettings, TOKEN_ENV, ViewSettings, serve};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .unwrap_or_else(|| std::env::temp_dir().join("views.db").display().to_string());
    let seed: usize = args.next().map_or(Ok(0), |n| n.parse())?;
    let bind: SocketAddr = args.next().map_or(Ok(DEFAULT_BIND), |a| a.parse())?;

    let store = Store::open(&db)?;
    if seed > 0 {
        let added = store.import_runs(&sample(seed)).await?;
        eprintln!("seeded {added} runs into {db}");
    }

    // The wiring `intelligence serve` needs:
    let settings = ViewSettings::default().with_token(std::env::var(TOKEN_ENV).ok());
    let mut registry = ProviderRegistry::new();
    intelligence_local::register(&mut registry, settings.local.clone());
    intelligence_openai::register(
        &mut registry,
        intelligence_openai::OpenAiSettings::from_env(),
    );
    let state = AppState::from_store(registry, store, settings);
    eprintln!("serving on http://{bind}/admin/intelligence/analysisrun/");
    serve(ServeSettings { bind }, state).await?;
    Ok(())
}

/// `count` runs a second apart: a third failed, providers alternating.
fn sample(count: usize) -> Vec<AnalysisRun> {
    let start = Utc::now() - Duration::days(30);
    (0..count)
        .map(|i| {
            let offset = i64::try_from(i).unwrap_or(i64::MAX);
            let created_at = start + Duration::seconds(offset);
            let new = NewRun {
                id: RunId::new(),
                trace_id: format!("seed-{i}"),
                pipeline_run_id: String::new(),
                provider: if i % 2 == 0 { "local" } else { "openai" }.to_owned(),
                provider_config: serde_json::json!({"top_n": 10}),
                incident_id: None,
                analysis_kind: "memory".to_owned(),
                input_summary: "memory".to_owned(),
                checker_output_ref: String::new(),
                created_at,
            };
            let mut run = AnalysisRun::from_new(&new);
            run.apply_started(created_at);
            let completed_at = created_at + Duration::milliseconds(250);
            if i % 3 == 0 {
                run.apply_failed(&RunFailed {
                    error_type: "timeout".to_owned(),
                    error_message: "timed out after 30s".to_owned(),
                    completed_at,
                    duration_ms: 250,
                });
            } else {
                run.apply_succeeded(&RunSucceeded {
                    recommendations: serde_json::json!([{"title": "Memory usage normal"}]),
                    recommendations_count: 1,
                    summary: "Memory usage normal".to_owned(),
                    probable_cause: String::new(),
                    confidence: None,
                    model_name: None,
                    prompt_tokens: None,
                    completion_tokens: None,
                    total_tokens: None,
                    fallback_used: false,
                    error_type: None,
                    error_message: None,
                    completed_at,
                    duration_ms: 250,
                });
            }
            run
        })
        .collect()
}
