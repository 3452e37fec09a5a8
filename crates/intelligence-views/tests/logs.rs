//! What the views log: never a secret a client put in a query string.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::Fixture;
use serde_json::json;

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

impl Captured {
    /// Captures every event (TRACE and up) on this thread while the guard
    /// lives; the tests run on a current-thread runtime, so that includes
    /// what the router logs.
    fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

#[tokio::test]
async fn a_secret_in_the_query_string_is_masked_in_the_request_logs() {
    let (captured, _guard) = Captured::install();

    let fixture = Fixture::new();
    let (status, _) = fixture
        .get("/intelligence/health/?api_key=sk-query-SECRET42&password=hunter42")
        .await;
    assert!(status.is_success(), "{status}");

    let logs = captured.text();
    assert!(
        logs.contains("/intelligence/health/"),
        "request not logged: {logs}"
    );
    assert!(!logs.contains("SECRET42"), "{logs}");
    assert!(!logs.contains("hunter42"), "{logs}");
}

#[tokio::test]
async fn a_percent_encoded_sensitive_name_is_masked_in_the_request_logs() {
    let (captured, _guard) = Captured::install();

    let fixture = Fixture::new();
    let (status, _) = fixture
        .get(
            "/intelligence/health/?api_key=QS-SECRET-1&p%61ssword=QS-SECRET-2&%74oken=QS-SECRET-3\
             &%zz=QS-SECRET-4",
        )
        .await;
    assert!(status.is_success(), "{status}");

    let logs = captured.text();
    assert!(
        logs.contains("p%61ssword=***&%74oken=***"),
        "request not logged with the names as sent: {logs}"
    );
    assert!(!logs.contains("QS-SECRET"), "{logs}");
}

#[tokio::test]
async fn removed_config_key_names_are_logged_masked_and_cut() {
    let (captured, _guard) = Captured::install();

    let long_name = format!("secret_{}", "L".repeat(500));
    let fixture = Fixture::new();
    let (status, body) = fixture
        .post(
            "/intelligence/recommendations/",
            json!({
                "provider": "echo",
                "config": {
                    "https://bob:KEYNAME-SECRET-15@127.0.0.1": 1,
                    long_name: 2,
                    "top_n": 4,
                },
            })
            .to_string(),
        )
        .await;
    assert!(status.is_success(), "{status}: {body}");

    let logs = captured.text();
    let line = logs
        .lines()
        .find(|line| line.contains("request config keys removed"))
        .unwrap_or_else(|| panic!("removed keys not logged: {logs}"));
    assert!(line.contains("https://***@127.0.0.1"), "{line}");
    assert!(
        line.contains(&format!("secret_{}...", "L".repeat(57))),
        "{line}"
    );
    assert!(!logs.contains("KEYNAME-SECRET-15"), "{logs}");
    assert!(!logs.contains(&"L".repeat(58)), "{logs}");
}
