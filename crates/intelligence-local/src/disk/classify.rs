//! Old-file classification by the file's own name and its directory's
//! name, never by a substring anywhere in the full path.
//!
//! - **log**: the name ends in `.log`, or is a rotation of a log (`.log.1`,
//!   `.log.gz`, `.log.3.gz`, or any numbered and compressed name such as
//!   `syslog.2.gz`); or the file sits in a `log` or `logs` directory
//!   (`/var/log/messages.1`);
//! - **cache**: the file sits in a directory named `cache`, `.cache`,
//!   `*cache` or `__pycache__`, or is named `*.cache`;
//! - **temp**: the name ends in `.tmp`, `.temp`, `.swp` or `~`, or the file
//!   sits in a `tmp`, `temp` or `.tmp` directory;
//! - **other**: anything else.
//!
//! The file's name decides first (a log under `/tmp` is a log). A directory
//! passes its kind down to the directories below it until one of them has a
//! kind of its own, so `/var/cache/apt/archives/x.deb` is cache.

use std::ffi::OsStr;

/// What kind of old file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A log or a rotated log.
    Log,
    /// A cache entry.
    Cache,
    /// A temporary file.
    Temp,
    /// Anything else.
    Other,
}

impl FileKind {
    /// The lowercase name used in `details.old_files[].file_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Cache => "cache",
            Self::Temp => "temp",
            Self::Other => "other",
        }
    }
}

const COMPRESSED: [&str; 4] = [".gz", ".xz", ".bz2", ".zst"];

/// The kind a directory gives the files in it (and, through
/// [`dir_hint`]'s caller, the directories below it), if any.
pub fn dir_hint(name: &OsStr) -> Option<FileKind> {
    let name = name.to_string_lossy().to_ascii_lowercase();
    match name.as_str() {
        "log" | "logs" => Some(FileKind::Log),
        "tmp" | "temp" | ".tmp" => Some(FileKind::Temp),
        "__pycache__" => Some(FileKind::Cache),
        n if n.ends_with("cache") => Some(FileKind::Cache),
        _ => None,
    }
}

/// The kind of a file named `name` whose directory (or nearest ancestor
/// with a kind) says `hint`.
pub fn classify(name: &OsStr, hint: Option<FileKind>) -> FileKind {
    let name = name.to_string_lossy().to_ascii_lowercase();
    if is_log_name(&name) {
        return FileKind::Log;
    }
    if name.ends_with(".cache") {
        return FileKind::Cache;
    }
    if name.ends_with(".tmp")
        || name.ends_with(".temp")
        || name.ends_with(".swp")
        || name.ends_with('~')
    {
        return FileKind::Temp;
    }
    hint.unwrap_or(FileKind::Other)
}

fn is_log_name(name: &str) -> bool {
    let mut stem = name;
    let compressed = match COMPRESSED.iter().find_map(|ext| stem.strip_suffix(ext)) {
        Some(s) => {
            stem = s;
            true
        }
        None => false,
    };
    let numbered = match stem.rsplit_once('.') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => {
            stem = head;
            true
        }
        _ => false,
    };
    // `app.log`, `app.log.1`, `app.log.gz`, and a numbered, compressed
    // rotation of any name (`syslog.2.gz`).
    stem.ends_with(".log") || (compressed && numbered && !stem.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, dir: &str) -> FileKind {
        classify(OsStr::new(name), dir_hint(OsStr::new(dir)))
    }

    #[test]
    fn classifies_by_name_then_directory() {
        use FileKind::*;
        let table = [
            ("app.log", "srv", Log),
            ("app.log.1", "srv", Log),
            ("app.log.2.gz", "srv", Log),
            ("app.log.gz", "srv", Log),
            ("syslog.2.gz", "srv", Log),
            ("messages.1", "log", Log),
            ("messages.1", "srv", Other),
            ("python3.11", "srv", Other),
            ("messages", "log", Log),
            ("app.log", "tmp", Log),
            ("app.log", "cache", Log),
            ("blob", "cache", Cache),
            ("blob", ".cache", Cache),
            ("blob", "pip-cache", Cache),
            ("thumbs.cache", "srv", Cache),
            ("x.tmp", "srv", Temp),
            ("notes.txt~", "srv", Temp),
            ("blob", "tmp", Temp),
            ("backup.tar.gz", "srv", Other),
            ("catalog.db", "srv", Other),
            ("release-1.2", "srv", Other),
            ("blog.html", "srv", Other),
            ("dialog.bin", "catalogs", Other),
        ];
        for (name, dir, expected) in table {
            assert_eq!(kind(name, dir), expected, "{dir}/{name}");
        }
    }

    #[test]
    fn names_are_lowercase() {
        let all = [
            FileKind::Log,
            FileKind::Cache,
            FileKind::Temp,
            FileKind::Other,
        ];
        let names: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["log", "cache", "temp", "other"]);
    }
}
