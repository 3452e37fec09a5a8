//! The server on a real loopback socket: the bearer token, the loopback
//! rule, and a client disconnect that cancels the analysis and leaves the
//! run failed "cancelled".

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::Fixture;
use intelligence_core::{CANCELLED_MESSAGE, RunStatus};
use intelligence_store::{PageRequest, RunFilter};
use intelligence_views::{ServeSettings, ViewSettings, ViewsError, check_bind, serve, serve_on};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Serves `fixture` on 127.0.0.1 until the returned sender is dropped.
async fn start(fixture: &Fixture) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let state = fixture.state.clone();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve_on(listener, state, shutdown).await.expect("serve");
    });
    (addr, stop)
}

#[tokio::test]
async fn a_non_loopback_bind_needs_a_token() {
    let open = Fixture::new();
    let wide: SocketAddr = "0.0.0.0:0".parse().expect("addr");
    let err = serve(ServeSettings { bind: wide }, open.state.clone())
        .await
        .expect_err("refused");
    assert!(matches!(err, ViewsError::InsecureBind { .. }), "{err}");
    assert!(err.to_string().contains("without a bearer token"), "{err}");
    check_bind("127.0.0.1:8000".parse().expect("addr"), &open.state).expect("loopback");
    check_bind("[::1]:8000".parse().expect("addr"), &open.state).expect("loopback v6");

    let guarded =
        Fixture::with_settings(ViewSettings::default().with_token(Some("t0ken-123".into())));
    check_bind(wide, &guarded.state).expect("a token allows any address");
    assert_eq!(
        ServeSettings::default().bind,
        "127.0.0.1:8000".parse::<SocketAddr>().expect("addr")
    );
}

#[tokio::test]
async fn the_token_guards_every_route() {
    let fixture =
        Fixture::with_settings(ViewSettings::default().with_token(Some("t0ken-123".into())));
    let (addr, _stop) = start(&fixture).await;
    let client = reqwest::Client::new();

    for route in [
        "/intelligence/health/",
        "/intelligence/runs/",
        "/admin/intelligence/analysisrun/",
    ] {
        let url = format!("http://{addr}{route}");
        for auth in [None, Some("Bearer wrong"), Some("t0ken-123")] {
            let mut request = client.get(&url);
            if let Some(auth) = auth {
                request = request.header("authorization", auth);
            }
            let response = request.send().await.expect("send");
            assert_eq!(response.status(), 401, "{route} with {auth:?}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: serde_json::Value = response.json().await.expect("json");
            assert_eq!(body["error"], "missing or invalid bearer token");
        }
        let response = client
            .get(&url)
            .bearer_auth("t0ken-123")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "{route}");
    }
}

#[tokio::test]
async fn a_client_that_disconnects_leaves_its_run_failed_cancelled() {
    let fixture = Fixture::new();
    let (addr, _stop) = start(&fixture).await;

    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            b"GET /intelligence/memory/?provider=slow HTTP/1.1\r\n\
              Host: localhost\r\nX-Request-Id: cancel-me\r\n\r\n",
        )
        .await
        .expect("write");
    tokio::time::timeout(Duration::from_secs(30), fixture.slow_started.notified())
        .await
        .expect("the analysis started");
    drop(stream);

    let filter = RunFilter {
        trace_id: Some("cancel-me".into()),
        ..RunFilter::default()
    };
    let mut last = None;
    for _ in 0..300 {
        let page = fixture
            .store
            .list_runs(&filter, PageRequest::first(5))
            .await
            .expect("list");
        assert_eq!(page.runs.len(), 1, "one record for the request");
        let run = page.runs.into_iter().next().expect("run");
        if run.status == RunStatus::Failed {
            assert_eq!(run.error_type.as_deref(), Some("cancelled"));
            assert_eq!(run.error_message.as_deref(), Some(CANCELLED_MESSAGE));
            assert_eq!(run.provider, "slow");
            return;
        }
        last = Some(run.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run never left {last:?} after the client went away");
}
