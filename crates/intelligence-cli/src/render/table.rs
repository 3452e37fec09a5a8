//! An aligned, plain-text table whose cells may carry a colour.

use std::io::{self, Write};

use anstyle::Style;

use super::style;

/// Rows under a header; every column as wide as its widest cell.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<(String, Style)>>,
}

impl Table {
    /// A table with these column names.
    pub fn new(header: Vec<&'static str>) -> Self {
        Self {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row of uncoloured cells.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| (c, Style::new())).collect());
    }

    /// Adds a row whose cells carry a style each.
    pub fn styled_row(&mut self, cells: Vec<(String, Style)>) {
        self.rows.push(cells);
    }

    /// Writes the header and the rows, columns two spaces apart, no trailing
    /// spaces.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (cell, _)) in row.iter().enumerate() {
                let width = cell.chars().count();
                match widths.get_mut(i) {
                    Some(w) => *w = (*w).max(width),
                    None => widths.push(width),
                }
            }
        }

        let header: Vec<(String, Style)> = self
            .header
            .iter()
            .map(|h| ((*h).to_owned(), style::HEADING))
            .collect();
        write_row(out, &header, &widths)?;
        for row in &self.rows {
            write_row(out, row, &widths)?;
        }
        Ok(())
    }
}

fn write_row(out: &mut dyn Write, cells: &[(String, Style)], widths: &[usize]) -> io::Result<()> {
    // Empty cells at the end of a row would only leave trailing spaces.
    let last = cells.iter().rposition(|(c, _)| !c.is_empty()).unwrap_or(0);
    for (i, (cell, cell_style)) in cells.iter().enumerate().take(last + 1) {
        if i > 0 {
            write!(out, "  ")?;
        }
        write!(out, "{cell_style}{cell}{cell_style:#}")?;
        if i < last {
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(cell.chars().count());
            write!(out, "{:pad$}", "")?;
        }
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_without_trailing_spaces() {
        let mut table = Table::new(vec!["ID", "STATUS", "NOTE"]);
        table.row(vec!["1".into(), "succeeded".into(), "ok".into()]);
        table.row(vec!["22".into(), "failed".into(), "".into()]);
        let mut out = Vec::new();
        table.write(&mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        let plain = text.replace("\u{1b}[1m", "").replace("\u{1b}[0m", "");
        assert_eq!(
            plain,
            "ID  STATUS     NOTE\n1   succeeded  ok\n22  failed\n"
        );
    }
}
