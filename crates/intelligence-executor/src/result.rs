//! [`AnalyzeResult`]: what the analyze stage hands back to the pipeline.

use intelligence_core::{Analysis, RunId, Scrubber};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The summary of a fallback result.
pub const FALLBACK_SUMMARY: &str = "AI analysis unavailable";

/// The probable cause of a fallback result.
pub const FALLBACK_PROBABLE_CAUSE: &str = "Unable to determine - AI provider error";

/// The only action of a fallback result.
pub const FALLBACK_ACTION: &str = "Manual investigation required";

/// The confidence given to an analysis with recommendations when the
/// provider states none.
pub const DEFAULT_CONFIDENCE: f64 = 0.8;

/// The provider and model behind a result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The provider that was asked for.
    pub provider: String,
    /// The model that answered, for providers that use one.
    #[serde(default)]
    pub model: Option<String>,
    /// Prompt tokens; `None` when unknown.
    #[serde(default)]
    pub prompt_tokens: Option<i64>,
    /// Completion tokens; `None` when unknown.
    #[serde(default)]
    pub completion_tokens: Option<i64>,
    /// Total tokens; `None` when unknown.
    #[serde(default)]
    pub total_tokens: Option<i64>,
}

/// The outcome of one analyze stage, serialised with the keys the upstream
/// pipeline reads (`ai_output_ref`, `fallback_used`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeResult {
    /// The id of the audit record this stage wrote.
    pub run_id: RunId,
    /// The recommendations as a JSON array, in the provider's order, with
    /// masked configuration values scrubbed out.
    pub recommendations: Value,
    /// The first recommendation's title.
    pub summary: String,
    /// The first recommendation's description.
    pub probable_cause: String,
    /// Every recommendation's actions, in order, each once.
    pub actions: Vec<String>,
    /// Between 0 and 1: the provider's own figure, else
    /// [`DEFAULT_CONFIDENCE`] when there are recommendations, else 0.
    pub confidence: f64,
    /// The provider and model behind the result.
    pub model_info: ModelInfo,
    /// `intelligence:{trace_id}:{run_id}:analyze`, where `run_id` is the
    /// audit record's id.
    #[serde(rename = "ai_output_ref")]
    pub output_ref: String,
    /// Whether the result is a stand-in: the executor's fallback after a
    /// failure, or the provider's own fallback answer.
    pub fallback_used: bool,
    /// What went wrong; empty on success and on fallback.
    pub errors: Vec<String>,
    /// How long the whole stage took, from a monotonic clock.
    pub duration_ms: u64,
}

impl AnalyzeResult {
    /// Whether the stage produced an analysis (possibly a fallback one).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// A result from a successful run. Text is passed through `scrubber` so
    /// that a secret from the configuration echoed by the provider does not
    /// leave the stage.
    pub(crate) fn from_analysis(
        run_id: RunId,
        trace_id: &str,
        provider: &str,
        analysis: &Analysis,
        scrubber: &Scrubber,
    ) -> Self {
        let recommendations = serde_json::to_value(&analysis.recommendations)
            .map(|value| scrubber.scrub_value(&value))
            .unwrap_or_else(|_| Value::Array(Vec::new()));
        let first = analysis.recommendations.first();

        let mut actions: Vec<String> = Vec::new();
        for action in analysis.recommendations.iter().flat_map(|r| &r.actions) {
            let action = scrubber.scrub(action);
            if !actions.contains(&action) {
                actions.push(action);
            }
        }

        let confidence = match (analysis.confidence, first) {
            (Some(confidence), _) if confidence.is_finite() => confidence.clamp(0.0, 1.0),
            (_, Some(_)) => DEFAULT_CONFIDENCE,
            (_, None) => 0.0,
        };

        Self {
            run_id,
            recommendations,
            summary: first.map(|r| scrubber.scrub(&r.title)).unwrap_or_default(),
            probable_cause: first
                .map(|r| scrubber.scrub(&r.description))
                .unwrap_or_default(),
            actions,
            confidence,
            model_info: ModelInfo {
                provider: provider.to_owned(),
                model: analysis.model.clone(),
                prompt_tokens: analysis.usage.prompt,
                completion_tokens: analysis.usage.completion,
                total_tokens: analysis.usage.total,
            },
            output_ref: output_ref(trace_id, run_id),
            fallback_used: analysis.fallback.is_some(),
            errors: Vec::new(),
            duration_ms: 0,
        }
    }

    /// A result for a stage that failed with `error`: the fallback analysis
    /// when `fallback` is set, else the error in `errors`.
    pub(crate) fn from_error(
        run_id: RunId,
        trace_id: &str,
        provider: &str,
        error: String,
        fallback: bool,
    ) -> Self {
        let mut result = Self {
            run_id,
            recommendations: Value::Array(Vec::new()),
            summary: String::new(),
            probable_cause: String::new(),
            actions: Vec::new(),
            confidence: 0.0,
            model_info: ModelInfo {
                provider: provider.to_owned(),
                ..ModelInfo::default()
            },
            output_ref: output_ref(trace_id, run_id),
            fallback_used: false,
            errors: vec![error],
            duration_ms: 0,
        };
        if fallback {
            result.fallback_used = true;
            result.summary = FALLBACK_SUMMARY.to_owned();
            result.probable_cause = FALLBACK_PROBABLE_CAUSE.to_owned();
            result.actions = vec![FALLBACK_ACTION.to_owned()];
            result.errors.clear();
        }
        result
    }
}

/// The output reference of a stage: `intelligence:{trace_id}:{run_id}:analyze`.
pub fn output_ref(trace_id: &str, run_id: RunId) -> String {
    format!("intelligence:{trace_id}:{run_id}:analyze")
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::{Fallback, Priority, Recommendation, RecommendationType, TokenUsage};
    use serde_json::json;

    fn analysis() -> Analysis {
        let first = Recommendation::new(
            RecommendationType::Disk,
            Priority::High,
            "disk almost full",
            "/var/log holds 9 GiB of rotated logs",
        )
        .with_actions(["compress old logs", "rotate daily"]);
        let second = Recommendation::new(RecommendationType::Cpu, Priority::Low, "cpu ok", "idle")
            .with_actions(["rotate daily", "nothing else"]);
        Analysis {
            recommendations: vec![first, second],
            model: Some("m-1".into()),
            usage: TokenUsage {
                prompt: Some(10),
                completion: Some(5),
                total: Some(15),
            },
            confidence: None,
            fallback: None,
        }
    }

    #[test]
    fn fills_summary_cause_actions_and_model_info_from_the_analysis() {
        let id = RunId::new();
        let result =
            AnalyzeResult::from_analysis(id, "t-1", "local", &analysis(), &Scrubber::default());

        assert_eq!(result.summary, "disk almost full");
        assert_eq!(
            result.probable_cause,
            "/var/log holds 9 GiB of rotated logs"
        );
        assert_eq!(
            result.actions,
            ["compress old logs", "rotate daily", "nothing else"]
        );
        assert_eq!(result.confidence, DEFAULT_CONFIDENCE);
        assert_eq!(result.model_info.model.as_deref(), Some("m-1"));
        assert_eq!(result.model_info.total_tokens, Some(15));
        assert_eq!(result.recommendations[1]["title"], "cpu ok");
        assert_eq!(result.output_ref, format!("intelligence:t-1:{id}:analyze"));
        assert!(!result.fallback_used);
        assert!(result.is_ok());
    }

    #[test]
    fn confidence_comes_from_the_provider_when_it_has_one() {
        let mut stated = analysis();
        stated.confidence = Some(0.35);
        let result =
            AnalyzeResult::from_analysis(RunId::new(), "t", "p", &stated, &Scrubber::default());
        assert_eq!(result.confidence, 0.35);

        let empty = AnalyzeResult::from_analysis(
            RunId::new(),
            "t",
            "p",
            &Analysis::default(),
            &Scrubber::default(),
        );
        assert_eq!(empty.confidence, 0.0);
        assert_eq!(empty.summary, "");
        assert_eq!(empty.recommendations, json!([]));
    }

    #[test]
    fn a_provider_fallback_answer_is_flagged() {
        let mut answer = analysis();
        answer.fallback = Some(Fallback {
            error_type: "http_500".into(),
            message: "upstream down".into(),
        });
        let result =
            AnalyzeResult::from_analysis(RunId::new(), "t", "p", &answer, &Scrubber::default());
        assert!(result.fallback_used);
        assert!(result.errors.is_empty());
        assert_eq!(result.summary, "disk almost full");
    }

    #[test]
    fn text_is_scrubbed_of_masked_values() {
        let mut leaky = analysis();
        leaky.recommendations[0].title = "key sk-live-secret rejected".into();
        leaky.recommendations[0].actions = vec!["rotate sk-live-secret".into()];
        let scrubber = Scrubber::new(["sk-live-secret".to_owned()]);
        let result = AnalyzeResult::from_analysis(RunId::new(), "t", "p", &leaky, &scrubber);
        assert_eq!(result.summary, "key *** rejected");
        assert_eq!(result.actions[0], "rotate ***");
        assert!(
            !result
                .recommendations
                .to_string()
                .contains("sk-live-secret")
        );
    }

    #[test]
    fn errors_become_a_fallback_or_stay_errors() {
        let id = RunId::new();
        let fallback = AnalyzeResult::from_error(id, "t", "nope", "boom".into(), true);
        assert!(fallback.fallback_used);
        assert!(fallback.errors.is_empty());
        assert_eq!(fallback.summary, FALLBACK_SUMMARY);
        assert_eq!(fallback.probable_cause, FALLBACK_PROBABLE_CAUSE);
        assert_eq!(fallback.actions, [FALLBACK_ACTION]);
        assert_eq!(fallback.confidence, 0.0);

        let failed = AnalyzeResult::from_error(id, "t", "nope", "boom".into(), false);
        assert!(!failed.fallback_used);
        assert_eq!(failed.errors, ["boom"]);
        assert_eq!(failed.summary, "");
        assert!(!failed.is_ok());
        assert_eq!(failed.output_ref, format!("intelligence:t:{id}:analyze"));
    }

    #[test]
    fn json_round_trips_with_the_upstream_keys() {
        let mut result = AnalyzeResult::from_analysis(
            RunId::new(),
            "t-1",
            "local",
            &analysis(),
            &Scrubber::default(),
        );
        result.duration_ms = 42;
        let value = serde_json::to_value(&result).expect("serialise");
        for key in [
            "recommendations",
            "summary",
            "probable_cause",
            "actions",
            "confidence",
            "model_info",
            "ai_output_ref",
            "fallback_used",
            "errors",
            "duration_ms",
            "run_id",
        ] {
            assert!(value.get(key).is_some(), "missing {key} in {value}");
        }
        let text = serde_json::to_string(&result).expect("serialise");
        let back: AnalyzeResult = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, result);

        let fallback = AnalyzeResult::from_error(RunId::new(), "t", "p", "x".into(), true);
        let back: AnalyzeResult =
            serde_json::from_value(serde_json::to_value(&fallback).expect("serialise"))
                .expect("parse");
        assert_eq!(back, fallback);
    }
}
