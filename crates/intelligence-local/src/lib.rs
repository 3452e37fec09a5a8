//! `intelligence-local`: the provider that works everywhere, with no key and
//! no network. It analyses the machine it runs on:
//!
//! - **memory**: the top processes by resident memory and memory pressure;
//! - **CPU**: the top processes by CPU over two samples, core counts, load;
//! - **disk**: one walk of a directory tree for large items (allocated size,
//!   as `du` counts) and old log, cache and temp files;
//! - **general scan** when there is no incident, and **incident type
//!   detection** by whole words when there is one.
//!
//! Command lines are masked before they go into a recommendation
//! ([`redact_cmdline`]), and disk paths from outside must resolve inside the
//! configured allowed roots ([`LocalProvider::resolve_disk_path`]).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//!
//! use intelligence_core::{AnalysisKind, MemorySink, ProviderRegistry, RunOptions, run};
//! use intelligence_local::{LocalSettings, register};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mut registry = ProviderRegistry::new();
//! register(&mut registry, LocalSettings::default());
//! let provider = registry
//!     .build("local", &serde_json::json!({"top_n": 3}))
//!     .expect("valid config");
//!
//! let sink = Arc::new(MemorySink::new());
//! let outcome = run(&*provider, sink, None, &AnalysisKind::Memory, RunOptions::default())
//!     .await
//!     .expect("memory analysis");
//! let rec = &outcome.analysis.recommendations[0];
//! assert!(rec.details["top_processes"].as_array().expect("array").len() <= 3);
//! # }
//! ```

mod cpu;
mod detect;
pub mod disk;
mod error;
mod general;
mod memory;
mod paths;
mod process;
mod provider;
pub mod redact_cmdline;
mod settings;

use std::sync::Arc;

use intelligence_core::ProviderRegistry;

pub use cpu::{CPU_SAMPLE_INTERVAL, MIN_PROCESS_CPU_PERCENT, cpu_priority};
pub use detect::{CPU_WORDS, DISK_WORDS, IncidentType, MEMORY_WORDS, detect};
pub use disk::{LARGE_ITEMS_KEPT, OLD_FILES_KEPT, disk_priority};
pub use error::LocalError;
pub use general::GENERAL_SCAN_PERCENT;
pub use memory::{MIN_PROCESS_MEMORY_PERCENT, memory_priority};
pub use provider::LocalProvider;
pub use settings::LocalSettings;

/// The name the provider is registered under.
pub const NAME: &str = "local";

/// Receives progress messages such as `Scanning /var/log... 12,000 files`.
pub type ProgressFn = Arc<dyn Fn(&str) + Send + Sync>;

/// Registers the local provider in `registry`. Each build applies the
/// request's `top_n`, `threshold_mb` and `old_days` over `base`
/// ([`LocalSettings::with_overrides`]); nothing else can be overridden.
pub fn register(registry: &mut ProviderRegistry, base: LocalSettings) {
    register_with_progress(registry, base, None);
}

/// [`register`], with every provider it builds reporting to `progress`
/// (the CLI's spinner).
pub fn register_with_progress(
    registry: &mut ProviderRegistry,
    base: LocalSettings,
    progress: Option<ProgressFn>,
) {
    registry.register(NAME, provider::DESCRIPTION, move |config| {
        let mut provider = LocalProvider::new(base.with_overrides(config)?)?;
        if let Some(progress) = &progress {
            provider = provider.with_progress(Arc::clone(progress));
        }
        Ok(Arc::new(provider))
    });
}
