//! A registry of provider factories, injected into every adapter.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::error::ProviderError;
use crate::provider::Provider;

/// Builds a provider from a JSON configuration object.
pub type ProviderFactory =
    Arc<dyn Fn(&serde_json::Value) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync>;

/// A provider's name and description, as listed to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    /// The registered name.
    pub name: String,
    /// What it does.
    pub description: String,
}

struct Entry {
    description: String,
    factory: ProviderFactory,
}

/// Named provider factories. Cheap to clone.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    entries: Arc<BTreeMap<String, Arc<Entry>>>,
}

impl fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.keys()).finish()
    }
}

impl ProviderRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory under `name`, replacing any earlier one.
    pub fn register<F>(
        &mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        factory: F,
    ) where
        F: Fn(&serde_json::Value) -> Result<Arc<dyn Provider>, ProviderError>
            + Send
            + Sync
            + 'static,
    {
        let entry = Entry {
            description: description.into(),
            factory: Arc::new(factory),
        };
        Arc::make_mut(&mut self.entries).insert(name.into(), Arc::new(entry));
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Every provider's name and description, sorted by name.
    pub fn list(&self) -> Vec<ProviderInfo> {
        self.entries
            .iter()
            .map(|(name, entry)| ProviderInfo {
                name: name.clone(),
                description: entry.description.clone(),
            })
            .collect()
    }

    /// Builds the provider registered under `name` with `config`.
    ///
    /// An unknown name is [`ProviderError::UnknownProvider`], listing the
    /// names there are.
    pub fn build(
        &self,
        name: &str,
        config: &serde_json::Value,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        let entry = self
            .entries
            .get(name)
            .ok_or_else(|| ProviderError::UnknownProvider {
                name: name.to_owned(),
                available: self.names(),
            })?;
        (entry.factory)(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analysis, AnalysisKind, Incident};
    use async_trait::async_trait;

    struct Named(String);

    #[async_trait]
    impl Provider for Named {
        fn name(&self) -> &str {
            &self.0
        }
        fn description(&self) -> &str {
            "test"
        }
        async fn analyze(
            &self,
            _: Option<&Incident>,
            _: &AnalysisKind,
        ) -> Result<Analysis, ProviderError> {
            Ok(Analysis::default())
        }
    }

    #[test]
    fn builds_by_name_and_refuses_unknown_names() {
        let mut registry = ProviderRegistry::new();
        registry.register("b", "second", |_| Ok(Arc::new(Named("b".into()))));
        registry.register("a", "first", |config| {
            let name = config["name"].as_str().unwrap_or("a").to_owned();
            Ok(Arc::new(Named(name)))
        });

        assert_eq!(registry.names(), ["a", "b"]);
        let built = registry
            .build("a", &serde_json::json!({"name": "configured"}))
            .expect("registered");
        assert_eq!(built.name(), "configured");

        let err = registry
            .build("nope", &serde_json::Value::Null)
            .err()
            .expect("unknown");
        assert!(
            matches!(err, ProviderError::UnknownProvider { ref available, .. } if available == &["a", "b"])
        );
    }
}
