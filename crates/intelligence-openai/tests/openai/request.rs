//! The request the provider sends: path, bearer header, model, token limit
//! and messages; and none without an incident.

use intelligence_core::{AnalysisKind, Provider, ProviderRegistry};
use intelligence_openai::{OpenAiProvider, OpenAiSettings, SYSTEM_PROMPT, register};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, CHAT_PATH, KEY};

async fn only_request_body(server: &MockServer) -> Value {
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1, "exactly one request");
    serde_json::from_slice(&requests[0].body).expect("a JSON body")
}

#[tokio::test]
async fn posts_model_max_tokens_and_both_messages_with_the_bearer_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT_PATH))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(support::completion("[]")))
        .expect(1)
        .mount(&server)
        .await;

    let analysis = support::analyze(support::settings(&server)).await;
    assert_eq!(analysis.fallback, None, "the mock matched: {analysis:?}");

    let body = only_request_body(&server).await;
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["max_tokens"], 1024);
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[0]["content"], SYSTEM_PROMPT);
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().expect("user text");
    for expected in [
        "Incident #42: disk full on db-1",
        "Severity: critical",
        "Status: open",
        "the / filesystem is at 97%",
        "- HighDiskUsage: disk / above 95%",
        r#""host": "db-1""#,
    ] {
        assert!(user.contains(expected), "{expected:?} missing from {user}");
    }
    assert!(
        !body.to_string().contains(KEY),
        "the key travels only in the header"
    );
}

#[tokio::test]
async fn registry_overrides_reach_the_request() {
    let server = MockServer::start().await;
    support::mount_json(&server, support::completion("[]")).await;
    let mut registry = ProviderRegistry::new();
    register(&mut registry, support::settings(&server));

    let provider = registry
        .build(
            "openai",
            &json!({"model": "llama3.2", "max_tokens": 256, "base_url": "http://127.0.0.1:1/v1"}),
        )
        .expect("valid config");
    let analysis = provider
        .analyze(Some(&support::incident()), &AnalysisKind::Memory)
        .await
        .expect("analysis");
    assert_eq!(analysis.fallback, None, "base_url from config is ignored");

    let body = only_request_body(&server).await;
    assert_eq!(body["model"], "llama3.2");
    assert_eq!(body["max_tokens"], 256);
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .is_some_and(|u| u.contains("Focus: memory use")),
        "{body}"
    );
}

#[tokio::test]
async fn no_incident_sends_no_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(support::completion("[]")))
        .expect(0)
        .mount(&server)
        .await;
    let provider = OpenAiProvider::new(support::settings(&server)).expect("valid");

    for kind in [
        AnalysisKind::Automatic,
        AnalysisKind::Cpu,
        AnalysisKind::disk("/var"),
    ] {
        let analysis = provider
            .analyze(None, &kind)
            .await
            .expect("no incident is fine");
        assert!(analysis.recommendations.is_empty());
        assert_eq!(analysis.fallback, None);
        assert_eq!(analysis.model, None);
    }
    assert_eq!(support::received(&server).await, 0);
}

#[tokio::test]
async fn base_urls_with_a_trailing_slash_or_without_prefix_reach_the_same_api() {
    let server = MockServer::start().await;
    support::mount_json(&server, support::completion("[]")).await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(support::completion("[]")))
        .mount(&server)
        .await;

    for base in [
        format!("{}/v1/", server.uri()),
        format!("{}/v1", server.uri()),
        server.uri(),
        format!("{}/", server.uri()),
    ] {
        let settings = OpenAiSettings {
            base_url: base.clone(),
            ..support::settings(&server)
        };
        let analysis = support::analyze(settings).await;
        assert_eq!(analysis.fallback, None, "{base}: {analysis:?}");
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            CHAT_PATH,
            CHAT_PATH,
            "/chat/completions",
            "/chat/completions"
        ]
    );
}

#[tokio::test]
async fn without_a_key_no_authorization_header_is_sent() {
    let server = MockServer::start().await;
    support::mount_json(&server, support::completion("[]")).await;
    let settings = OpenAiSettings {
        api_key: None,
        ..support::settings(&server)
    };
    support::analyze(settings).await;

    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].headers.contains_key("authorization"));
}
