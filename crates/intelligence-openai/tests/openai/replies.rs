//! Every reply form: arrays, single objects, code fences, lenient fields,
//! plain text, null content, refusals, cut-off JSON, empty arrays and arrays
//! of non-objects.

use intelligence_core::{Analysis, Priority, RecommendationType, TokenUsage};
use intelligence_openai::{FALLBACK_TITLE, MAX_TEXT_CHARS, TEXT_TITLE};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::support;

async fn answer(body: Value) -> Analysis {
    let server = MockServer::start().await;
    support::mount_json(&server, body).await;
    let analysis = support::analyze(support::settings(&server)).await;
    assert_eq!(support::received(&server).await, 1);
    analysis
}

async fn answer_text(content: &str) -> Analysis {
    answer(support::completion(content)).await
}

const FULL_USAGE: TokenUsage = TokenUsage {
    prompt: Some(321),
    completion: Some(54),
    total: Some(375),
};

#[tokio::test]
async fn an_array_gives_recommendations_with_the_model_and_usage_that_answered() {
    let analysis = answer_text(
        r#"[{"type":"disk","priority":"critical","title":"Free space on /",
            "description":"/ is at 97% and the database will stop writing",
            "actions":["delete old WAL archives","extend the volume"]},
           {"type":"process","priority":"low","title":"Check cron",
            "description":"a nightly dump may be writing to /","actions":[]}]"#,
    )
    .await;
    assert_eq!(analysis.fallback, None);
    assert_eq!(analysis.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(analysis.usage, FULL_USAGE);
    let recs = &analysis.recommendations;
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].kind, RecommendationType::Disk);
    assert_eq!(recs[0].priority, Priority::Critical);
    assert_eq!(recs[0].title, "Free space on /");
    assert_eq!(
        recs[0].actions,
        ["delete old WAL archives", "extend the volume"]
    );
    assert_eq!(recs[0].incident_id, Some(42));
    assert_eq!(recs[1].kind, RecommendationType::Process);
}

#[tokio::test]
async fn a_single_object_is_one_recommendation() {
    let analysis =
        answer_text(r#"{"type":"cpu","priority":"high","title":"t","description":"d"}"#).await;
    assert_eq!(analysis.recommendations.len(), 1);
    assert_eq!(analysis.recommendations[0].kind, RecommendationType::Cpu);
}

#[tokio::test]
async fn fenced_arrays_and_objects_are_read() {
    for content in [
        "```json\n[{\"type\":\"memory\",\"description\":\"swap is full\"}]\n```",
        "Here is my analysis:\n```\n{\"type\":\"memory\",\"description\":\"swap is full\"}\n```",
    ] {
        let analysis = answer_text(content).await;
        assert_eq!(analysis.recommendations.len(), 1, "{content}");
        assert_eq!(analysis.recommendations[0].kind, RecommendationType::Memory);
        assert_eq!(analysis.recommendations[0].description, "swap is full");
    }
}

#[tokio::test]
async fn unknown_values_default_and_items_without_description_are_skipped() {
    let analysis = answer_text(
        r#"[{"type":"database","priority":"asap","title":"a","description":"kept","actions":"restart postgres"},
           {"type":"disk","priority":"high","title":"no description here"}]"#,
    )
    .await;
    assert_eq!(analysis.recommendations.len(), 1);
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::General);
    assert_eq!(rec.priority, Priority::Medium);
    assert_eq!(rec.actions, ["restart postgres"]);
}

#[tokio::test]
async fn plain_text_is_one_general_recommendation_cut_to_500_characters() {
    let text = format!(
        "Restart the database after clearing space. {}",
        "more ".repeat(200)
    );
    let analysis = answer_text(&text).await;
    assert_eq!(analysis.fallback, None, "a text answer is still an answer");
    assert_eq!(analysis.recommendations.len(), 1);
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.kind, RecommendationType::General);
    assert_eq!(rec.title, TEXT_TITLE);
    assert_eq!(rec.description.chars().count(), MAX_TEXT_CHARS);
    assert!(rec.description.starts_with("Restart the database"));
}

#[tokio::test]
async fn null_content_is_a_flagged_fallback_that_still_records_model_and_usage() {
    let analysis = answer(support::completion_with(
        json!({"role": "assistant", "content": null}),
        "stop",
    ))
    .await;
    let fallback = analysis.fallback.expect("flagged");
    assert_eq!(fallback.error_type, "no_content");
    assert_eq!(analysis.recommendations.len(), 1);
    assert_eq!(analysis.recommendations[0].title, FALLBACK_TITLE);
    assert_eq!(analysis.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(
        analysis.usage, FULL_USAGE,
        "the tokens were spent all the same"
    );
}

#[tokio::test]
async fn a_refusal_is_a_flagged_fallback_naming_it() {
    let analysis = answer(support::completion_with(
        json!({"role": "assistant", "content": null, "refusal": "I can't help with that."}),
        "stop",
    ))
    .await;
    let fallback = analysis.fallback.expect("flagged");
    assert_eq!(fallback.error_type, "refusal");
    assert!(
        fallback.message.contains("I can't help with that."),
        "{fallback:?}"
    );
    assert_eq!(analysis.recommendations[0].title, FALLBACK_TITLE);
}

#[tokio::test]
async fn json_cut_off_at_max_tokens_keeps_complete_items() {
    let analysis = answer(support::completion_with(
        json!({"role": "assistant", "content":
            "[{\"type\":\"disk\",\"priority\":\"high\",\"title\":\"a\",\"description\":\"complete\"},\n {\"type\":\"cpu\",\"title\":\"b\",\"descri"}),
        "length",
    ))
    .await;
    assert_eq!(analysis.fallback, None);
    assert_eq!(analysis.recommendations.len(), 1);
    assert_eq!(analysis.recommendations[0].description, "complete");
}

#[tokio::test]
async fn json_cut_off_before_any_item_is_a_flagged_fallback() {
    let analysis = answer(support::completion_with(
        json!({"role": "assistant", "content": "```json\n[{\"type\":\"disk\",\"title\":\"Fr"}),
        "length",
    ))
    .await;
    let fallback = analysis.fallback.expect("flagged");
    assert_eq!(fallback.error_type, "truncated");
    assert!(fallback.message.contains("max_tokens 1024"), "{fallback:?}");
    assert_eq!(analysis.usage, FULL_USAGE);
}

#[tokio::test]
async fn an_empty_array_is_no_recommendations_and_no_fallback() {
    let analysis = answer_text("[]").await;
    assert!(analysis.recommendations.is_empty());
    assert_eq!(analysis.fallback, None);
    assert_eq!(analysis.usage, FULL_USAGE);
}

#[tokio::test]
async fn an_array_of_non_objects_keeps_the_text() {
    let analysis = answer_text(r#"["restart postgres", 42, null]"#).await;
    assert_eq!(analysis.fallback, None);
    assert_eq!(analysis.recommendations.len(), 1);
    assert_eq!(analysis.recommendations[0].title, TEXT_TITLE);
    assert_eq!(
        analysis.recommendations[0].description,
        r#"["restart postgres", 42, null]"#
    );
}

#[tokio::test]
async fn missing_usage_stays_unknown_and_missing_model_names_the_one_asked() {
    let analysis = answer(json!({
        "choices": [{"message": {"role": "assistant", "content": "[]"}, "finish_reason": "stop"}]
    }))
    .await;
    assert_eq!(analysis.usage, TokenUsage::default(), "never 0 invented");
    assert_eq!(analysis.model.as_deref(), Some("gpt-4o-mini"));
}
