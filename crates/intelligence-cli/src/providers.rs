//! The provider registry the CLI runs with: `local` (with the flags'
//! settings, and the progress spinner when there is one) and `openai`
//! (configured from the environment).

use intelligence_core::ProviderRegistry;
use intelligence_local::{LocalSettings, ProgressFn};
use intelligence_openai::OpenAiSettings;

/// Every provider the CLI knows, `local` built on `settings`.
pub fn registry(settings: LocalSettings, progress: Option<ProgressFn>) -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    intelligence_local::register_with_progress(&mut registry, settings, progress);
    intelligence_openai::register(&mut registry, OpenAiSettings::from_env());
    registry
}
