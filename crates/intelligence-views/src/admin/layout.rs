//! The page frame shared by the admin pages, and small formatting helpers.

use chrono::{DateTime, SecondsFormat, Utc};
use maud::{DOCTYPE, Markup, html};

/// Inline styles: the pages load nothing else.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}pre{margin:0;white-space:pre-wrap;word-break:break-word}\
.status-failed{color:#a00}.status-succeeded{color:#070}\
form{margin:1rem 0}nav{margin:1rem 0}";

/// A complete page titled `title` around `body`.
pub(crate) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " | intelligence admin" }
                style { (STYLE) }
            }
            body {
                h1 { (title) }
                (body)
            }
        }
    }
}

/// A time as RFC 3339 in UTC, to the second.
pub(crate) fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A duration in milliseconds, or a dash when unknown.
pub(crate) fn duration(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms"))
}
