//! One audit record or one incident in full, as aligned `field: value`
//! lines.

use std::io::{self, Write};

use intelligence_core::{AnalysisRun, Incident, Recommendation, RunStatus};

use super::{Section, analysis, style, time};

/// Writes every column of a run, then its recommendations.
pub fn run(out: &mut dyn Write, run: &AnalysisRun) -> io::Result<()> {
    let opt = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    let status = style::status(run.status);
    let fields: Vec<(&str, String)> = vec![
        ("id", run.id.to_string()),
        ("provider", run.provider.clone()),
        ("analysis kind", run.analysis_kind.clone()),
        ("input", run.input_summary.clone()),
        ("incident", opt(run.incident_id.map(|id| id.to_string()))),
        ("trace id", run.trace_id.clone()),
        ("pipeline run id", run.pipeline_run_id.clone()),
        ("checker output", run.checker_output_ref.clone()),
        ("provider config", run.provider_config.to_string()),
        ("model", opt(run.model_name.clone())),
        ("created", time(&run.created_at)),
        ("started", opt(run.started_at.as_ref().map(time))),
        ("completed", opt(run.completed_at.as_ref().map(time))),
        (
            "duration",
            opt(run.duration_ms.map(|ms| format!("{ms} ms"))),
        ),
        ("tokens", tokens(run)),
        ("confidence", opt(run.confidence.map(|c| format!("{c:.2}")))),
        ("fallback used", run.fallback_used.to_string()),
        ("error type", opt(run.error_type.clone())),
        ("error", opt(run.error_message.clone())),
        ("summary", run.summary.clone()),
        ("probable cause", run.probable_cause.clone()),
        ("recommendations", run.recommendations_count.to_string()),
    ];
    writeln!(
        out,
        "{:>15}: {status}{}{status:#}",
        "status",
        run.status.as_str()
    )?;
    for (name, value) in fields {
        // An empty column reads as "-", as a missing one does.
        let value = if value.is_empty() { "-" } else { &value };
        writeln!(out, "{name:>15}: {value}")?;
    }

    if run.status == RunStatus::Succeeded {
        match serde_json::from_value::<Vec<Recommendation>>(run.recommendations.clone()) {
            Ok(recommendations) if !recommendations.is_empty() => {
                writeln!(out)?;
                let section = Section {
                    heading: "recommendations".to_owned(),
                    run_id: run.id,
                    duration_ms: run
                        .duration_ms
                        .and_then(|ms| u64::try_from(ms).ok())
                        .unwrap_or(0),
                    recommendations: &recommendations,
                    fallback: None,
                };
                analysis(out, &section)?;
            }
            Ok(_) => {}
            // Stored by another version, or scrubbed into something else:
            // show it as it is rather than hide it.
            Err(_) => writeln!(out, "\n{}", run.recommendations)?,
        }
    }
    Ok(())
}

fn tokens(run: &AnalysisRun) -> String {
    let n = |v: Option<i64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    if run.prompt_tokens.is_none() && run.completion_tokens.is_none() && run.total_tokens.is_none()
    {
        return "-".to_owned();
    }
    format!(
        "prompt {}, completion {}, total {}",
        n(run.prompt_tokens),
        n(run.completion_tokens),
        n(run.total_tokens)
    )
}

/// Writes an incident's fields, its metadata and its alerts.
pub fn incident(out: &mut dyn Write, incident: &Incident) -> io::Result<()> {
    writeln!(out, "{:>11}: {}", "id", incident.id)?;
    writeln!(out, "{:>11}: {}", "title", incident.title)?;
    writeln!(out, "{:>11}: {}", "severity", incident.severity)?;
    writeln!(out, "{:>11}: {}", "status", incident.status)?;
    let description = if incident.description.is_empty() {
        "-"
    } else {
        incident.description.as_str()
    };
    writeln!(out, "{:>11}: {description}", "description")?;
    writeln!(out, "{:>11}: {}", "metadata", incident.metadata)?;
    if incident.alerts.is_empty() {
        writeln!(out, "{:>11}: -", "alerts")?;
    }
    for alert in &incident.alerts {
        if alert.description.is_empty() {
            writeln!(out, "{:>11}: {}", "alert", alert.name)?;
        } else {
            writeln!(
                out,
                "{:>11}: {}: {}",
                "alert", alert.name, alert.description
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::{NewRun, RunFailed, RunId};

    #[test]
    fn a_failed_run_shows_its_error_and_no_trailing_spaces() {
        let new = NewRun {
            id: RunId::new(),
            trace_id: "t-1".into(),
            pipeline_run_id: String::new(),
            provider: "local".into(),
            provider_config: serde_json::json!({}),
            incident_id: None,
            analysis_kind: "disk".into(),
            input_summary: "disk /etc".into(),
            checker_output_ref: String::new(),
            created_at: chrono::Utc::now(),
        };
        let mut record = AnalysisRun::from_new(&new);
        record.apply_failed(&RunFailed {
            error_type: "path_not_allowed".into(),
            error_message: "path \"/etc\" is not allowed".into(),
            completed_at: chrono::Utc::now(),
            duration_ms: 1,
        });
        let mut out = Vec::new();
        run(&mut out, &record).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("     error type: path_not_allowed\n"),
            "{text}"
        );
        assert!(text.contains("pipeline run id: -\n"), "{text}");
        assert!(text.lines().all(|line| !line.ends_with(' ')), "{text}");
    }
}
