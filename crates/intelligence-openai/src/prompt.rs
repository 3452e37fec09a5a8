//! The prompt: a fixed system message asking for a JSON array of
//! recommendations, and a user message built from the incident.

use std::fmt::Write as _;

use intelligence_core::{AnalysisKind, Incident, redact};

use crate::text::cut;

/// The most alerts listed in the prompt; the rest are counted.
pub const MAX_ALERTS: usize = 10;
/// The longest incident description sent, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The longest alert description sent, in characters.
pub const MAX_ALERT_CHARS: usize = 500;
/// The longest metadata JSON sent, in characters.
pub const MAX_METADATA_CHARS: usize = 4000;

/// The system message.
pub const SYSTEM_PROMPT: &str = "\
You are a site reliability engineer analysing an incident on a Linux server. \
Answer with a JSON array of recommendations and nothing else: no prose, no code fence. \
Each item is an object with these keys:
- \"type\": one of \"memory\", \"disk\", \"cpu\", \"process\", \"network\", \"general\"
- \"priority\": one of \"low\", \"medium\", \"high\", \"critical\"
- \"title\": one line
- \"description\": what is probably wrong and why it matters
- \"actions\": an array of concrete steps an operator can take
Put the most important recommendation first. Answer [] when there is nothing to recommend.";

/// The user message for `incident`, analysed as `kind` asks.
///
/// Metadata keys that name secrets (as [`intelligence_core::redact`] decides)
/// are masked before anything is sent upstream.
pub fn user_prompt(incident: &Incident, kind: &AnalysisKind) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "Incident #{}: {}", incident.id, incident.title.trim());
    line(&mut out, "Severity", &incident.severity);
    line(&mut out, "Status", &incident.status);
    if let Some(focus) = focus(kind) {
        let _ = writeln!(out, "Focus: {focus}");
    }

    let description = incident.description.trim();
    if !description.is_empty() {
        let _ = writeln!(
            out,
            "\nDescription:\n{}",
            cut(description, MAX_DESCRIPTION_CHARS)
        );
    }

    if !incident.alerts.is_empty() {
        let shown = incident.alerts.len().min(MAX_ALERTS);
        let _ = writeln!(out, "\nAlerts ({shown} of {}):", incident.alerts.len());
        for alert in incident.alerts.iter().take(MAX_ALERTS) {
            let description = alert.description.trim();
            if description.is_empty() {
                let _ = writeln!(out, "- {}", alert.name.trim());
            } else {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    alert.name.trim(),
                    cut(description, MAX_ALERT_CHARS)
                );
            }
        }
    }

    let metadata = redact(&incident.metadata).config;
    let empty = metadata.as_object().is_some_and(serde_json::Map::is_empty);
    if !empty {
        let json = serde_json::to_string_pretty(&metadata).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nMetadata (JSON):\n{}",
            cut(&json, MAX_METADATA_CHARS)
        );
    }

    out.push_str("\nRespond with the JSON array of recommendations.");
    out
}

fn line(out: &mut String, label: &str, value: &str) {
    let value = value.trim();
    if !value.is_empty() {
        let _ = writeln!(out, "{label}: {value}");
    }
}

fn focus(kind: &AnalysisKind) -> Option<String> {
    match kind {
        AnalysisKind::Automatic => None,
        AnalysisKind::Memory => Some("memory use".to_owned()),
        AnalysisKind::Cpu => Some("CPU load".to_owned()),
        AnalysisKind::Disk { path: None } => Some("disk use".to_owned()),
        AnalysisKind::Disk { path: Some(path) } => {
            Some(format!("disk use below {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::Alert;
    use serde_json::json;

    fn incident() -> Incident {
        Incident {
            id: 42,
            title: "disk full on db-1".into(),
            description: "the / filesystem is at 97%".into(),
            severity: "critical".into(),
            status: "open".into(),
            metadata: json!({"host": "db-1", "api_token": "tok-very-secret"}),
            alerts: (0..12)
                .map(|i| Alert {
                    name: format!("Alert{i}"),
                    description: format!("fired {i}"),
                })
                .collect(),
        }
    }

    #[test]
    fn holds_every_field_up_to_ten_alerts_and_masked_metadata() {
        let prompt = user_prompt(&incident(), &AnalysisKind::Automatic);
        assert!(
            prompt.starts_with("Incident #42: disk full on db-1\n"),
            "{prompt}"
        );
        assert!(
            prompt.contains("Severity: critical\nStatus: open\n"),
            "{prompt}"
        );
        assert!(prompt.contains("the / filesystem is at 97%"), "{prompt}");
        assert!(prompt.contains("Alerts (10 of 12):"), "{prompt}");
        assert!(prompt.contains("- Alert9: fired 9"), "{prompt}");
        assert!(!prompt.contains("Alert10"), "{prompt}");
        assert!(prompt.contains(r#""host": "db-1""#), "{prompt}");
        assert!(!prompt.contains("tok-very-secret"), "{prompt}");
        assert!(!prompt.contains("Focus:"), "{prompt}");
    }

    #[test]
    fn a_bare_incident_gives_a_short_prompt_and_kinds_add_a_focus() {
        let bare = Incident::new(1, "slow");
        let prompt = user_prompt(&bare, &AnalysisKind::disk("/var/log"));
        assert_eq!(
            prompt,
            "Incident #1: slow\nFocus: disk use below /var/log\n\n\
             Respond with the JSON array of recommendations."
        );
    }

    #[test]
    fn long_descriptions_are_cut() {
        let mut long = Incident::new(2, "x");
        long.description = "é".repeat(MAX_DESCRIPTION_CHARS + 50);
        let prompt = user_prompt(&long, &AnalysisKind::Automatic);
        assert_eq!(prompt.matches('é').count(), MAX_DESCRIPTION_CHARS);
    }
}
