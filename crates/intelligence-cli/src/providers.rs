//! The provider registry the CLI runs with: `local` (with the flags'
//! settings, and the progress spinner when there is one) and `openai`
//! (configured from the environment).

use std::sync::Arc;

use intelligence_core::ProviderRegistry;
use intelligence_local::{LocalProvider, LocalSettings, ProgressFn};
use intelligence_openai::OpenAiSettings;

/// Every provider the CLI knows, `local` built on `settings`.
pub fn registry(settings: LocalSettings, progress: Option<ProgressFn>) -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    intelligence_local::register(&mut registry, settings.clone());
    if let Some(progress) = progress {
        // The same factory as `intelligence_local::register`, plus the
        // progress callback, under the same name and description.
        let description = registry
            .list()
            .into_iter()
            .find(|info| info.name == intelligence_local::NAME)
            .map(|info| info.description)
            .unwrap_or_default();
        registry.register(intelligence_local::NAME, description, move |config| {
            let provider = LocalProvider::new(settings.with_overrides(config)?)?
                .with_progress(Arc::clone(&progress));
            Ok(Arc::new(provider))
        });
    }
    intelligence_openai::register(&mut registry, OpenAiSettings::from_env());
    registry
}
