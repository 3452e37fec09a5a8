//! The [`Provider`] trait: one analysis entry point.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::ProviderError;
use crate::incident::Incident;
use crate::kind::AnalysisKind;
use crate::recommendation::Recommendation;

/// Something that turns system state and incidents into recommendations.
///
/// Callers never call [`Provider::analyze`] directly: they go through
/// [`crate::run`], which records every execution.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The name it is registered under, such as `local` or `openai`.
    fn name(&self) -> &str;

    /// One sentence saying what it does.
    fn description(&self) -> &str;

    /// Analyses the incident (if any) as `kind` asks.
    ///
    /// Work that blocks (walking a tree, sampling processes) must not run on
    /// the async executor's threads.
    async fn analyze(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError>;
}

/// Token counts reported by a model; each is `None` when unknown, never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens in the prompt.
    pub prompt: Option<i64>,
    /// Tokens in the answer.
    pub completion: Option<i64>,
    /// Both together.
    pub total: Option<i64>,
}

/// The error behind a fallback answer: the run succeeded with a stand-in
/// recommendation, and the audit record says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    /// A short kind, as [`ProviderError::error_type`] gives.
    pub error_type: String,
    /// What went wrong.
    pub message: String,
}

impl From<&ProviderError> for Fallback {
    fn from(err: &ProviderError) -> Self {
        Self {
            error_type: err.error_type().into_owned(),
            message: err.to_string(),
        }
    }
}

/// What an analysis produced: the recommendations and what the provider
/// knows about how it got them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Analysis {
    /// The findings, most important first.
    pub recommendations: Vec<Recommendation>,
    /// The model that answered, for providers that use one.
    pub model: Option<String>,
    /// Token usage, for providers that use a model.
    pub usage: TokenUsage,
    /// A confidence between 0 and 1, when the provider has one.
    pub confidence: Option<f64>,
    /// Set when the recommendations are a stand-in for a failed analysis.
    pub fallback: Option<Fallback>,
}

impl Analysis {
    /// An analysis with these recommendations and nothing else known.
    pub fn new(recommendations: Vec<Recommendation>) -> Self {
        Self {
            recommendations,
            ..Self::default()
        }
    }
}

impl From<Vec<Recommendation>> for Analysis {
    fn from(recommendations: Vec<Recommendation>) -> Self {
        Self::new(recommendations)
    }
}
