//! `GET /admin/intelligence/analysisrun/{id}/`: every field of one run, with
//! the redacted config and the recommendations pretty-printed.

use axum::extract::{Path, State};
use maud::{Markup, html};
use serde_json::Value;

use crate::admin::LIST_PATH;
use crate::admin::layout::page;
use crate::error::ViewsError;
use crate::handlers::runs::find;
use crate::state::AppState;

/// The fields in the order the page shows them; any other field the record
/// gains is shown after these.
const FIELDS: &[&str] = &[
    "id",
    "status",
    "provider",
    "model_name",
    "incident_id",
    "trace_id",
    "pipeline_run_id",
    "analysis_kind",
    "input_summary",
    "checker_output_ref",
    "recommendations_count",
    "summary",
    "probable_cause",
    "confidence",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "fallback_used",
    "error_type",
    "error_message",
    "created_at",
    "started_at",
    "completed_at",
    "duration_ms",
    "provider_config",
    "recommendations",
];

pub(crate) async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Markup, ViewsError> {
    let run = find(&state, &id).await?;
    let fields = match serde_json::to_value(&run) {
        Ok(Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    let mut ordered: Vec<(&str, &Value)> = FIELDS
        .iter()
        .filter_map(|name| fields.get(*name).map(|value| (*name, value)))
        .collect();
    ordered.extend(
        fields
            .iter()
            .filter(|(name, _)| !FIELDS.contains(&name.as_str()))
            .map(|(name, value)| (name.as_str(), value)),
    );

    let body = html! {
        p { a href=(LIST_PATH) { "« All runs" } }
        table id="run" {
            tbody {
                @for (name, value) in &ordered {
                    tr data-field=(name) {
                        th { (name) }
                        td { (render(value)) }
                    }
                }
            }
        }
    };
    Ok(page(&format!("Analysis run {}", run.id), body))
}

fn render(value: &Value) -> Markup {
    match value {
        Value::Null => html! { "-" },
        Value::String(text) => html! { pre { (text) } },
        Value::Object(_) | Value::Array(_) => {
            let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            html! { pre class="json" { (pretty) } }
        }
        other => html! { (other.to_string()) },
    }
}
