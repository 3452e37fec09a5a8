//! `bench_probe serve`: the views over a store, as `intelligence serve`
//! builds them, for when the CLI cannot serve the store (no `serve` command
//! yet, or built without PostgreSQL). Prints `{"listening": "addr"}`, then
//! serves until killed.

use std::io::Write;

use anyhow::Result;
use intelligence_core::ProviderRegistry;
use intelligence_store::Store;
use intelligence_views::{AppState, ViewSettings, serve_on};
use tokio::net::TcpListener;

/// Where and what to serve.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The SQLite file or PostgreSQL URL.
    #[arg(long)]
    url: String,
    /// The loopback address to bind; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: std::net::SocketAddr,
}

/// Serves until the process is killed.
pub async fn run(args: &ServeArgs) -> Result<()> {
    let store = Store::open(&args.url)?;
    let settings = ViewSettings::default();
    let mut registry = ProviderRegistry::new();
    intelligence_local::register(&mut registry, settings.local.clone());
    let state = AppState::from_store(registry, store, settings);

    let listener = TcpListener::bind(args.bind).await?;
    let addr = listener.local_addr()?;
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "{}",
        serde_json::json!({ "listening": addr.to_string() })
    )?;
    stdout.flush()?;
    serve_on(listener, state, std::future::pending()).await?;
    Ok(())
}
