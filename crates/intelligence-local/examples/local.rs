//! Runs one local analysis and prints its recommendations as JSON, with the
//! time it took on stderr: `cargo run -p intelligence-local --example local
//! -- memory | cpu | general | disk PATH`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use intelligence_core::{AnalysisKind, Provider};
use intelligence_local::{LocalProvider, LocalSettings};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let kind = match args.next().as_deref() {
        Some("memory") => AnalysisKind::Memory,
        Some("cpu") => AnalysisKind::Cpu,
        Some("disk") => AnalysisKind::Disk {
            path: args.next().map(PathBuf::from),
        },
        Some("general") | None => AnalysisKind::Automatic,
        Some(other) => {
            eprintln!("unknown analysis {other:?}: expected memory, cpu, general or disk PATH");
            std::process::exit(2);
        }
    };
    let provider = match LocalProvider::new(LocalSettings::default()) {
        Ok(p) => p.with_progress(Arc::new(|m: &str| eprintln!("{m}"))),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    match provider.analyze(None, &kind).await {
        Ok(analysis) => {
            eprintln!("took {} ms", started.elapsed().as_millis());
            match serde_json::to_string_pretty(&analysis.recommendations) {
                Ok(json) => println!("{json}"),
                Err(err) => eprintln!("error: {err}"),
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    }
}
