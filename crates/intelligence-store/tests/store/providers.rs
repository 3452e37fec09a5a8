//! Providers for the tests: three recommendations, a fallback, a failure, a
//! panic, and one that never finishes.

use std::time::Duration;

use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, Fallback, Incident, Priority, Provider, ProviderError, Recommendation,
    RecommendationType, TokenUsage,
};
use serde_json::json;

/// Returns three recommendations with details, and model, usage and
/// confidence.
pub struct Three;

#[async_trait]
impl Provider for Three {
    fn name(&self) -> &str {
        "three"
    }

    fn description(&self) -> &str {
        "returns three recommendations at once"
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let incident_id = incident.map(|i| i.id);
        let recs = vec![
            Recommendation::new(
                RecommendationType::Memory,
                Priority::High,
                "free memory",
                "rss is at 93.5% — \"quoted\" and unicode ✓",
            )
            .with_details(json!({"rss_mb": 1234.5, "top": [{"pid": 1, "name": "x"}], "nested": {"deep": [1, 2.25, null, true]}}))
            .with_actions(["kill -15 1", "add swap"])
            .with_incident(incident_id),
            Recommendation::new(RecommendationType::Disk, Priority::Medium, "prune logs", "var/log is 12 GB")
                .with_details(json!({"path": "/var/log", "bytes": 12_884_901_888_u64}))
                .with_incident(incident_id),
            Recommendation::new(RecommendationType::Cpu, Priority::Low, "watch load", "load 0.7")
                .with_incident(incident_id),
        ];
        Ok(Analysis {
            recommendations: recs,
            model: Some("m-1".into()),
            usage: TokenUsage {
                prompt: Some(120),
                completion: Some(30),
                total: Some(150),
            },
            confidence: Some(0.75),
            fallback: None,
        })
    }
}

/// Answers with a fallback recommendation after an upstream 503.
pub struct Fallbacking;

#[async_trait]
impl Provider for Fallbacking {
    fn name(&self) -> &str {
        "fallbacking"
    }

    fn description(&self) -> &str {
        "falls back"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let err = ProviderError::Http {
            status: 503,
            message: "upstream unavailable".into(),
        };
        let mut analysis = Analysis::new(vec![Recommendation::new(
            RecommendationType::General,
            Priority::Low,
            "analysis unavailable",
            "try again later",
        )]);
        analysis.fallback = Some(Fallback::from(&err));
        Ok(analysis)
    }
}

/// Fails with HTTP 429.
pub struct Failing;

#[async_trait]
impl Provider for Failing {
    fn name(&self) -> &str {
        "failing"
    }

    fn description(&self) -> &str {
        "always fails"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        Err(ProviderError::Http {
            status: 429,
            message: "slow down".into(),
        })
    }
}

/// Panics.
pub struct Panicking;

#[async_trait]
impl Provider for Panicking {
    fn name(&self) -> &str {
        "panicking"
    }

    fn description(&self) -> &str {
        "panics"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        panic!("provider blew up")
    }
}

/// Never finishes in time.
pub struct Slow;

#[async_trait]
impl Provider for Slow {
    fn name(&self) -> &str {
        "slow"
    }

    fn description(&self) -> &str {
        "sleeps"
    }

    async fn analyze(
        &self,
        _incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        tokio::time::sleep(Duration::from_secs(600)).await;
        Ok(Analysis::default())
    }
}
