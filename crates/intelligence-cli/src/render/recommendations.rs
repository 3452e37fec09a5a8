//! Numbered recommendations, as a person reads them: priority, type, title,
//! description, the first five processes, large items or old files, and the
//! actions.

use std::fmt::Write as _;
use std::io::{self, Write};

use intelligence_core::{Fallback, Recommendation, RunId};
use serde_json::Value;

use super::{cut, style};

/// The evidence lists shown under a recommendation: their key, heading,
/// and the key of the total they were cut from, when there is one.
const LISTS: [(&str, &str, Option<&str>); 3] = [
    ("top_processes", "Top processes", None),
    ("large_items", "Large items", Some("total_items")),
    ("old_files", "Old files", Some("total_files")),
];

/// How many entries of each evidence list are shown.
const SHOWN: usize = 5;

/// One analysis as the human output shows it.
#[derive(Debug)]
pub struct Section<'a> {
    /// What was analysed: `memory analysis`, `general scan`, ...
    pub heading: String,
    /// The run's audit record.
    pub run_id: RunId,
    /// How long the analysis took.
    pub duration_ms: u64,
    /// The findings.
    pub recommendations: &'a [Recommendation],
    /// Set when the provider answered with a stand-in.
    pub fallback: Option<&'a Fallback>,
}

/// Writes a heading and the numbered recommendations.
pub fn analysis(out: &mut dyn Write, section: &Section<'_>) -> io::Result<()> {
    let heading = style::HEADING;
    let dim = style::DIM;
    writeln!(
        out,
        "{heading}{}{heading:#} {dim}(run {}, {} ms){dim:#}",
        section.heading, section.run_id, section.duration_ms
    )?;
    if let Some(fallback) = section.fallback {
        writeln!(
            out,
            "  {dim}fallback answer: {} ({}){dim:#}",
            fallback.message, fallback.error_type
        )?;
    }
    if section.recommendations.is_empty() {
        writeln!(out, "  no recommendations")?;
    }
    for (i, rec) in section.recommendations.iter().enumerate() {
        recommendation(out, i + 1, rec)?;
    }
    Ok(())
}

fn recommendation(out: &mut dyn Write, number: usize, rec: &Recommendation) -> io::Result<()> {
    let prio = style::priority(rec.priority);
    let heading = style::HEADING;
    writeln!(
        out,
        "{number:>3}. {prio}[{}]{prio:#} {} {heading}{}{heading:#}",
        rec.priority.as_str().to_uppercase(),
        rec.kind,
        rec.title
    )?;
    if !rec.description.is_empty() {
        writeln!(out, "     {}", rec.description)?;
    }

    for (key, title, total_key) in LISTS {
        let Some(items) = rec.details.get(key).and_then(Value::as_array) else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        writeln!(out, "     {title}:")?;
        for item in items.iter().take(SHOWN) {
            writeln!(out, "       - {}", item_line(item))?;
        }
        // The list may itself be the top entries of a larger total.
        let total = total_key
            .and_then(|k| rec.details.get(k))
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .map_or(items.len(), |n| n.max(items.len()));
        if total > SHOWN {
            writeln!(out, "       ... and {} more", total - SHOWN)?;
        }
    }

    let facts = facts(&rec.details);
    if !facts.is_empty() {
        let dim = style::DIM;
        writeln!(out, "     {dim}{facts}{dim:#}")?;
    }

    if !rec.actions.is_empty() {
        writeln!(out, "     Actions:")?;
        for action in &rec.actions {
            writeln!(out, "       * {action}")?;
        }
    }
    Ok(())
}

/// One process, large item or old file on one line, from the fields it has.
fn item_line(item: &Value) -> String {
    let Some(fields) = item.as_object() else {
        return cut(&item.to_string(), 120);
    };
    let number = |key: &str| fields.get(key).and_then(Value::as_f64);
    let text = |key: &str| fields.get(key).and_then(Value::as_str);

    let mut line = String::new();
    if let Some(pid) = fields.get("pid").and_then(Value::as_i64) {
        let _ = write!(line, "pid {pid:<7}");
    }
    if let Some(size) = number("size_mb").or_else(|| number("memory_mb")) {
        let _ = write!(line, "{size:>9.1} MB  ");
    }
    if let Some(percent) = number("memory_percent") {
        let _ = write!(line, "{percent:>5.1}% mem  ");
    }
    if let Some(percent) = number("cpu_percent") {
        let _ = write!(line, "{percent:>5.1}% cpu  ");
    }
    if let Some(days) = number("days_old").or_else(|| number("modified_days_ago")) {
        let _ = write!(line, "{days:>5.0} days  ");
    }
    if let Some(kind) = text("file_type") {
        let _ = write!(line, "{kind:<6} ");
    }
    if let Some(name) = text("path").or_else(|| text("name")) {
        line.push_str(name);
        let is_dir = fields.get("is_directory").and_then(Value::as_bool);
        if is_dir == Some(true) && !name.ends_with('/') {
            line.push('/');
        }
    }
    let line = line.trim_end();
    if line.is_empty() {
        cut(&item.to_string(), 120)
    } else {
        cut(line, 160)
    }
}

/// The details that are not lists, as `key: value` pairs on one line.
fn facts(details: &Value) -> String {
    let Some(fields) = details.as_object() else {
        return String::new();
    };
    fields
        .iter()
        .filter(|(key, _)| !LISTS.iter().any(|(list, _, _)| list == key))
        .filter(|(_, value)| !value.is_null() && !value.is_object())
        .map(|(key, value)| match value {
            Value::String(text) => format!("{key}: {}", cut(text, 80)),
            Value::Number(n) => match n.as_f64() {
                // What the details hold, rounded once to two decimals
                // (providers round there already), so that the line agrees
                // with the description above it.
                Some(f) if n.is_f64() => format!("{key}: {}", (f * 100.0).round() / 100.0),
                _ => format!("{key}: {n}"),
            },
            other => format!("{key}: {}", cut(&other.to_string(), 80)),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use intelligence_core::{Priority, RecommendationType};
    use serde_json::json;

    fn render(rec: Recommendation) -> String {
        let recs = [rec];
        let section = Section {
            heading: "memory analysis".into(),
            run_id: RunId::new(),
            duration_ms: 3,
            recommendations: &recs,
            fallback: None,
        };
        let mut out = Vec::new();
        analysis(&mut out, &section).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn shows_the_first_five_processes_and_counts_the_rest() {
        let processes: Vec<Value> = (1..=7)
            .map(|pid| json!({"pid": pid, "name": format!("proc{pid}"), "memory_mb": 10.0 * f64::from(pid), "memory_percent": 1.5}))
            .collect();
        let rec = Recommendation::new(
            RecommendationType::Memory,
            Priority::High,
            "Memory is tight",
            "85% used",
        )
        .with_details(json!({"top_processes": processes, "total_memory_percent": 12.25}))
        .with_actions(["restart proc7"]);
        let text = render(rec);
        assert!(text.contains("[HIGH]"), "{text}");
        assert!(text.contains("proc5"), "{text}");
        assert!(!text.contains("proc6"), "{text}");
        assert!(text.contains("... and 2 more"), "{text}");
        assert!(text.contains("total_memory_percent: 12.2"), "{text}");
        assert!(text.contains("* restart proc7"), "{text}");
    }

    #[test]
    fn marks_directories_among_large_items() {
        let rec = Recommendation::new(RecommendationType::Disk, Priority::Low, "t", "")
            .with_details(
                json!({"large_items": [{"path": "/var/lib", "size_mb": 300.0, "is_directory": true}]}),
            );
        let text = render(rec);
        assert!(text.contains("300.0 MB  /var/lib/"), "{text}");
    }

    #[test]
    fn old_files_show_age_and_kind() {
        let rec = Recommendation::new(RecommendationType::Disk, Priority::Medium, "t", "")
            .with_details(json!({"old_files": [
                {"path": "/var/log/a.log", "size_mb": 2.0, "days_old": 60, "file_type": "log"}
            ], "total_files": 407}));
        let text = render(rec);
        assert!(
            text.contains("2.0 MB     60 days  log    /var/log/a.log"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_analysis_says_so() {
        let section = Section {
            heading: "cpu analysis".into(),
            run_id: RunId::new(),
            duration_ms: 0,
            recommendations: &[],
            fallback: None,
        };
        let mut out = Vec::new();
        analysis(&mut out, &section).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("no recommendations"), "{text}");
    }
}
