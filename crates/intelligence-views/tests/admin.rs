//! The admin pages rendered in-process: the list with its filters and
//! pagination links, the detail page with every field, and escaping.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Fixture, sample_runs};

async fn page(fixture: &Fixture, uri: &str) -> String {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let (status, html) = fixture.send_text(request).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {html}");
    html
}

fn rows(html: &str) -> usize {
    html.matches("<tr class=\"run\"").count()
}

#[tokio::test]
async fn the_list_shows_runs_newest_first_and_filters_narrow_it() {
    let fixture = Fixture::new();
    let runs = sample_runs(6);
    fixture.store.import_runs(&runs).await.expect("seed");

    let html = page(&fixture, "/admin/intelligence/analysisrun/").await;
    assert_eq!(rows(&html), 6);
    let newest = html.find(&runs[5].id.to_string()).expect("newest shown");
    let oldest = html.find(&runs[0].id.to_string()).expect("oldest shown");
    assert!(newest < oldest, "newest first");
    for header in [
        "Status",
        "Provider",
        "Incident",
        "Trace id",
        "Kind",
        "Recommendations",
        "Duration",
        "Created",
    ] {
        assert!(html.contains(&format!("<th>{header}</th>")), "{header}");
    }
    assert!(html.contains("1500 ms"));
    assert!(!html.contains("<script"), "no JavaScript");

    let html = page(&fixture, "/admin/intelligence/analysisrun/?status=failed").await;
    assert_eq!(rows(&html), 2);
    assert_eq!(html.matches("data-status=\"failed\"").count(), 2);
    assert!(
        html.contains("<option value=\"failed\" selected>"),
        "{html}"
    );

    let html = page(
        &fixture,
        "/admin/intelligence/analysisrun/?status=succeeded&provider=openai",
    )
    .await;
    assert_eq!(rows(&html), 2, "runs 1 and 3");
}

#[tokio::test]
async fn pagination_links_keep_the_filters() {
    let fixture = Fixture::new();
    let runs = sample_runs(5);
    fixture.store.import_runs(&runs).await.expect("seed");

    let html = page(
        &fixture,
        "/admin/intelligence/analysisrun/?provider=local&limit=2",
    )
    .await;
    assert_eq!(rows(&html), 2);
    let needle = "id=\"next\" href=\"";
    let start = html.find(needle).expect("a next link") + needle.len();
    let end = start + html[start..].find('"').expect("end of href");
    let next = html[start..end].replace("&amp;", "&");
    assert!(
        next.contains("provider=local") && next.contains("limit=2"),
        "{next}"
    );

    let html = page(&fixture, &next).await;
    assert_eq!(rows(&html), 1, "three local runs in all");
    assert!(html.contains("id=\"first\""));
    assert!(!html.contains("id=\"next\""));
}

#[tokio::test]
async fn the_detail_page_shows_every_field_pretty_printed_and_escaped() {
    let fixture = Fixture::new();
    let mut runs = sample_runs(3);
    runs[2].trace_id = "<script>alert(1)</script>".to_owned();
    fixture.store.import_runs(&runs).await.expect("seed");
    let failed = &runs[2];

    let html = page(
        &fixture,
        &format!("/admin/intelligence/analysisrun/{}/", failed.id),
    )
    .await;
    let fields = serde_json::to_value(failed).expect("json");
    for name in fields.as_object().expect("object").keys() {
        assert!(
            html.contains(&format!("<tr data-field=\"{name}\">")),
            "field {name} missing"
        );
    }
    assert!(html.contains("run 2 timed out"), "the error message");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(
        html.contains(
            "{\n  &quot;api_key&quot;: &quot;***&quot;,\n  &quot;model&quot;: &quot;m&quot;\n}"
        ),
        "pretty config: {html}"
    );

    let (status, body) = fixture
        .get("/admin/intelligence/analysisrun/0190d6a2-b3c4-7def-8a9b-0c1d2e3f4a5b/")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().expect("error").contains("not found"));
}
