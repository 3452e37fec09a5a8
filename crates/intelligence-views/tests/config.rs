//! Request-supplied config cannot set a URL, host, path or credential: the
//! keys are gone before the provider is built, and no request leaves for an
//! address a client named.

mod common;

use axum::http::StatusCode;
use common::Fixture;
use intelligence_openai::OpenAiSettings;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_factory_never_sees_addresses_paths_or_keys() {
    let fixture = Fixture::new();
    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({
                "provider": "echo",
                "config": {
                    "base_url": "http://127.0.0.1:9/v1",
                    "host": "evil.example",
                    "scan_paths": ["/etc"],
                    "api_key": "sk-from-the-request",
                    "top_n": 4,
                },
            })
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        fixture.configs.lock().expect("lock").as_slice(),
        [json!({"top_n": 4})]
    );
    let id = body["run_id"].as_str().expect("id").parse().expect("uuid");
    let run = fixture
        .store
        .get_run(id)
        .await
        .expect("query")
        .expect("run");
    assert_eq!(run.provider_config, json!({"top_n": 4}));
}

#[tokio::test]
async fn an_openai_base_url_from_the_request_is_never_contacted() {
    let configured = MockServer::start().await;
    let named_by_client = MockServer::start().await;
    let reply = json!({
        "model": "gpt-test",
        "choices": [{"message": {"role": "assistant", "content":
            "[{\"title\": \"Restart the worker\", \"description\": \"it leaks\", \"priority\": \"high\"}]"}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-server-side"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .expect(1)
        .mount(&configured)
        .await;

    let base = OpenAiSettings {
        api_key: Some("sk-server-side".into()),
        base_url: format!("{}/v1", configured.uri()),
        ..OpenAiSettings::default()
    };
    let fixture =
        Fixture::with_registry(move |registry| intelligence_openai::register(registry, base));
    let incident = fixture.incident("worker leaks memory").await;

    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({
                "incident_id": incident.id,
                "provider": "openai",
                "config": {
                    "base_url": format!("{}/v1", named_by_client.uri()),
                    "api_key": "sk-from-the-request",
                    "model": "gpt-test",
                },
            })
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["recommendations"][0]["title"], "Restart the worker");

    let stray = named_by_client
        .received_requests()
        .await
        .expect("recording on");
    assert!(stray.is_empty(), "a request left for the client's address");
    configured.verify().await;
}
