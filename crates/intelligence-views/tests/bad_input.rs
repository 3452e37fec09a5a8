//! Bad input is answered with a 4xx JSON `{"error": ...}`, never a 500, and
//! leaves no audit record (nothing was executed).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Fixture, assert_client_error};
use intelligence_store::{PageRequest, RunFilter};
use serde_json::json;

async fn assert_no_runs(fixture: &Fixture) {
    let page = fixture
        .store
        .list_runs(&RunFilter::default(), PageRequest::first(10))
        .await
        .expect("list");
    assert!(
        page.runs.is_empty(),
        "bad input was recorded: {:?}",
        page.runs
    );
}

#[tokio::test]
async fn top_n_must_be_a_small_non_negative_integer() {
    let fixture = Fixture::new();
    for bad in ["abc", "-1", "2.5", "1000001", "99999999999999999999999999"] {
        let (status, body) = fixture
            .get(&format!("/intelligence/memory/?top_n={bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_client_error(status, &body, "top_n");
    }
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn disk_numbers_must_be_numbers() {
    let fixture = Fixture::new();
    for query in [
        "threshold_mb=abc",
        "threshold_mb=-5",
        "threshold_mb=NaN",
        "old_days=soon",
        "old_days=inf",
    ] {
        let (status, body) = fixture.get(&format!("/intelligence/disk/?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let field = query.split('=').next().expect("field");
        assert_client_error(status, &body, field);
    }
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn an_unknown_provider_is_a_400_listing_the_known_ones() {
    let fixture = Fixture::new();
    let (status, body) = fixture.get("/intelligence/memory/?provider=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "unknown provider \"nope\"");
    assert_client_error(status, &body, "local");

    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({"provider": "nope"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "nope");
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn malformed_json_and_wrong_content_types_are_refused() {
    let fixture = Fixture::new();
    let (status, body) = fixture
        .post("/intelligence/recommendations/", "{\"incident_id\": ")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "JSON");

    let request = Request::post("/intelligence/recommendations/")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .expect("request");
    let (status, body) = fixture.send(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_client_error(status, &body, "Content-Type: application/json");

    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({"provider": "echo", "config": [1, 2]}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "config");
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let fixture = Fixture::new();
    let padding = "x".repeat(intelligence_views::BODY_LIMIT);
    let big = json!({"provider": "echo", "config": {"pad": padding}}).to_string();

    // Declared length: refused before the handler reads anything.
    let request = Request::post("/intelligence/recommendations/")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .expect("request");
    let (status, body) = fixture.send(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_client_error(status, &body, "larger than 1048576 bytes");

    // No declared length: refused while it is read.
    let (status, body) = fixture.post("/intelligence/recommendations/", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_client_error(status, &body, "larger than");
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn an_incident_id_of_the_wrong_type_is_refused() {
    let fixture = Fixture::new();
    let (status, body) = fixture
        .get("/intelligence/recommendations/?incident_id=abc&provider=echo")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "incident_id");

    for bad in [json!("abc"), json!(1.5), json!([1]), json!({"id": 1})] {
        let (status, body) = fixture
            .post(
                "/intelligence/recommendations/",
                json!({"incident_id": bad, "provider": "echo"}).to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_client_error(status, &body, "incident_id");
    }
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn a_missing_incident_is_a_404() {
    let fixture = Fixture::new();
    let (status, body) = fixture
        .get("/intelligence/recommendations/?incident_id=987654&provider=echo")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_client_error(status, &body, "incident 987654 not found");

    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({"incident_id": 987654}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_no_runs(&fixture).await;
}

/// A disk path the provider refused is bad input (400) and, as from the CLI
/// and the executor, one failed record: the attempt is in the audit trail.
#[tokio::test]
async fn disk_paths_must_resolve_inside_the_allowed_roots() {
    let fixture = Fixture::new();
    let outside = fixture.dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink(&outside, fixture.allowed.join("link")).expect("symlink");

    let allowed = fixture.allowed.display().to_string();
    let cases = [
        ("/etc".to_owned(), "outside the allowed roots"),
        (outside.display().to_string(), "outside the allowed roots"),
        (format!("{allowed}/../outside"), "outside the allowed roots"),
        (format!("{allowed}/link"), "outside the allowed roots"),
        (format!("{allowed}/link/."), "outside the allowed roots"),
        (format!("{allowed}/missing"), "cannot be resolved"),
    ];
    let mut ids = Vec::new();
    for (path, needle) in &cases {
        let (status, body) = fixture
            .get(&format!("/intelligence/disk/?path={path}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_client_error(status, &body, needle);
        // The error names the record that says so.
        let id: intelligence_core::RunId = body["run_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{path}: a run_id in {body}"));
        ids.push(id);
    }
    let page = fixture
        .store
        .list_runs(&RunFilter::default(), PageRequest::first(50))
        .await
        .expect("list");
    assert_eq!(page.runs.len(), cases.len(), "one record per refusal");
    for run in &page.runs {
        assert_eq!(run.status, intelligence_core::RunStatus::Failed);
        assert_eq!(
            run.error_type.as_deref(),
            Some("path_not_allowed"),
            "{run:?}"
        );
        assert!(ids.contains(&run.id), "{run:?}");
    }
}

#[tokio::test]
async fn a_disk_path_with_a_nul_byte_is_refused_before_any_run() {
    let fixture = Fixture::new();
    let allowed = fixture.allowed.display().to_string();
    let (status, body) = fixture
        .get(&format!("/intelligence/disk/?path={allowed}/logs%00/../.."))
        .await;
    assert_client_error(status, &body, "NUL byte");
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn run_lookups_refuse_bad_ids_cursors_and_filters() {
    let fixture = Fixture::new();
    let (status, body) = fixture.get("/intelligence/runs/not-a-uuid/").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_client_error(status, &body, "run id");

    let (status, body) = fixture
        .get("/intelligence/runs/0190d6a2-b3c4-7def-8a9b-0c1d2e3f4a5b/")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_client_error(status, &body, "not found");

    for (query, needle) in [
        ("after=garbage", "invalid cursor"),
        ("status=done", "status"),
        ("limit=0", "invalid limit: 0 is less than the minimum 1"),
        ("limit=5000", "limit"),
        ("incident_id=x", "incident_id"),
        ("created_after=yesterday", "created_after"),
    ] {
        let (status, body) = fixture.get(&format!("/intelligence/runs/?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_client_error(status, &body, needle);
    }

    let (status, body) = fixture.get("/intelligence/nowhere/").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_client_error(status, &body, "no route");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_a_422_and_runs_nothing() {
    let fixture = Fixture::new();
    // serde would read a struct from a JSON array by position: `[]` would
    // run a general scan and `[42, "openai"]` analyse incident 42.
    for body in ["[]", "[42, \"openai\"]", "null", "\"local\""] {
        let (status, reply) = fixture.post("/intelligence/recommendations/", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_client_error(status, &reply, "expected");
    }
    assert_no_runs(&fixture).await;
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_a_json_405() {
    let fixture = Fixture::new();
    for (method, uri) in [
        ("DELETE", "/intelligence/health/"),
        ("PUT", "/intelligence/recommendations/"),
        ("POST", "/intelligence/runs/"),
        ("POST", "/admin/intelligence/analysisrun/"),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let (status, body) = fixture.send(request).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {body}"
        );
        assert_client_error(status, &body, method);
    }
    let request = Request::delete("/intelligence/health/")
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(fixture.router(), request)
        .await
        .expect("infallible");
    let allow = response.headers().get(header::ALLOW).expect("allow header");
    assert!(allow.to_str().expect("ascii").contains("GET"), "{allow:?}");
}
