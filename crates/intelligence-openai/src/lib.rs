//! `intelligence-openai`: incident analysis by a chat model over any
//! OpenAI-compatible chat completions API (the public OpenAI API, or a local
//! server), through the same audited [`intelligence_core::run()`] as every
//! other provider.
//!
//! - [`OpenAiSettings`]: API key, model, token limit, timeout and base URL,
//!   read from the environment ([`OpenAiSettings::from_env`]) and narrowed
//!   per run by a JSON configuration that can change the model, the limit
//!   and the timeout, never the key or the URL.
//! - [`OpenAiProvider`]: without an incident it answers nothing and sends
//!   nothing; with one it sends a system prompt asking for a JSON array of
//!   recommendations and a user prompt built from the incident, and reads the
//!   reply leniently. An API failure gives one flagged fallback
//!   recommendation, with the error (scrubbed of the key) for the audit
//!   record, and the model and token usage of the reply when there was one.
//! - [`register`]: puts the provider into a [`ProviderRegistry`] under
//!   [`NAME`], sharing one HTTP client between every provider it builds.
//!
//! See `docs/openai-provider.md` for the settings, the prompt and the parsing
//! rules.
//!
//! # Example
//!
//! ```
//! use intelligence_core::ProviderRegistry;
//! use intelligence_openai::{OpenAiSettings, register};
//!
//! let base = OpenAiSettings {
//!     api_key: Some("sk-example".into()),
//!     base_url: "http://127.0.0.1:11434/v1".into(),
//!     ..OpenAiSettings::from_env()
//! };
//! assert!(!format!("{base:?}").contains("sk-example"));
//!
//! let mut registry = ProviderRegistry::new();
//! register(&mut registry, base);
//! let provider = registry
//!     .build("openai", &serde_json::json!({"model": "llama3.2", "max_tokens": 512}))
//!     .expect("valid settings");
//! assert_eq!(provider.name(), "openai");
//!
//! // A request can narrow the model, never point the provider elsewhere.
//! let refused = registry.build("openai", &serde_json::json!({"max_tokens": "lots"}));
//! assert!(refused.is_err());
//! ```

mod api;
mod error;
mod prompt;
mod provider;
mod reply;
mod settings;
mod text;

use std::sync::Arc;

use intelligence_core::{Provider, ProviderRegistry};

pub use error::OpenAiError;
pub use prompt::{MAX_ALERTS, SYSTEM_PROMPT};
pub use provider::{DESCRIPTION, FALLBACK_TITLE, NAME, OpenAiProvider};
pub use reply::{MAX_TEXT_CHARS, TEXT_TITLE};
pub use settings::{
    DEFAULT_BASE_URL, DEFAULT_MAX_TOKENS, DEFAULT_MODEL, DEFAULT_TIMEOUT, ENV_API_KEY,
    ENV_BASE_URL, ENV_MODEL, MAX_TIMEOUT, OpenAiSettings,
};

/// Registers the provider under [`NAME`]. Each build applies the JSON
/// configuration to `base` with [`OpenAiSettings::with_overrides`]; every
/// provider built shares one HTTP client.
pub fn register(registry: &mut ProviderRegistry, base: OpenAiSettings) {
    let client = match api::build_client() {
        Ok(client) => Some(client),
        Err(err) => {
            // Each build then tries again and reports its own error.
            tracing::warn!(error = %err, "could not build the shared openai http client");
            None
        }
    };
    registry.register(NAME, DESCRIPTION, move |config| {
        let settings = base.with_overrides(config)?;
        let provider = match &client {
            Some(client) => OpenAiProvider::with_client(settings, client.clone())?,
            None => OpenAiProvider::new(settings)?,
        };
        Ok(Arc::new(provider) as Arc<dyn Provider>)
    });
}
