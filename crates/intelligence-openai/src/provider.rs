//! [`OpenAiProvider`]: asks the model about an incident, and answers with a
//! flagged fallback recommendation when the API gives no usable reply.

use std::fmt;
use std::time::Instant;

use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, Fallback, Incident, IncidentId, Priority, Provider, ProviderError,
    Recommendation, RecommendationType, Scrubber, TokenUsage,
};
use reqwest::{Client, Url};
use serde_json::json;

use crate::api::{self, Completion};
use crate::error::OpenAiError;
use crate::prompt::{self, SYSTEM_PROMPT};
use crate::reply::{self, Parsed};
use crate::settings::OpenAiSettings;
use crate::text::cut;

/// The name the provider is registered under.
pub const NAME: &str = "openai";
/// What the provider does, as listed to users.
pub const DESCRIPTION: &str =
    "incident analysis by an OpenAI-compatible chat model (chat completions API)";
/// The title of the fallback recommendation.
pub const FALLBACK_TITLE: &str = "AI analysis unavailable";

/// Incident analysis over an OpenAI-compatible chat completions API.
///
/// Without an incident it returns no recommendations and sends nothing. An
/// API failure (connection, timeout, non-2xx status, a reply without usable
/// content) is answered with one [`FALLBACK_TITLE`] recommendation and
/// [`Analysis::fallback`] set, never with an `Err`, and never retried.
#[derive(Clone)]
pub struct OpenAiProvider {
    settings: OpenAiSettings,
    endpoint: Url,
    client: Client,
    scrubber: Scrubber,
}

impl fmt::Debug for OpenAiProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("settings", &self.settings)
            .field("endpoint", &self.shown_endpoint())
            .finish_non_exhaustive()
    }
}

impl OpenAiProvider {
    /// A provider with its own HTTP client.
    ///
    /// Unusable settings (an empty model, a zero limit, a base URL that is
    /// not http(s), a key that cannot be a header) are
    /// [`ProviderError::Config`].
    pub fn new(settings: OpenAiSettings) -> Result<Self, ProviderError> {
        let client = api::build_client()?;
        Self::with_client(settings, client)
    }

    /// A provider sharing `client` (its connection pool) with others.
    pub(crate) fn with_client(
        settings: OpenAiSettings,
        client: Client,
    ) -> Result<Self, ProviderError> {
        settings.validate()?;
        let endpoint = settings.endpoint()?;
        let scrubber = settings.scrubber();
        Ok(Self {
            settings,
            endpoint,
            client,
            scrubber,
        })
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &OpenAiSettings {
        &self.settings
    }

    /// Reads the recommendations out of a completion, or says why there are
    /// none.
    fn read(
        &self,
        completion: &Completion,
        incident_id: IncidentId,
    ) -> Result<Parsed, OpenAiError> {
        if let Some(content) = &completion.content {
            let cut_off = completion.finish_reason.as_deref() == Some("length");
            return reply::parse(
                content,
                Some(incident_id),
                cut_off,
                self.settings.max_tokens,
            );
        }
        if let Some(refusal) = &completion.refusal {
            return Err(OpenAiError::Refusal(
                cut(refusal, reply::MAX_TEXT_CHARS).to_owned(),
            ));
        }
        Err(OpenAiError::NoContent {
            finish_reason: completion
                .finish_reason
                .clone()
                .unwrap_or_else(|| "unknown".to_owned()),
        })
    }

    /// The endpoint as logs and messages show it: without credentials,
    /// query or fragment ([`api::shown`]), and scrubbed of the key and the
    /// URL's secrets, which a proxy may carry in the path.
    fn shown_endpoint(&self) -> String {
        self.scrubber.scrub(&api::shown(&self.endpoint))
    }

    /// The reply with its text scrubbed of the key.
    fn scrubbed_completion(&self, mut completion: Completion) -> Completion {
        completion.content = completion.content.map(|text| self.scrubber.scrub(&text));
        completion.refusal = completion.refusal.map(|text| self.scrubber.scrub(&text));
        completion
    }

    /// The recommendations with every string scrubbed of the key.
    fn scrubbed(&self, recommendations: Vec<Recommendation>) -> Vec<Recommendation> {
        recommendations
            .into_iter()
            .map(|mut rec| {
                rec.title = self.scrubber.scrub(&rec.title);
                rec.description = self.scrubber.scrub(&rec.description);
                rec.actions = rec.actions.iter().map(|a| self.scrubber.scrub(a)).collect();
                rec.details = self.scrubber.scrub_value(&rec.details);
                rec
            })
            .collect()
    }

    /// The flagged stand-in answer for `err`, logged once here.
    fn fallback(
        &self,
        err: &OpenAiError,
        incident_id: IncidentId,
        model: Option<String>,
        usage: TokenUsage,
    ) -> Analysis {
        let fallback = Fallback {
            error_type: err.error_type(),
            message: self.scrubber.scrub(&err.to_string()),
        };
        tracing::warn!(
            error_type = %fallback.error_type,
            error = %fallback.message,
            model = %self.settings.model,
            "openai analysis failed; answering with a fallback recommendation"
        );
        let rec = Recommendation::new(
            RecommendationType::General,
            Priority::Low,
            FALLBACK_TITLE,
            format!(
                "The model gave no usable answer, so this incident was not analysed by AI: {}",
                fallback.message
            ),
        )
        .with_details(json!({"fallback": true, "error_type": fallback.error_type}))
        .with_actions([
            "Check the OpenAI settings: API key, base URL and model",
            "Run the local provider for an analysis of this machine",
            "Review the incident manually",
        ])
        .with_incident(Some(incident_id));
        Analysis {
            recommendations: vec![rec],
            model,
            usage,
            confidence: None,
            fallback: Some(fallback),
        }
    }
}

#[async_trait]
impl Provider for OpenAiProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        DESCRIPTION
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let Some(incident) = incident else {
            tracing::debug!("no incident: nothing to ask the model");
            return Ok(Analysis::default());
        };

        if self.settings.api_key.is_none() && api::is_public_api(&self.endpoint) {
            let err = OpenAiError::MissingApiKey {
                endpoint: self.shown_endpoint(),
            };
            return Ok(self.fallback(&err, incident.id, None, TokenUsage::default()));
        }

        let started = Instant::now();
        let user = prompt::user_prompt(incident, kind);
        tracing::debug!(
            endpoint = %self.shown_endpoint(),
            model = %self.settings.model,
            max_tokens = self.settings.max_tokens,
            timeout_ms = u64::try_from(self.settings.timeout.as_millis()).unwrap_or(u64::MAX),
            prompt_chars = user.chars().count(),
            "asking the model"
        );
        let completion = match api::complete(
            &self.client,
            &self.endpoint,
            &self.settings,
            &self.scrubber,
            SYSTEM_PROMPT,
            &user,
        )
        .await
        {
            // Scrubbed whole before anything is cut from it (a title from a
            // description, a refusal, text kept as it came).
            Ok(completion) => self.scrubbed_completion(completion),
            Err(err) => {
                return Ok(self.fallback(&err, incident.id, None, TokenUsage::default()));
            }
        };

        // The model that answered: the reply's own name, else the one asked.
        // A server may echo anything there, the key included.
        let model = completion
            .model
            .as_deref()
            .map(|name| self.scrubber.scrub(name))
            .or_else(|| Some(self.settings.model.clone()));
        match self.read(&completion, incident.id) {
            Ok(parsed) => {
                tracing::info!(
                    model = model.as_deref().unwrap_or_default(),
                    recommendations = parsed.recommendations.len(),
                    skipped = parsed.skipped,
                    as_text = parsed.as_text,
                    prompt_tokens = completion.usage.prompt,
                    completion_tokens = completion.usage.completion,
                    duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "openai analysis finished"
                );
                Ok(Analysis {
                    recommendations: self.scrubbed(parsed.recommendations),
                    model,
                    usage: completion.usage,
                    confidence: None,
                    fallback: None,
                })
            }
            Err(err) => Ok(self.fallback(&err, incident.id, model, completion.usage)),
        }
    }
}
