//! Parsing of query parameters that arrive as strings, with errors that
//! name the parameter and the value given. An empty value counts as absent.

use chrono::{DateTime, Utc};
use intelligence_core::{IncidentId, RunStatus};

use crate::error::ViewsError;

/// The largest `top_n` accepted.
pub const MAX_TOP_N: u64 = 1000;

/// `value` unless it is absent or blank.
pub(crate) fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A count between 0 and `max`.
pub(crate) fn count(
    field: &'static str,
    value: Option<&str>,
    max: u64,
) -> Result<Option<u64>, ViewsError> {
    let Some(text) = present(value) else {
        return Ok(None);
    };
    let n: u64 = text.parse().map_err(|_| {
        if text.bytes().all(|b| b.is_ascii_digit()) {
            // Digits only: a valid count, too large even for u64.
            ViewsError::invalid(field, format!("{text} is larger than the maximum {max}"))
        } else {
            ViewsError::invalid(field, format!("{text:?} is not a non-negative integer"))
        }
    })?;
    if n > max {
        return Err(ViewsError::invalid(
            field,
            format!("{n} is larger than the maximum {max}"),
        ));
    }
    Ok(Some(n))
}

/// A finite, non-negative number.
pub(crate) fn number(field: &'static str, value: Option<&str>) -> Result<Option<f64>, ViewsError> {
    let Some(text) = present(value) else {
        return Ok(None);
    };
    let n: f64 = text
        .parse()
        .map_err(|_| ViewsError::invalid(field, format!("{text:?} is not a number")))?;
    if !n.is_finite() || n < 0.0 {
        return Err(ViewsError::invalid(
            field,
            format!("{text:?} must be a finite, non-negative number"),
        ));
    }
    Ok(Some(n))
}

/// An incident id.
pub(crate) fn incident_id(value: Option<&str>) -> Result<Option<IncidentId>, ViewsError> {
    let Some(text) = present(value) else {
        return Ok(None);
    };
    text.parse()
        .map(Some)
        .map_err(|_| ViewsError::invalid("incident_id", format!("{text:?} is not an integer")))
}

/// A run status.
pub(crate) fn status(value: Option<&str>) -> Result<Option<RunStatus>, ViewsError> {
    let Some(text) = present(value) else {
        return Ok(None);
    };
    text.parse()
        .map(Some)
        .map_err(|err| ViewsError::invalid("status", format!("{err}")))
}

/// An RFC 3339 time.
pub(crate) fn time(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<DateTime<Utc>>, ViewsError> {
    let Some(text) = present(value) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|err| {
            ViewsError::invalid(field, format!("{text:?} is not an RFC 3339 time: {err}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_refuse_words_negatives_and_huge_values() {
        assert_eq!(count("top_n", Some("5"), 10).expect("ok"), Some(5));
        assert_eq!(count("top_n", Some(" "), 10).expect("blank"), None);
        for bad in ["ten", "-1", "11", "99999999999999999999999", "2.5"] {
            let err = count("top_n", Some(bad), 10).expect_err(bad);
            assert!(err.to_string().contains("top_n"), "{err}");
        }
        // A huge count is too large, not "not an integer".
        let err = count("top_n", Some("99999999999999999999999"), 10).expect_err("huge");
        assert!(
            err.to_string().contains("larger than the maximum 10"),
            "{err}"
        );
    }

    #[test]
    fn numbers_must_be_finite_and_not_negative() {
        assert_eq!(number("x", Some("0.5")).expect("ok"), Some(0.5));
        for bad in ["abc", "-1", "NaN", "inf"] {
            assert!(number("x", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_ids_and_times_parse() {
        assert_eq!(status(Some("failed")).expect("ok"), Some(RunStatus::Failed));
        assert!(status(Some("done")).is_err());
        assert_eq!(incident_id(Some("42")).expect("ok"), Some(42));
        assert!(incident_id(Some("abc")).is_err());
        assert!(
            time("t", Some("2026-01-02T03:04:05Z"))
                .expect("ok")
                .is_some()
        );
        assert!(time("t", Some("yesterday")).is_err());
    }
}
