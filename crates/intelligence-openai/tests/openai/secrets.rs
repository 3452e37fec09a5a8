//! The API key never reaches the audit record (config, error message,
//! recommendations) or the log output, through the real `run()`, even when
//! the server echoes it back.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use intelligence_core::{
    AnalysisKind, AnalysisRun, MemorySink, ProviderRegistry, RunOptions, RunStatus, run,
};
use intelligence_openai::{FALLBACK_TITLE, OpenAiProvider, register};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{self, CHAT_PATH, KEY};

/// Log output captured from a `fmt` subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the registered provider through `run()` with `config`, capturing
/// every log line at TRACE level; returns the record and the logs.
async fn audited_run(server: &MockServer, config: Value) -> (AnalysisRun, String) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut registry = ProviderRegistry::new();
    register(&mut registry, support::settings(server));
    let provider = registry.build("openai", &config).expect("valid config");
    let sink = Arc::new(MemorySink::new());
    let options = RunOptions {
        trace_id: "trace-secrets".to_owned(),
        config,
        ..RunOptions::default()
    };
    let outcome = run(
        provider.as_ref(),
        sink.clone(),
        Some(&support::incident()),
        &AnalysisKind::Automatic,
        options,
    )
    .await
    .expect("fallbacks are successes");
    let record = sink.get(outcome.run_id).expect("recorded");
    (record, logs.text())
}

fn assert_no_key(record: &AnalysisRun, logs: &str) {
    let config = record.provider_config.to_string();
    let message = record.error_message.clone().unwrap_or_default();
    let recommendations = record.recommendations.to_string();
    let model = record.model_name.clone().unwrap_or_default();
    for (what, text) in [
        ("model name", model.as_str()),
        ("stored config", config.as_str()),
        ("stored error message", message.as_str()),
        ("recommendations", recommendations.as_str()),
        ("summary", record.summary.as_str()),
        ("probable cause", record.probable_cause.as_str()),
        ("log output", logs),
    ] {
        assert!(
            !text.contains(KEY),
            "the key leaked into the {what}: {text}"
        );
        assert!(
            !text.contains("9f8e7d6c5b4a"),
            "part of the key leaked into the {what}: {text}"
        );
    }
}

#[tokio::test]
async fn an_error_body_echoing_the_key_is_scrubbed_everywhere() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT_PATH))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"message": format!("Incorrect API key provided: {KEY}. Find your key at the dashboard.")}
        })))
        .expect(1)
        .mount(&server)
        .await;

    // The caller's config does not hold the key, so run()'s own scrubber
    // cannot know it: the provider must scrub it itself.
    let (record, logs) =
        audited_run(&server, json!({"model": "gpt-4o-mini", "max_tokens": 512})).await;

    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(record.fallback_used);
    assert_eq!(record.error_type.as_deref(), Some("http_401"));
    let message = record.error_message.clone().expect("message recorded");
    assert!(
        message.contains("Incorrect API key provided: ***."),
        "{message}"
    );
    assert_eq!(record.summary, FALLBACK_TITLE);
    assert!(
        record.probable_cause.contains("***"),
        "{}",
        record.probable_cause
    );
    assert!(
        logs.contains("fallback"),
        "the warning was captured: {logs}"
    );
    assert!(
        logs.contains("***"),
        "the logged error is scrubbed, not dropped: {logs}"
    );
    assert_no_key(&record, &logs);
}

#[tokio::test]
async fn a_reply_echoing_the_key_is_scrubbed_from_recommendations() {
    let server = MockServer::start().await;
    let content = json!([{
        "type": "general", "priority": "high", "title": format!("Rotate {KEY}"),
        "description": format!("the key {KEY} was seen in a log"),
        "actions": [format!("revoke {KEY}")]
    }])
    .to_string();
    support::mount_json(&server, support::completion(&content)).await;

    let (record, logs) = audited_run(&server, json!({})).await;

    assert_eq!(record.status, RunStatus::Succeeded);
    assert!(!record.fallback_used);
    assert_eq!(record.summary, "Rotate ***");
    assert_eq!(record.recommendations[0]["actions"][0], "revoke ***");
    assert_eq!(record.model_name.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(record.prompt_tokens, Some(321));
    assert_eq!(record.completion_tokens, Some(54));
    assert_eq!(record.total_tokens, Some(375));
    assert!(logs.contains("openai analysis finished"), "{logs}");
    assert_no_key(&record, &logs);
}

/// Whether `text` holds the first `MIN` characters or more of the key.
fn holds_part_of_the_key(text: &str) -> bool {
    const MIN: usize = 8;
    (MIN..=KEY.len()).any(|end| text.contains(&KEY[..end]))
}

#[tokio::test]
async fn a_key_echoed_where_text_is_cut_short_leaves_no_part_of_it() {
    // The upstream pads what it echoes so that each of the provider's cuts
    // falls inside the key: the error message (500 characters), the
    // Retry-After value (64), a refusal (500), a title derived from a
    // description (80) and a reply kept as text (500).
    let shown = KEY.len() - 3;
    let padded = |limit: usize| format!("{}{KEY} and more", "x".repeat(limit - shown));
    let cases = [
        ResponseTemplate::new(429)
            .insert_header("retry-after", padded(64).as_str())
            .set_body_json(json!({"error": {"message": padded(500)}})),
        ResponseTemplate::new(502).set_body_string(padded(500)),
        ResponseTemplate::new(200).set_body_json(support::completion_with(
            json!({"role": "assistant", "content": null, "refusal": padded(500)}),
            "stop",
        )),
        ResponseTemplate::new(200).set_body_json(support::completion(
            &json!([{"description": padded(80)}]).to_string(),
        )),
        ResponseTemplate::new(200).set_body_json(support::completion(&padded(500))),
    ];
    for (i, template) in cases.into_iter().enumerate() {
        let server = MockServer::start().await;
        support::mount(&server, template).await;
        let (record, logs) = audited_run(&server, json!({})).await;
        assert_eq!(record.status, RunStatus::Succeeded, "case {i}");
        let stored = serde_json::to_string(&record).expect("json");
        for (what, text) in [("record", stored.as_str()), ("logs", logs.as_str())] {
            assert!(
                !holds_part_of_the_key(text),
                "case {i}: part of the key reached the {what}: {text}"
            );
        }
        assert!(
            stored.contains("***"),
            "case {i}: the key was masked: {stored}"
        );
    }
}

#[tokio::test]
async fn a_reply_whose_model_echoes_the_key_is_scrubbed_from_the_model_name() {
    let server = MockServer::start().await;
    let content =
        json!([{"type": "general", "priority": "low", "title": "ok", "description": "fine"}])
            .to_string();
    let mut reply = support::completion(&content);
    reply["model"] = json!(format!("echo Bearer {KEY}"));
    support::mount_json(&server, reply).await;

    let (record, logs) = audited_run(&server, json!({})).await;

    assert_eq!(record.model_name.as_deref(), Some("echo Bearer ***"));
    assert_no_key(&record, &logs);
}

#[tokio::test]
async fn a_key_in_the_request_config_is_neither_used_nor_stored() {
    let server = MockServer::start().await;
    support::mount_json(&server, support::completion("[]")).await;
    let request_key = "sk-from-the-request-000000";

    let (record, logs) = audited_run(
        &server,
        json!({"api_key": request_key, "model": "gpt-4o-mini"}),
    )
    .await;

    let requests = server.received_requests().await.expect("recording");
    assert_eq!(
        requests[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {KEY}").as_str()),
        "the server-side key is used"
    );
    assert_eq!(record.provider_config["api_key"], "***");
    assert!(!record.provider_config.to_string().contains(request_key));
    assert!(!logs.contains(request_key));
    assert_no_key(&record, &logs);
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let server = MockServer::start().await;
    let provider = OpenAiProvider::new(support::settings(&server)).expect("valid");
    let text = format!("{provider:?} {:?}", provider.settings());
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("***"), "{text}");
}

#[tokio::test]
async fn a_key_in_the_base_url_path_is_masked_in_the_debug_log() {
    // Some proxies take the key as part of the path; the debug line that
    // names the endpoint must not print it. (Credentials in the URL are
    // refused by the settings.)
    let server = MockServer::start().await;
    let proxied = format!("/proxy/{KEY}/v1/chat/completions");
    Mock::given(method("POST"))
        .and(path(proxied.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(support::completion("[]")))
        .expect(1)
        .mount(&server)
        .await;
    let settings = intelligence_openai::OpenAiSettings {
        base_url: format!("{}/proxy/{KEY}/v1", server.uri()),
        ..support::settings(&server)
    };
    let provider = OpenAiProvider::new(settings).expect("valid");

    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    intelligence_core::Provider::analyze(
        &provider,
        Some(&support::incident()),
        &AnalysisKind::Automatic,
    )
    .await
    .expect("an answer");
    let logs = logs.text();
    let debug = format!("{provider:?}");

    let asked = logs
        .lines()
        .find(|line| line.contains("asking the model"))
        .unwrap_or_else(|| panic!("the debug line was captured: {logs}"));
    assert!(asked.contains("/proxy/***/v1/chat/completions"), "{asked}");
    for text in [logs.as_str(), debug.as_str()] {
        assert!(!holds_part_of_the_key(text), "the key leaked: {text}");
        assert!(
            !text.contains("proxy-pass-123"),
            "the password leaked: {text}"
        );
    }
}
