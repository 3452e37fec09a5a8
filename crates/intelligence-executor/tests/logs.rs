//! What a stage logs: a failure once, dropped location keys by name, and
//! never a secret.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use common::Fixture;
use intelligence_executor::StageContext;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Buffer {
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

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn a_failed_stage_is_logged_once_without_its_secrets() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fixture = Fixture::new(true);
    let ctx = StageContext::new("trace-log", "pipe-log").with_payload(json!({
        "provider": "failing",
        "provider_config": {
            "api_key": "sk-live-echoed",
            "base_url": "http://admin:pa55word@internal.example/v1",
        },
    }));
    let result = fixture.executor.execute(&ctx).await;
    assert!(result.fallback_used);

    let logs = buffer.text();
    let failures: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("analyze stage failed"))
        .collect();
    assert_eq!(failures.len(), 1, "{logs}");
    for needle in [
        "WARN",
        "error_type=upstream",
        "provider=failing",
        "trace_id=trace-log",
        "fallback=true",
        "key *** rejected",
    ] {
        assert!(
            failures[0].contains(needle),
            "{needle} missing from {}",
            failures[0]
        );
    }

    let dropped = logs
        .lines()
        .find(|l| l.contains("dropped provider_config keys"))
        .unwrap_or_else(|| panic!("no dropped-keys warning in {logs}"));
    assert!(dropped.contains("base_url"), "{dropped}");

    for secret in ["sk-live-echoed", "pa55word", "internal.example"] {
        assert!(!logs.contains(secret), "{secret} leaked into {logs}");
    }
}
