//! Every route's success shape, called in-process through the router, with
//! the audit record each analysis leaves in the real SQLite store.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Fixture;
use intelligence_core::{RunId, RunStatus};
use serde_json::{Value, json};

async fn record(fixture: &Fixture, body: &Value) -> intelligence_core::AnalysisRun {
    let id: RunId = body["run_id"]
        .as_str()
        .expect("run_id")
        .parse()
        .expect("uuid");
    fixture
        .store
        .get_run(id)
        .await
        .expect("query")
        .expect("recorded")
}

#[tokio::test]
async fn health_and_providers_list_the_registry() {
    let fixture = Fixture::new();
    let (status, body) = fixture.get("/intelligence/health/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": "ok", "app": "intelligence", "providers": ["echo", "local", "slow"]})
    );

    let (status, body) = fixture.get("/intelligence/providers/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 3);
    assert_eq!(body["providers"][1]["name"], "local");
    assert!(
        body["providers"][1]["description"]
            .as_str()
            .expect("description")
            .contains("Local")
    );
}

#[tokio::test]
async fn recommendations_by_get_use_the_incident_and_the_request_id_as_trace_id() {
    let fixture = Fixture::new();
    let incident = fixture.incident("disk full on db-1").await;
    let request = Request::get(format!(
        "/intelligence/recommendations/?incident_id={}&provider=echo",
        incident.id
    ))
    .header("X-Request-Id", "req-77")
    .body(Body::empty())
    .expect("request");
    let (status, body) = fixture.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["provider"], "echo");
    assert_eq!(body["incident_id"], incident.id);
    assert_eq!(body["count"], 1);
    assert_eq!(body["recommendations"][0]["title"], "disk full on db-1");
    assert_eq!(body["recommendations"][0]["type"], "general");

    let run = record(&fixture, &body).await;
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(run.trace_id, "req-77");
    assert_eq!(run.incident_id, Some(incident.id));
    assert_eq!(run.provider, "echo");
}

#[tokio::test]
async fn recommendations_by_post_take_a_config_and_without_a_request_id_get_a_fresh_trace() {
    let fixture = Fixture::new();
    let incident = fixture.incident("high cpu").await;
    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({"incident_id": incident.id, "provider": "echo", "config": {"model": "m1"}})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["incident_id"], incident.id);
    assert_eq!(body["recommendations"][0]["title"], "high cpu");

    let run = record(&fixture, &body).await;
    assert!(
        uuid::Uuid::parse_str(&run.trace_id).is_ok(),
        "{}",
        run.trace_id
    );
    assert_eq!(run.provider_config, json!({"model": "m1"}));
    assert_eq!(
        fixture.configs.lock().expect("lock").last(),
        Some(&json!({"model": "m1"}))
    );
}

#[tokio::test]
async fn recommendations_without_an_incident_are_a_general_scan_with_the_default_provider() {
    let fixture = Fixture::new();
    let (status, body) = fixture.post("/intelligence/recommendations/", "{}").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["provider"], "local");
    assert_eq!(body["incident_id"], Value::Null);
    assert!(body["count"].as_u64().expect("count") >= 1, "{body}");
    let run = record(&fixture, &body).await;
    assert_eq!(run.analysis_kind, "automatic");
}

#[tokio::test]
async fn memory_reports_at_most_top_n_processes() {
    let fixture = Fixture::new();
    let (status, body) = fixture.get("/intelligence/memory/?top_n=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["type"], "memory");
    assert_eq!(body["count"], 1);
    let top = body["recommendations"][0]["details"]["top_processes"]
        .as_array()
        .expect("top processes");
    assert!(top.len() <= 2, "{top:?}");

    let run = record(&fixture, &body).await;
    assert_eq!(run.analysis_kind, "memory");
    assert_eq!(run.provider_config, json!({"top_n": 2}));
}

#[tokio::test]
async fn disk_scans_a_path_inside_the_allowed_roots_and_echoes_the_settings() {
    let fixture = Fixture::new();
    let big = fixture.allowed.join("logs/big.log");
    std::fs::write(&big, vec![7u8; 2 * 1024 * 1024]).expect("write");

    let path = fixture.allowed.join("logs");
    let uri = format!(
        "/intelligence/disk/?path={}&threshold_mb=1&old_days=7",
        path.display()
    );
    let (status, body) = fixture.get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["type"], "disk");
    assert_eq!(body["path"], path.display().to_string());
    assert_eq!(body["threshold_mb"], 1.0);
    assert_eq!(body["old_days"], 7.0);
    assert!(
        body.to_string().contains("big.log"),
        "the 2 MiB file is over the 1 MB threshold: {body}"
    );

    // Without parameters: the configured default path and settings.
    let (status, body) = fixture.get("/intelligence/disk/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["path"], fixture.allowed.display().to_string());
    assert_eq!(body["threshold_mb"], 100.0);
    assert_eq!(body["old_days"], 30.0);
}

#[tokio::test]
async fn runs_list_filters_and_pages_newest_first() {
    let fixture = Fixture::new();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, body) = fixture
            .get("/intelligence/recommendations/?provider=echo")
            .await;
        ids.push(body["run_id"].as_str().expect("id").to_owned());
    }

    let (status, body) = fixture.get("/intelligence/runs/?limit=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["runs"][0]["id"], ids[2].as_str());
    assert_eq!(body["runs"][1]["id"], ids[1].as_str());
    let next = body["next"].as_str().expect("a next cursor");

    let (status, body) = fixture
        .get(&format!("/intelligence/runs/?limit=2&after={next}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 1);
    assert_eq!(body["runs"][0]["id"], ids[0].as_str());
    assert_eq!(body["next"], Value::Null);

    let (_, body) = fixture
        .get("/intelligence/runs/?status=succeeded&provider=echo")
        .await;
    assert_eq!(body["count"], 3);
    let (_, body) = fixture.get("/intelligence/runs/?status=failed").await;
    assert_eq!(body["count"], 0);
    let (_, body) = fixture.get("/intelligence/runs/?provider=local").await;
    assert_eq!(body["count"], 0);
}

#[tokio::test]
async fn a_run_is_shown_by_id() {
    let fixture = Fixture::new();
    let (_, made) = fixture
        .get("/intelligence/recommendations/?provider=echo")
        .await;
    let id = made["run_id"].as_str().expect("id");
    let (status, body) = fixture.get(&format!("/intelligence/runs/{id}/")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(body["status"], "succeeded");
    assert_eq!(body["recommendations_count"], 1);
    assert_eq!(body["recommendations"][0]["title"], "general automatic");
}

#[tokio::test]
async fn every_response_echoes_its_request_id() {
    let fixture = Fixture::new();
    let request = Request::get("/intelligence/health/")
        .header("X-Request-Id", "abc-123")
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(fixture.router(), request)
        .await
        .expect("infallible");
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}
