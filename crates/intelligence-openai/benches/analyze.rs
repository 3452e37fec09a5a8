//! What the provider costs per analysis beyond the model's own time: prompt,
//! one HTTP round trip on loopback to a server that answers at once, and
//! parsing; and the same for a fallback on HTTP 500.
//!
//! `cargo bench -p intelligence-openai --bench analyze`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use intelligence_core::{Alert, AnalysisKind, Incident, Provider};
use intelligence_openai::{OpenAiProvider, OpenAiSettings};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn incident() -> Incident {
    Incident {
        id: 1,
        title: "disk full on db-1".to_owned(),
        description: "the / filesystem is at 97%".to_owned(),
        severity: "critical".to_owned(),
        status: "open".to_owned(),
        metadata: json!({"host": "db-1"}),
        alerts: (0..10)
            .map(|i| Alert {
                name: format!("Alert{i}"),
                description: "disk above 95%".to_owned(),
            })
            .collect(),
    }
}

fn reply() -> serde_json::Value {
    let content = json!([
        {"type": "disk", "priority": "high", "title": "Free space", "description": "/ is at 97%",
         "actions": ["rotate logs", "extend the volume"]},
        {"type": "process", "priority": "low", "title": "Check cron", "description": "a dump writes to /",
         "actions": ["review crontab"]}
    ])
    .to_string();
    json!({
        "model": "gpt-4o-mini",
        "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 300, "completion_tokens": 80, "total_tokens": 380}
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (ok_server, failing_server) = runtime.block_on(async {
        let ok = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply()))
            .mount(&ok)
            .await;
        let failing = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
            .mount(&failing)
            .await;
        (ok, failing)
    });
    let provider = |server: &MockServer| {
        OpenAiProvider::new(OpenAiSettings {
            api_key: Some("sk-bench-000000".to_owned()),
            base_url: format!("{}/v1", server.uri()),
            timeout: Duration::from_secs(5),
            ..OpenAiSettings::default()
        })
        .expect("valid settings")
    };
    let ok = provider(&ok_server);
    let failing = provider(&failing_server);
    let incident = incident();

    let mut group = c.benchmark_group("openai");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("analyze_loopback_two_recommendations", |b| {
        b.to_async(&runtime).iter(|| async {
            let analysis = ok
                .analyze(Some(&incident), &AnalysisKind::Automatic)
                .await
                .expect("analysis");
            assert_eq!(analysis.recommendations.len(), 2);
        });
    });
    group.bench_function("analyze_loopback_http_500_fallback", |b| {
        b.to_async(&runtime).iter(|| async {
            let analysis = failing
                .analyze(Some(&incident), &AnalysisKind::Automatic)
                .await
                .expect("analysis");
            assert!(analysis.fallback.is_some());
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
