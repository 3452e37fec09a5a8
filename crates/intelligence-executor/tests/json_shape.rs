//! The JSON the pipeline reads, snapshotted with the volatile fields (run
//! id, output reference, duration) replaced.

mod common;

use common::Fixture;
use intelligence_executor::{AnalyzeResult, StageContext};
use serde_json::{Value, json};

fn stable(result: &AnalyzeResult) -> Value {
    let mut value = serde_json::to_value(result).expect("serialise");
    assert_eq!(
        value["ai_output_ref"],
        format!("intelligence:trace-s:{}:analyze", result.run_id)
    );
    value["run_id"] = json!("[run_id]");
    value["ai_output_ref"] = json!("intelligence:trace-s:[run_id]:analyze");
    value["duration_ms"] = json!("[duration_ms]");
    value
}

fn context() -> StageContext {
    StageContext::new("trace-s", "pipe-s").with_incident(42)
}

#[tokio::test]
async fn a_successful_result() {
    let fixture = Fixture::new(true);
    let result = fixture.executor.execute(&context()).await;
    insta::assert_json_snapshot!(stable(&result));
}

#[tokio::test]
async fn a_fallback_result() {
    let fixture = Fixture::new(true);
    let ctx = context().with_payload(json!({"provider": "failing"}));
    let result = fixture.executor.execute(&ctx).await;
    insta::assert_json_snapshot!(stable(&result));
}

#[tokio::test]
async fn a_failed_result_without_fallback() {
    let fixture = Fixture::new(false);
    let ctx = context().with_payload(json!({"provider": "gamma"}));
    let result = fixture.executor.execute(&ctx).await;
    insta::assert_json_snapshot!(stable(&result));
}
