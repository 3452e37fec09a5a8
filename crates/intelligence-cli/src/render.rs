//! Output: JSON for `--json`, and the human renderings (numbered
//! recommendations, aligned tables, one record in full).
//!
//! Renderers write to any `io::Write`; the commands hand them an
//! `anstream` stream, which drops the colours when stdout is not a terminal
//! or `NO_COLOR` is set.

mod detail;
mod recommendations;
pub mod style;
mod table;

use std::io::{self, Write};

use serde::Serialize;

pub use detail::{incident, run};
pub use recommendations::{Section, analysis};
pub use table::Table;

/// Writes `value` as pretty JSON and a newline. A write error keeps its
/// kind (`From` returns serde_json's underlying I/O error), so a closed pipe
/// is still recognised as one.
pub fn json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// A time as `2026-12-03 14:05:09` (UTC).
pub fn time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Cuts `text` to at most `max` characters, ending in `…` when cut, and
/// folds it onto one line.
pub fn cut(text: &str, max: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() <= max {
        return line;
    }
    let mut short: String = line.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_short_text_and_marks_what_it_cuts() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("a\nb", 10), "a b");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
        assert_eq!(cut("ééééé", 3).chars().count(), 3);
    }
}
