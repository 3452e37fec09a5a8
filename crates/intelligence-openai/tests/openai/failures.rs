//! API failures: 401, 429 with `Retry-After`, 500, a reply slower than the
//! timeout, a closed port, and 2xx bodies that are not chat completions.
//! Each gives the flagged fallback after exactly one request.

use std::net::TcpListener;
use std::time::Duration;

use intelligence_core::{Analysis, Priority, RecommendationType, TokenUsage};
use intelligence_openai::{FALLBACK_TITLE, OpenAiSettings};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, CHAT_PATH};

/// Mounts `template` expecting exactly one request, and analyses.
async fn fail_once(
    template: ResponseTemplate,
    settings: impl FnOnce(&MockServer) -> OpenAiSettings,
) -> Analysis {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT_PATH))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    let analysis = support::analyze(settings(&server)).await;
    assert_eq!(support::received(&server).await, 1, "no retry");
    analysis
}

fn assert_fallback(analysis: &Analysis, error_type: &str) -> String {
    let fallback = analysis.fallback.as_ref().expect("flagged as a fallback");
    assert_eq!(fallback.error_type, error_type, "{fallback:?}");
    assert_eq!(analysis.recommendations.len(), 1);
    let rec = &analysis.recommendations[0];
    assert_eq!(rec.title, FALLBACK_TITLE);
    assert_eq!(rec.kind, RecommendationType::General);
    assert_eq!(rec.priority, Priority::Low);
    assert_eq!(rec.incident_id, Some(42));
    assert_eq!(rec.details["fallback"], true);
    assert!(rec.description.contains(&fallback.message), "{rec:?}");
    fallback.message.clone()
}

#[tokio::test]
async fn unauthorized_gives_http_401_with_the_api_message() {
    let template = ResponseTemplate::new(401).set_body_json(json!({
        "error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", "code": "invalid_api_key"}
    }));
    let analysis = fail_once(template, support::settings).await;
    let message = assert_fallback(&analysis, "http_401");
    assert!(
        message.contains("HTTP 401: Incorrect API key provided."),
        "{message}"
    );
    assert_eq!(analysis.model, None, "no model answered");
    assert_eq!(analysis.usage, TokenUsage::default());
}

#[tokio::test]
async fn rate_limited_gives_http_429_at_once_without_waiting_for_retry_after() {
    let template = ResponseTemplate::new(429)
        .insert_header("retry-after", "20")
        .set_body_json(json!({"error": {"message": "Rate limit reached for gpt-4o-mini"}}));
    let analysis = fail_once(template, support::settings).await;
    let message = assert_fallback(&analysis, "http_429");
    assert!(message.contains("Rate limit reached"), "{message}");
    assert!(message.contains("retry-after 20; not retried"), "{message}");
}

#[tokio::test]
async fn server_error_gives_http_500_with_the_body_text() {
    let template = ResponseTemplate::new(500).set_body_string("upstream exploded");
    let analysis = fail_once(template, support::settings).await;
    let message = assert_fallback(&analysis, "http_500");
    assert!(message.contains("upstream exploded"), "{message}");
}

#[tokio::test]
async fn a_reply_slower_than_the_timeout_gives_timeout() {
    let template = ResponseTemplate::new(200)
        .set_body_json(support::completion("[]"))
        .set_delay(Duration::from_secs(5));
    let analysis = fail_once(template, |server| OpenAiSettings {
        timeout: Duration::from_millis(300),
        ..support::settings(server)
    })
    .await;
    let message = assert_fallback(&analysis, "timeout");
    assert!(message.contains("300ms"), "{message}");
}

#[tokio::test]
async fn a_closed_port_gives_connect() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let settings = OpenAiSettings {
        api_key: Some(support::KEY.to_owned()),
        base_url: format!("http://127.0.0.1:{port}/v1"),
        timeout: Duration::from_secs(5),
        ..OpenAiSettings::default()
    };
    let analysis = support::analyze(settings).await;
    let message = assert_fallback(&analysis, "connect");
    assert!(
        message.contains(&format!("127.0.0.1:{port}/v1/chat/completions")),
        "{message}"
    );
}

#[tokio::test]
async fn a_2xx_body_that_is_not_a_completion_gives_upstream() {
    for template in [
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
        ResponseTemplate::new(200).set_body_json(json!({"choices": []})),
        ResponseTemplate::new(200).set_body_json(json!([1, 2])),
    ] {
        let analysis = fail_once(template, support::settings).await;
        assert_fallback(&analysis, "upstream");
    }
}

#[tokio::test]
async fn an_oversized_reply_is_refused_not_buffered() {
    let huge = format!(
        r#"{{"choices":[{{"message":{{"content":"{}"}}}}]}}"#,
        "x".repeat(5 << 20)
    );
    let template = ResponseTemplate::new(200).set_body_raw(huge, "application/json");
    let analysis = fail_once(template, support::settings).await;
    let message = assert_fallback(&analysis, "upstream");
    assert!(
        message.contains("reply larger than 4194304 bytes"),
        "{message}"
    );
}

#[tokio::test]
async fn the_public_api_without_a_key_falls_back_without_a_request() {
    // The default base URL is the public API; no request may leave for it,
    // so the fallback must come before any connection attempt.
    let settings = OpenAiSettings {
        api_key: None,
        ..OpenAiSettings::default()
    };
    let analysis = support::analyze(settings).await;
    let message = assert_fallback(&analysis, "config");
    assert!(message.contains("OPENAI_API_KEY"), "{message}");
    assert_eq!(analysis.model, None);
}
