//! [`AppState`]: everything the handlers use, injected by whoever builds the
//! router (the CLI's `serve`, a host service, a test), and
//! [`ViewSettings`], the server-side settings no request can change.

use std::fmt;
use std::sync::Arc;

use intelligence_core::{AuditSink, IncidentSource, ProviderRegistry};
use intelligence_local::LocalSettings;
use intelligence_store::Store;

use crate::queries::RunQueries;

/// The provider analyses run with when a request names none.
pub const DEFAULT_PROVIDER: &str = intelligence_local::NAME;

/// Server-side settings of the views.
#[derive(Clone)]
pub struct ViewSettings {
    /// The local provider's settings: the allowed roots disk paths must
    /// resolve inside, and the defaults echoed by `GET /intelligence/disk/`.
    /// Register the `local` provider with these same settings.
    pub local: LocalSettings,
    /// When set, every route requires `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// The provider used when a request names none.
    pub default_provider: String,
    /// The application name reported by the health route.
    pub app_name: String,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            local: LocalSettings::default(),
            token: None,
            default_provider: DEFAULT_PROVIDER.to_owned(),
            app_name: "intelligence".to_owned(),
        }
    }
}

impl ViewSettings {
    /// These settings with `token` as the bearer token; a blank token means
    /// none.
    #[must_use]
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|t| !t.trim().is_empty());
        self
    }
}

impl fmt::Debug for ViewSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewSettings")
            .field("local", &self.local)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("default_provider", &self.default_provider)
            .field("app_name", &self.app_name)
            .finish()
    }
}

/// The router's state: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct AppState {
    /// Builds the provider a request names.
    pub registry: ProviderRegistry,
    /// Receives the audit record of every analysis.
    pub sink: Arc<dyn AuditSink>,
    /// Answers the run list and run detail routes and pages.
    pub runs: Arc<dyn RunQueries>,
    /// Finds the incidents requests name.
    pub incidents: Arc<dyn IncidentSource>,
    /// Server-side settings.
    pub settings: Arc<ViewSettings>,
}

impl AppState {
    /// State from its parts.
    pub fn new(
        registry: ProviderRegistry,
        sink: Arc<dyn AuditSink>,
        runs: Arc<dyn RunQueries>,
        incidents: Arc<dyn IncidentSource>,
        settings: ViewSettings,
    ) -> Self {
        Self {
            registry,
            sink,
            runs,
            incidents,
            settings: Arc::new(settings),
        }
    }

    /// State over one [`Store`]: it records the runs, answers the run
    /// queries and supplies the incidents.
    pub fn from_store(registry: ProviderRegistry, store: Store, settings: ViewSettings) -> Self {
        let store = Arc::new(store);
        Self::new(registry, store.clone(), store.clone(), store, settings)
    }
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("registry", &self.registry)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug_and_blank_means_none() {
        let settings = ViewSettings::default().with_token(Some("s3cret-token".into()));
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert!(settings.token.is_some());
        assert!(
            ViewSettings::default()
                .with_token(Some("  ".into()))
                .token
                .is_none()
        );
    }
}
