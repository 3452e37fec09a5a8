//! Value parsers for flags that clap cannot check by type alone, and
//! clap's parse errors folded into one line.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use intelligence_core::IncidentId;

/// Parses a finite number of zero or more (`--threshold-mb`, `--old-days`).
pub fn non_negative_f64(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("{text} must be a finite number of 0 or more"));
    }
    Ok(value)
}

/// The most processes `--top-n` may ask for; the HTTP views allow the same.
pub const MAX_TOP_N: usize = 1000;

/// Parses `--top-n`: a whole number from 1 to [`MAX_TOP_N`].
pub fn top_n(text: &str) -> Result<usize, String> {
    let value: i128 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    usize::try_from(value)
        .ok()
        .filter(|n| (1..=MAX_TOP_N).contains(n))
        .ok_or_else(|| format!("{text} must be from 1 to {MAX_TOP_N}"))
}

/// One `--metadata key=value` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key, never empty.
    pub key: String,
    /// The value, kept as a string.
    pub value: String,
}

impl FromStr for KeyValue {
    type Err = KeyValueError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| KeyValueError(text.to_owned()))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(KeyValueError(text.to_owned()));
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }
}

/// A `--metadata` value without `key=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValueError(String);

impl fmt::Display for KeyValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected KEY=VALUE, got {:?}", self.0)
    }
}

impl std::error::Error for KeyValueError {}

/// Parses a one-line, non-blank text (`incidents add --title`,
/// `--severity`, `--status`, `runs list --provider`): a blank one would be
/// stored, or match nothing, without a word.
pub fn one_line_text(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("must not be blank".to_owned());
    }
    if text.contains(['\n', '\r']) {
        return Err(format!("{text:?} must be one line"));
    }
    Ok(text.to_owned())
}

/// Parses a `runs list` id filter (`--trace-id`, `--pipeline-run-id`): one
/// line, not blank, at most [`MAX_TRACE_ID_LEN`] characters. Looser than
/// [`trace_id`], since it only has to match what other writers stored.
pub fn id_filter(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("must not be blank".to_owned());
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "{text:?} must be one line without control characters"
        ));
    }
    if text.chars().count() > MAX_TRACE_ID_LEN {
        return Err(format!(
            "must be at most {MAX_TRACE_ID_LEN} characters, got {}",
            text.chars().count()
        ));
    }
    Ok(text.to_owned())
}

/// Parses an age (`--older-than`, and the ages of `--since` / `--until`):
/// a humantime duration (`30m`, `2h`, `7d`, `1week`) where every number
/// has its unit, `0` included (`0s`). Humantime alone takes a bare `0`
/// while refusing `00`, `0.0` and `1`; one rule is easier to remember.
pub fn age(text: &str) -> Result<humantime::Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Err("time unit needed, for example 0s or 1h".to_owned());
    }
    if text.starts_with('-') {
        return Err(format!(
            "{text} is negative; an age counts back from now, such as 1h"
        ));
    }
    text.parse::<humantime::Duration>()
        .map_err(|err| err.to_string())
}

/// Parses an incident id: a whole number of 1 or more (ids are assigned
/// from 1), so that `-1` is a usage error, not an incident not found.
pub fn incident_id(text: &str) -> Result<IncidentId, String> {
    let value: i64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    if value < 1 {
        return Err(format!("{text} must be 1 or more"));
    }
    Ok(value)
}

/// The instant every age on the command line counts back from, taken when
/// the first one is read: `--since 1h --until 1h` names one instant, not
/// two a few microseconds apart (which would pass as a window).
static COMMAND_LINE_NOW: LazyLock<chrono::DateTime<chrono::Utc>> = LazyLock::new(chrono::Utc::now);

/// Parses a point in time for `--since` / `--until`: an RFC 3339 time
/// (`2026-12-04T10:00:00Z`) or an age counted back from now (`90m`, `2h`,
/// `7d`; every age of one command line from the same now), between the
/// years 1 and 9999 (the range both backends store).
pub fn when(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::{Datelike, Utc};
    let expected = "expected an RFC 3339 time (2026-12-04T10:00:00Z) or an age such as 2h or 7d";
    let text = text.trim();
    let at = if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        time.with_timezone(&Utc)
    } else {
        let age = age(text).map_err(|_| format!("{expected}, got {text:?}"))?;
        chrono::Duration::from_std(*age)
            .ok()
            .and_then(|age| COMMAND_LINE_NOW.checked_sub_signed(age))
            .ok_or_else(|| format!("{text} reaches before the year 1"))?
    };
    if !(1..=9999).contains(&at.year()) {
        return Err(format!("{text} is outside the years 1 to 9999"));
    }
    Ok(at)
}

/// The longest `--trace-id`, as for the HTTP views' `X-Request-Id`.
pub const MAX_TRACE_ID_LEN: usize = 200;

/// Parses a `--trace-id`: 1 to [`MAX_TRACE_ID_LEN`] visible ASCII
/// characters, the rule the HTTP views apply to `X-Request-Id`, so that a
/// trace id never breaks a table line or a log line.
pub fn trace_id(text: &str) -> Result<String, String> {
    let rule = format!("must be 1 to {MAX_TRACE_ID_LEN} visible ASCII characters (no spaces)");
    if text.is_empty() {
        return Err(format!("{rule}, got an empty one"));
    }
    if let Some(bad) = text.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("{rule}, got {bad:?} in {text:?}"));
    }
    if text.len() > MAX_TRACE_ID_LEN {
        return Err(format!("{rule}, got {} characters", text.len()));
    }
    Ok(text.to_owned())
}

/// Parses an `--alert NAME[=DESCRIPTION]` whose name is not blank.
pub fn alert(text: &str) -> Result<String, String> {
    let name = text.split_once('=').map_or(text, |(name, _)| name);
    if name.trim().is_empty() {
        return Err(format!(
            "expected NAME[=DESCRIPTION] with a name, got {text:?}"
        ));
    }
    Ok(text.to_owned())
}

/// Clap's rendered error (`error: ...`, indented items, a tip, a usage
/// block, "For more information...") as one line without the `error: `
/// prefix: items follow their heading, other lines are joined with `; `,
/// and the usage block and the help hint are dropped.
pub fn one_line_usage_error(rendered: &str) -> String {
    let mut line = String::new();
    for text in rendered.lines().map(str::trim) {
        if text.starts_with("Usage:") || text.starts_with("For more information") {
            break;
        }
        if text.is_empty() {
            continue;
        }
        let text = text.strip_prefix("error: ").unwrap_or(text);
        if line.is_empty() {
            line.push_str(text);
        } else {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
            line.push_str(text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_filters_are_one_non_blank_line() {
        assert_eq!(id_filter("run 42").as_deref(), Ok("run 42"));
        for bad in ["", "  ", "a\nb", "tab\there"] {
            assert!(id_filter(bad).is_err(), "{bad:?}");
        }
        assert!(id_filter(&"x".repeat(MAX_TRACE_ID_LEN + 1)).is_err());
    }

    #[test]
    fn when_reads_a_time_or_an_age() {
        let at = when("2026-12-04T10:00:00Z").expect("rfc 3339");
        assert_eq!(at.to_rfc3339(), "2026-12-04T10:00:00+00:00");
        let offset = when("2026-12-04T12:00:00+02:00").expect("with an offset");
        assert_eq!(offset, at);
        let ago = when("2h").expect("an age");
        let expected = chrono::Utc::now() - chrono::Duration::hours(2);
        assert!((ago - expected).num_seconds().abs() < 60, "{ago}");
        for bad in ["yesterday", "", "-1h", "100000years"] {
            assert!(when(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_age_needs_a_unit_zero_included() {
        assert_eq!(*age("0s").expect("0s"), std::time::Duration::ZERO);
        assert_eq!(
            *age("2h").expect("2h"),
            std::time::Duration::from_secs(7200)
        );
        for bad in ["0", " 0 ", "00", "0.0", "1", "-1h", "", "soon"] {
            assert!(age(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            age("0"),
            Err("time unit needed, for example 0s or 1h".to_owned())
        );
        assert!(
            age("-1h").is_err_and(|err| err.contains("negative")),
            "-1h is named negative, not 'expected number at 0'"
        );
        assert!(when("0").is_err(), "--since 0 too");
        assert!(when("0s").is_ok());
    }

    #[test]
    fn incident_ids_are_one_or_more() {
        assert_eq!(incident_id("7"), Ok(7));
        for bad in ["0", "-1", "x", ""] {
            assert!(incident_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn blank_values_are_refused() {
        assert_eq!(one_line_text("critical").as_deref(), Ok("critical"));
        for bad in ["", "  ", "\t", "a\nb"] {
            assert!(one_line_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn trace_ids_are_short_visible_ascii() {
        assert_eq!(trace_id("ticket-42").as_deref(), Ok("ticket-42"));
        assert!(trace_id(&"x".repeat(MAX_TRACE_ID_LEN)).is_ok());
        for bad in ["", "a b", "a\nb", "caf\u{e9}"] {
            assert!(trace_id(bad).is_err(), "{bad:?}");
        }
        assert!(trace_id(&"x".repeat(MAX_TRACE_ID_LEN + 1)).is_err());
        // The message names what is wrong, not a length that is fine.
        let spaced = trace_id("has space").expect_err("a space");
        assert!(spaced.ends_with("got ' ' in \"has space\""), "{spaced}");
        let long = trace_id(&"x".repeat(MAX_TRACE_ID_LEN + 1)).expect_err("long");
        assert!(long.ends_with("got 201 characters"), "{long}");
    }

    #[test]
    fn titles_are_one_non_blank_line_and_alerts_have_names() {
        assert_eq!(one_line_text("Disk low").as_deref(), Ok("Disk low"));
        assert!(one_line_text("").is_err());
        assert_eq!(one_line_text("  "), Err("must not be blank".to_owned()));
        assert!(one_line_text("a\nb").is_err());
        assert_eq!(
            alert("DiskFull=/ above 95%").as_deref(),
            Ok("DiskFull=/ above 95%")
        );
        assert_eq!(alert("DiskFull").as_deref(), Ok("DiskFull"));
        assert!(alert("=x").is_err());
        assert!(alert("").is_err());
    }

    #[test]
    fn a_clap_error_folds_into_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  --title <TITLE>\n\nUsage: intelligence incidents add --title <TITLE>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_usage_error(rendered),
            "the following required arguments were not provided: --title <TITLE>"
        );
        let rendered = "error: unexpected argument '--nope' found\n\n  tip: to pass '--nope' as a value, use '-- --nope'\n\nUsage: x\n";
        assert_eq!(
            one_line_usage_error(rendered),
            "unexpected argument '--nope' found; tip: to pass '--nope' as a value, use '-- --nope'"
        );
    }

    #[test]
    fn numbers_must_be_finite_and_not_negative() {
        assert_eq!(non_negative_f64("0.5"), Ok(0.5));
        assert_eq!(non_negative_f64("0"), Ok(0.0));
        assert!(non_negative_f64("abc").is_err());
        assert!(non_negative_f64("-1").is_err());
        assert!(non_negative_f64("inf").is_err());
        assert!(non_negative_f64("NaN").is_err());
    }

    #[test]
    fn metadata_splits_at_the_first_equals_sign() {
        let pair: KeyValue = "query=a=b".parse().expect("pair");
        assert_eq!(pair.key, "query");
        assert_eq!(pair.value, "a=b");
        let empty: KeyValue = "note=".parse().expect("empty value");
        assert_eq!(empty.value, "");
        assert!("novalue".parse::<KeyValue>().is_err());
        assert!("=x".parse::<KeyValue>().is_err());
    }
}
