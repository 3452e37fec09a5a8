//! What the analyze stage adds around `run()`: payload reading, key
//! stripping, provider build, incident load and result shaping, with a
//! provider that answers at once. Against the no-op sink (the executor's own
//! overhead) and the real SQLite store (one stage end to end).
//!
//! `cargo bench -p intelligence-executor --bench execute`

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use criterion::{Criterion, criterion_group, criterion_main};
use intelligence_core::{
    Analysis, AnalysisKind, AuditSink, Incident, IncidentId, IncidentSource, NoopSink, Priority,
    Provider, ProviderError, ProviderRegistry, Recommendation, RecommendationType, RunOptions,
    SourceError, run,
};
use intelligence_executor::{AnalyzeExecutor, StageContext};
use intelligence_store::{NewIncident, Store};
use serde_json::{Value, json};

struct Instant3;

#[async_trait]
impl Provider for Instant3 {
    fn name(&self) -> &str {
        "instant"
    }

    fn description(&self) -> &str {
        "answers three recommendations at once"
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        _kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let recs = (0..3)
            .map(|i| {
                Recommendation::new(
                    RecommendationType::Memory,
                    Priority::High,
                    format!("finding {i}"),
                    "a process leaks memory",
                )
                .with_actions(["restart the worker", "add a memory limit"])
                .with_incident(incident.map(|i| i.id))
            })
            .collect();
        Ok(Analysis::new(recs))
    }
}

struct Fixed;

#[async_trait]
impl IncidentSource for Fixed {
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, SourceError> {
        Ok(Some(Incident::new(id, "high memory usage on web-1")))
    }
}

fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    registry.register("instant", "bench", |_| Ok(Arc::new(Instant3)));
    registry
}

fn config() -> Value {
    json!({
        "api_key": "sk-bench-0000000000",
        "model": "m",
        "top_n": 5,
        "base_url": "http://127.0.0.1:1/v1",
        "nested": {"password": "hunter22", "label": "x"},
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let noop: Arc<dyn AuditSink> = Arc::new(NoopSink);
    let on_noop = AnalyzeExecutor::new(registry(), Arc::clone(&noop), Arc::new(Fixed), "instant")
        .expect("registered");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let store = Store::open(path.to_str().expect("utf-8")).expect("open store");
    let incident = runtime
        .block_on(store.add_incident(NewIncident::new("high memory usage on web-1")))
        .expect("add incident");
    let on_sqlite = AnalyzeExecutor::new(
        registry(),
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        "instant",
    )
    .expect("registered");

    let ctx = StageContext::new("trace-bench", "pipe-bench")
        .with_incident(7)
        .with_payload(json!({"provider": "instant", "provider_config": config()}));
    let refused = ctx
        .clone()
        .with_payload(json!({"provider": "nope", "provider_config": config()}));
    let sqlite_ctx = ctx.clone().with_incident(incident.id);
    let bare_incident = Incident::new(7, "high memory usage on web-1");

    let mut group = c.benchmark_group("executor");
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("run_only_noop_sink", |b| {
        b.to_async(&runtime).iter(|| async {
            let options = RunOptions {
                trace_id: "trace-bench".into(),
                config: config(),
                ..RunOptions::default()
            };
            let outcome = run(
                &Instant3,
                Arc::clone(&noop),
                Some(&bare_incident),
                &AnalysisKind::Automatic,
                options,
            )
            .await
            .expect("analysis");
            assert_eq!(outcome.analysis.recommendations.len(), 3);
        });
    });
    group.bench_function("execute_noop_sink", |b| {
        b.to_async(&runtime).iter(|| async {
            let result = on_noop.execute(&ctx).await;
            assert!(result.is_ok());
        });
    });
    group.bench_function("execute_unknown_provider_noop_sink", |b| {
        b.to_async(&runtime).iter(|| async {
            let result = on_noop.execute(&refused).await;
            assert!(result.fallback_used);
        });
    });
    group.bench_function("execute_sqlite_store", |b| {
        b.to_async(&runtime).iter(|| async {
            let result = on_sqlite.execute(&sqlite_ctx).await;
            assert!(result.is_ok(), "{:?}", result.errors);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
