//! The walk's inputs and outputs: how it opens directories
//! ([`DirReader`]), what it looks for ([`WalkSpec`]), and what it found
//! ([`WalkOutcome`], [`LargeItem`], [`OldFile`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::disk::classify::FileKind;

/// How a walk opens directories. [`RealFs`] reads the real filesystem; tests
/// wrap it to inject errors that root cannot otherwise be made to see.
pub(crate) trait DirReader: Sync {
    /// Opens `path` for listing.
    fn read_dir(&self, path: &Path) -> io::Result<fs::ReadDir>;
}

/// The real filesystem.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RealFs;

impl DirReader for RealFs {
    fn read_dir(&self, path: &Path) -> io::Result<fs::ReadDir> {
        fs::read_dir(path)
    }
}

/// What to look for.
#[derive(Debug, Clone)]
pub(crate) struct WalkSpec {
    /// Allocated size above which an item is large; `None` looks for no
    /// large items.
    pub large_over_bytes: Option<f64>,
    /// How many large items to keep.
    pub large_keep: usize,
    /// Age in seconds above which a file is old; `None` looks for no old
    /// files.
    pub old_over_secs: Option<f64>,
    /// How many old files to keep.
    pub old_keep: usize,
    /// When set, old files are looked for only below these directories
    /// (canonical paths); otherwise everywhere.
    pub old_only_under: Option<Vec<PathBuf>>,
    /// Whether to descend into other filesystems.
    pub cross_filesystems: bool,
    /// "now", in seconds since the epoch, for ages.
    pub now_secs: i64,
    /// Threads that share out the root's subdirectories; 1 walks on the
    /// calling thread alone.
    pub threads: usize,
}

/// A large file or directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LargeItem {
    pub path: PathBuf,
    pub mtime_secs: i64,
    pub is_dir: bool,
}

/// An old file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OldFile {
    pub path: PathBuf,
    pub mtime_secs: i64,
    pub kind: FileKind,
}

/// What a walk found. Sizes in bytes.
#[derive(Debug, Clone)]
pub(crate) struct WalkOutcome {
    /// The largest items, largest first, with their allocated sizes.
    pub large: Vec<(u64, LargeItem)>,
    /// How many items were large, before the list was cut.
    pub large_count: u64,
    /// Their total allocated size, counting an item inside another large
    /// item once (as part of the outer one).
    pub large_total: u64,
    /// The largest old files, largest first, with their apparent sizes.
    pub old: Vec<(u64, OldFile)>,
    /// How many files were old, before the list was cut.
    pub old_count: u64,
    /// Their total apparent size.
    pub old_total: u64,
    /// Allocated size of everything under the root that was counted.
    pub root_total: u64,
    /// Entries that are not directories, counted once each.
    pub files: u64,
    /// Directories visited, the root included.
    pub dirs: u64,
    /// Entries or directories that could not be read (permissions, I/O).
    pub unreadable: u64,
    /// Entries that disappeared while the walk ran.
    pub vanished: u64,
    /// Entries skipped because they are on another filesystem.
    pub other_filesystem: u64,
}
