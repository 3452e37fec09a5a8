//! Shared helpers: a wiremock server, settings pointing at it, an incident
//! and chat completion bodies.

use std::time::Duration;

use intelligence_core::{Alert, Analysis, AnalysisKind, Incident, Provider};
use intelligence_openai::{OpenAiProvider, OpenAiSettings};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The key the tests configure; it must never come back out.
pub const KEY: &str = "sk-test-9f8e7d6c5b4a39281706";

/// The path the provider posts to when the base URL is `{server}/v1`.
pub const CHAT_PATH: &str = "/v1/chat/completions";

/// Settings for a server, with the `/v1` prefix the public API has.
pub fn settings(server: &MockServer) -> OpenAiSettings {
    OpenAiSettings {
        api_key: Some(KEY.to_owned()),
        base_url: format!("{}/v1", server.uri()),
        timeout: Duration::from_secs(10),
        ..OpenAiSettings::default()
    }
}

/// An incident with every field the prompt uses.
pub fn incident() -> Incident {
    Incident {
        id: 42,
        title: "disk full on db-1".to_owned(),
        description: "the / filesystem is at 97%".to_owned(),
        severity: "critical".to_owned(),
        status: "open".to_owned(),
        metadata: json!({"host": "db-1", "mount": "/"}),
        alerts: vec![Alert {
            name: "HighDiskUsage".to_owned(),
            description: "disk / above 95%".to_owned(),
        }],
    }
}

/// A chat completion whose first choice has this message and finish reason.
pub fn completion_with(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375}
    })
}

/// A chat completion answering `content`.
pub fn completion(content: &str) -> Value {
    completion_with(json!({"role": "assistant", "content": content}), "stop")
}

/// Answers every chat completion request with `template`.
pub async fn mount(server: &MockServer, template: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(CHAT_PATH))
        .respond_with(template)
        .mount(server)
        .await;
}

/// Answers every chat completion request with this JSON body.
pub async fn mount_json(server: &MockServer, body: Value) {
    mount(server, ResponseTemplate::new(200).set_body_json(body)).await;
}

/// Analyses [`incident`] with these settings.
pub async fn analyze(settings: OpenAiSettings) -> Analysis {
    let provider = OpenAiProvider::new(settings).expect("valid settings");
    provider
        .analyze(Some(&incident()), &AnalysisKind::Automatic)
        .await
        .expect("the openai provider answers failures with a fallback, not an error")
}

/// How many requests the server received.
pub async fn received(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .len()
}
