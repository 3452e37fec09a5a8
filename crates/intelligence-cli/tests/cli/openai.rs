//! `--provider openai` end to end against a real HTTP server on loopback
//! (wiremock): the answer, the model and the token usage reach the output
//! and the record; an unreachable server gives a recorded fallback.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{Env, stderr, stdout};

/// Adds an incident and returns its id as text.
fn incident(env: &Env) -> String {
    let added = env.json(&["incidents", "add", "--title", "OOM kills on web-3"]);
    added["id"].as_i64().expect("id").to_string()
}

#[test]
fn the_models_answer_is_printed_and_recorded_with_its_usage() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let content = json!([{
            "type": "memory",
            "priority": "high",
            "title": "Raise php-fpm's memory limit",
            "description": "php-fpm was killed twice by the OOM killer",
            "actions": ["Lower pm.max_children"]
        }])
        .to_string();
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": "gpt-4o-mini-2024-07-18",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop"
                }],
                "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160}
            })))
            .mount(&server)
            .await;
        server
    });

    let env = Env::new();
    let id = incident(&env);
    let output = env
        .cmd()
        .env("OPENAI_API_KEY", "sk-test-cli-0123456789")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.uri()))
        .args(["recommend", "--provider", "openai", "--incident-id", &id])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("[HIGH] memory Raise php-fpm's memory limit"),
        "{text}"
    );
    assert!(text.contains("* Lower pm.max_children"), "{text}");

    let run = &env.runs()[0];
    assert_eq!(run["provider"], "openai");
    assert_eq!(run["model_name"], "gpt-4o-mini-2024-07-18");
    assert_eq!(run["total_tokens"], 160);
    assert_eq!(run["fallback_used"], false);
    assert!(
        !run.to_string().contains("sk-test-cli"),
        "no key in the record"
    );
}

#[test]
fn an_unreachable_server_gives_a_recorded_fallback() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("port")
        .port();
    let env = Env::new();
    let id = incident(&env);
    let output = env
        .cmd()
        .env("OPENAI_API_KEY", "sk-test-cli-0123456789")
        .env("OPENAI_BASE_URL", format!("http://127.0.0.1:{port}/v1"))
        .args([
            "recommend",
            "--provider",
            "openai",
            "--incident-id",
            &id,
            "--json",
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(report["analyses"][0]["fallback"].is_object(), "{report}");

    let run = &env.runs()[0];
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["fallback_used"], true);
    assert!(run["error_type"].is_string(), "{run}");
}
