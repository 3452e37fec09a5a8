//! What the views log: never a secret a client put in a query string.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::Fixture;

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_secret_in_the_query_string_is_masked_in_the_request_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fixture = Fixture::new();
    let (status, _) = fixture
        .get("/intelligence/health/?api_key=sk-query-SECRET42&password=hunter42")
        .await;
    assert!(status.is_success(), "{status}");

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logs.contains("/intelligence/health/"),
        "request not logged: {logs}"
    );
    assert!(!logs.contains("SECRET42"), "{logs}");
    assert!(!logs.contains("hunter42"), "{logs}");
}
