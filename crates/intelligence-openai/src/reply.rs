//! Turns the model's reply text into recommendations.
//!
//! Accepted: a JSON array of objects, a single object, an object holding a
//! `recommendations` array, any of these inside a Markdown code fence or
//! surrounded by prose. An unknown `type` becomes `general`, an unknown
//! `priority` `medium`; an item without a description is skipped; `actions`
//! given as a string becomes a one-item list. A reply that is not JSON, or
//! whose items are all unusable, becomes one `general` recommendation holding
//! the reply text cut to [`MAX_TEXT_CHARS`] characters. A reply cut off at
//! `max_tokens` keeps the items that arrived complete.

use intelligence_core::{IncidentId, Priority, Recommendation, RecommendationType};
use serde_json::{Map, Value};

use crate::error::OpenAiError;
use crate::text::cut;

/// The longest reply text kept when the reply is not JSON.
pub const MAX_TEXT_CHARS: usize = 500;
/// The title of the recommendation that holds a non-JSON reply.
pub const TEXT_TITLE: &str = "AI analysis";
/// Titles derived from a description are cut to this many characters.
const DERIVED_TITLE_CHARS: usize = 80;

/// The recommendations read from a reply, and how many items were unusable.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The usable items, in the model's order.
    pub recommendations: Vec<Recommendation>,
    /// Items that were skipped: not objects, or without a description.
    pub skipped: usize,
    /// Whether the reply was plain text kept as one recommendation.
    pub as_text: bool,
}

/// Reads `content`, the reply's text. `cut_off` says the model stopped at
/// `max_tokens` (`finish_reason: "length"`); such a reply, when it is JSON
/// that never closes, keeps its complete items, and is
/// [`OpenAiError::Truncated`] when it has none.
pub fn parse(
    content: &str,
    incident_id: Option<IncidentId>,
    cut_off: bool,
    max_tokens: u32,
) -> Result<Parsed, OpenAiError> {
    let body = unfence(content);
    let Some(value) = parse_json(body) else {
        if cut_off && body.starts_with(['[', '{']) {
            let salvaged = salvage_array(body);
            let parsed = from_items(&salvaged, incident_id);
            if parsed.recommendations.is_empty() {
                return Err(OpenAiError::Truncated { max_tokens });
            }
            return Ok(parsed);
        }
        return Ok(as_text(content, incident_id));
    };

    let items = match value {
        Value::Array(items) => items,
        Value::Object(map) => match map.get("recommendations") {
            Some(Value::Array(items)) if !map.contains_key("description") => items.clone(),
            _ => vec![Value::Object(map)],
        },
        _ => return Ok(as_text(content, incident_id)),
    };
    let parsed = from_items(&items, incident_id);
    if !items.is_empty() && parsed.recommendations.is_empty() {
        // Something came back, none of it usable: keep the text rather than
        // answering with nothing.
        let mut text = as_text(content, incident_id);
        text.skipped = parsed.skipped;
        return Ok(text);
    }
    Ok(parsed)
}

fn from_items(items: &[Value], incident_id: Option<IncidentId>) -> Parsed {
    let recommendations: Vec<Recommendation> = items
        .iter()
        .filter_map(|item| {
            item.as_object()
                .and_then(|obj| recommendation(obj, incident_id))
        })
        .collect();
    Parsed {
        skipped: items.len() - recommendations.len(),
        recommendations,
        as_text: false,
    }
}

fn recommendation(
    obj: &Map<String, Value>,
    incident_id: Option<IncidentId>,
) -> Option<Recommendation> {
    let description = obj.get("description")?.as_str()?.trim();
    if description.is_empty() {
        return None;
    }
    let kind = string(obj, "type")
        .and_then(|s| s.parse().ok())
        .unwrap_or(RecommendationType::General);
    let priority = string(obj, "priority")
        .and_then(|s| s.parse().ok())
        .unwrap_or(Priority::Medium);
    let title = string(obj, "title")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| cut(description, DERIVED_TITLE_CHARS));
    let actions: Vec<String> = match obj.get("actions") {
        Some(Value::String(action)) => vec![action.trim().to_owned()],
        Some(Value::Array(actions)) => actions
            .iter()
            .filter_map(Value::as_str)
            .map(|a| a.trim().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let mut rec = Recommendation::new(kind, priority, title, description)
        .with_actions(actions.into_iter().filter(|a| !a.is_empty()))
        .with_incident(incident_id);
    if let Some(details @ Value::Object(_)) = obj.get("details") {
        rec = rec.with_details(details.clone());
    }
    Some(rec)
}

fn string<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn as_text(content: &str, incident_id: Option<IncidentId>) -> Parsed {
    let rec = Recommendation::new(
        RecommendationType::General,
        Priority::Medium,
        TEXT_TITLE,
        cut(content.trim(), MAX_TEXT_CHARS),
    )
    .with_incident(incident_id);
    Parsed {
        recommendations: vec![rec],
        skipped: 0,
        as_text: true,
    }
}

/// The inside of the first Markdown code fence, or the whole text. A fence
/// that never closes (a cut-off reply) runs to the end.
fn unfence(text: &str) -> &str {
    let Some(open) = text.find("```") else {
        return text.trim();
    };
    let after = &text[open + 3..];
    // Skip the info string (`json`) up to the end of the line.
    let body = match after.find('\n') {
        Some(newline) => &after[newline + 1..],
        None => after.trim_start_matches(|c: char| c.is_ascii_alphanumeric()),
    };
    match body.find("```") {
        Some(close) => body[..close].trim(),
        None => body.trim(),
    }
}

/// The text as JSON; failing that, the span from the first `[` or `{` to the
/// last matching bracket, for JSON wrapped in prose.
fn parse_json(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    let start = text.find(['[', '{'])?;
    let close = if text[start..].starts_with('[') {
        ']'
    } else {
        '}'
    };
    let end = text.rfind(close)?;
    if end <= start {
        return None;
    }
    serde_json::from_str(&text[start..=end]).ok()
}

/// The complete elements at the start of a JSON array whose end is missing.
fn salvage_array(text: &str) -> Vec<Value> {
    let Some(start) = text.find('[') else {
        return Vec::new();
    };
    let mut rest = &text[start + 1..];
    let mut items = Vec::new();
    loop {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let Some(Ok(item)) = stream.next() else {
            break;
        };
        items.push(item);
        let after = rest[stream.byte_offset()..].trim_start();
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => break,
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(content: &str) -> Parsed {
        parse(content, Some(7), false, 1024).expect("parses")
    }

    #[test]
    fn reads_an_array_of_full_items() {
        let parsed = ok(
            r#"[{"type":"disk","priority":"high","title":"Clean /var/log",
            "description":"logs fill the disk","actions":["rotate logs","delete old dumps"],
            "details":{"path":"/var/log"}}]"#,
        );
        let rec = &parsed.recommendations[0];
        assert_eq!(rec.kind, RecommendationType::Disk);
        assert_eq!(rec.priority, Priority::High);
        assert_eq!(rec.title, "Clean /var/log");
        assert_eq!(rec.description, "logs fill the disk");
        assert_eq!(rec.actions, ["rotate logs", "delete old dumps"]);
        assert_eq!(rec.details["path"], "/var/log");
        assert_eq!(rec.incident_id, Some(7));
        assert_eq!(parsed.skipped, 0);
        assert!(!parsed.as_text);
    }

    #[test]
    fn lenient_fields() {
        let parsed = ok(r#"[
            {"type":"Quantum","priority":"urgent","description":"d1","actions":"restart it"},
            {"type":"MEMORY","priority":"Critical","title":"  ","description":"d2","actions":[1,"a",""]},
            {"title":"no description"},
            {"description":"   "},
            {"description": 5}
        ]"#);
        assert_eq!(parsed.recommendations.len(), 2);
        assert_eq!(parsed.skipped, 3);
        let (first, second) = (&parsed.recommendations[0], &parsed.recommendations[1]);
        assert_eq!(first.kind, RecommendationType::General);
        assert_eq!(first.priority, Priority::Medium);
        assert_eq!(
            first.title, "d1",
            "a missing title is derived from the description"
        );
        assert_eq!(first.actions, ["restart it"]);
        assert_eq!(second.kind, RecommendationType::Memory);
        assert_eq!(second.priority, Priority::Critical);
        assert_eq!(second.actions, ["a"]);
    }

    #[test]
    fn a_single_object_and_a_wrapped_array() {
        assert_eq!(ok(r#"{"description":"one"}"#).recommendations.len(), 1);
        let wrapped = ok(r#"{"recommendations":[{"description":"a"},{"description":"b"}]}"#);
        assert_eq!(wrapped.recommendations.len(), 2);
    }

    #[test]
    fn code_fences_and_prose_around_json() {
        for content in [
            "```json\n[{\"description\":\"fenced\"}]\n```",
            "Here you go:\n```\n{\"description\":\"fenced\"}\n```\nGood luck.",
            "```json [{\"description\":\"fenced\"}]```",
            "Sure! [{\"description\":\"fenced\"}] Hope this helps.",
        ] {
            let parsed = ok(content);
            assert_eq!(parsed.recommendations.len(), 1, "{content}");
            assert_eq!(parsed.recommendations[0].description, "fenced", "{content}");
        }
    }

    #[test]
    fn plain_text_becomes_one_general_recommendation_cut_to_500() {
        let text = format!("  Restart the database. {}", "x".repeat(600));
        let parsed = ok(&text);
        assert!(parsed.as_text);
        let rec = &parsed.recommendations[0];
        assert_eq!(rec.kind, RecommendationType::General);
        assert_eq!(rec.title, TEXT_TITLE);
        assert_eq!(rec.description.chars().count(), MAX_TEXT_CHARS);
        assert!(rec.description.starts_with("Restart the database."));
    }

    #[test]
    fn empty_arrays_and_arrays_of_non_objects() {
        let empty = ok("[]");
        assert!(empty.recommendations.is_empty());
        assert!(!empty.as_text);

        let junk = ok(r#"[1, "restart", null, [2]]"#);
        assert!(junk.as_text);
        assert_eq!(junk.skipped, 4);
        assert_eq!(
            junk.recommendations[0].description,
            r#"[1, "restart", null, [2]]"#
        );

        let mixed = ok(r#"["restart", {"description":"kept"}]"#);
        assert_eq!(mixed.recommendations.len(), 1);
        assert_eq!(mixed.skipped, 1);

        assert!(ok(r#""just a string""#).as_text);
    }

    #[test]
    fn a_cut_off_reply_keeps_its_complete_items() {
        let content = "```json\n[{\"description\":\"first\"}, {\"description\":\"sec";
        let parsed = parse(content, None, true, 64).expect("salvaged");
        assert_eq!(parsed.recommendations.len(), 1);
        assert_eq!(parsed.recommendations[0].description, "first");

        let nothing = parse("[{\"description\":\"fir", None, true, 64).expect_err("nothing");
        assert_eq!(nothing, OpenAiError::Truncated { max_tokens: 64 });

        let prose = parse("The database is slow beca", None, true, 64).expect("prose");
        assert!(prose.as_text, "cut-off prose is still worth reading");
    }
}
