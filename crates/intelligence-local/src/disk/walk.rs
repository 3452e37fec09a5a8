//! The single pass over a tree that answers both disk questions at once:
//! large items (files anywhere, directories up to [`LARGE_DIR_DEPTH`] levels
//! below the root, by allocated size) and old files.
//!
//! The walk is depth first and keeps, per directory on the current path, a
//! running total and the list of its subdirectories still to visit, so its
//! memory grows with the depth and width of the tree around the current
//! path and with what is reported, not with the size of the tree.
//!
//! It never follows a symlink (entries are `lstat`ed), stays on the root's
//! filesystem unless told otherwise, counts a hard-linked inode once, skips
//! a directory that is its own ancestor (bind mounts), and treats an entry
//! that vanished or cannot be read as skipped, not as a failure.
//!
//! With [`WalkSpec::threads`] above one, the calling thread first opens the
//! top of the tree level by level ([`Split`]) until there are enough
//! subdirectories to share out; each thread takes the next one, walks it
//! depth first as above, and takes another; their findings are merged at
//! the end. The results are the same as one thread's, except which of two
//! hard links to one inode in different subtrees is charged for it.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

pub(crate) use spec::{DirReader, LargeItem, OldFile, RealFs, WalkOutcome, WalkSpec};

use crate::disk::classify::{FileKind, classify, dir_hint};
use crate::disk::top::Top;
use crate::error::LocalError;

/// Directories this many levels below the root (and fewer) can be large
/// items, as `du --max-depth=3` lists them.
pub const LARGE_DIR_DEPTH: usize = 3;

/// Old files must be larger than this, in bytes (apparent size), as
/// `find -size +1M` asks.
pub const OLD_MIN_BYTES: u64 = 1024 * 1024;

/// How often the progress callback is called at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// A directory on the current path.
struct Frame {
    path: PathBuf,
    depth: usize,
    dev: u64,
    ino: u64,
    mtime_secs: i64,
    /// Allocated bytes of the directory itself and everything below so far.
    bytes: u64,
    /// Bytes of large items below, an item inside another counted once.
    covered: u64,
    old_enabled: bool,
    hint: Option<FileKind>,
    /// Subdirectories still to visit.
    pending: Vec<PendingDir>,
}

struct PendingDir {
    name: OsString,
    dev: u64,
    ino: u64,
    mtime_secs: i64,
    blocks_bytes: u64,
}

/// Walks the tree below `root` once.
///
/// `progress` is called with messages such as `Scanning /var/log... 12,000
/// files`, at most every 100 ms, from the calling thread only. `cancel`
/// stops the walk early with [`LocalError::Cancelled`].
pub(crate) fn walk<R: DirReader + Sync>(
    reader: &R,
    root: &Path,
    spec: &WalkSpec,
    progress: &dyn Fn(&str),
    cancel: &AtomicBool,
) -> Result<WalkOutcome, LocalError> {
    let root_meta = fs::symlink_metadata(root).map_err(|source| LocalError::ScanRoot {
        path: root.to_owned(),
        source,
    })?;
    let shared = Shared {
        links: Mutex::new(HashSet::new()),
        files_seen: AtomicU64::new(0),
        cancel,
    };
    let mut w = Walker::new(spec, root_meta.dev(), &shared, Some(progress), root);

    let root_old = match &spec.old_only_under {
        None => true,
        Some(dirs) => dirs.iter().any(|d| root.starts_with(d)),
    };
    let root_hint = root.file_name().and_then(dir_hint);
    let root_frame = w.open(reader, root.to_owned(), 0, &root_meta, root_old, root_hint);
    // A root that cannot be listed is an error, not an empty, healthy tree.
    if let Some(source) = w.root_error.take() {
        return Err(LocalError::ScanRoot {
            path: root.to_owned(),
            source,
        });
    }

    let threads = spec.threads.max(1);
    let (bytes, covered) = if threads == 1 || root_frame.pending.is_empty() {
        let mut stack = vec![root_frame];
        w.drain(reader, &mut stack, &[])?
    } else {
        let mut top = Split::open(&mut w, reader, root_frame, threads * UNITS_PER_THREAD)?;
        let queue = Mutex::new(std::mem::take(&mut top.units));
        let root_dev = w.root_dev;
        let (mine, helpers) = std::thread::scope(|scope| {
            let handles: Vec<_> = (1..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut helper = Walker::new(spec, root_dev, &shared, None, root);
                        let below = helper.units(reader, &queue, &top.dirs);
                        below.map(|below| (below, helper.found()))
                    })
                })
                .collect();
            let mine = w.units(reader, &queue, &top.dirs);
            let helpers: Vec<_> = handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                })
                .collect();
            (mine, helpers)
        });
        let mut below = mine?;
        for helper in helpers {
            let (mut theirs, found) = helper?;
            below.append(&mut theirs);
            w.absorb(found);
        }
        top.close(&mut w, below)
    };
    w.out.root_total = bytes;
    w.out.large_total = covered;

    w.emit_progress(true);
    let mut out = w.out;
    out.large = w.large.into_sorted();
    out.old = w.old.into_sorted();
    Ok(out)
}

/// What the threads of one walk share.
struct Shared<'a> {
    /// (device, inode) of every file with more than one link seen so far.
    links: Mutex<HashSet<(u64, u64)>>,
    /// Files counted by every thread, for the progress line.
    files_seen: AtomicU64,
    cancel: &'a AtomicBool,
}

/// Units of work per thread the top of the tree is split into, so that a
/// thread that drew a small subtree takes another instead of idling.
const UNITS_PER_THREAD: usize = 4;

/// Levels below the root the split may open, at most.
const SPLIT_DEPTH: usize = 3;

/// A directory opened while splitting the top of the tree.
struct SplitDir {
    /// Its own files counted; `pending` handed out as units or opened.
    frame: Frame,
    /// Its index's parent in [`Split::dirs`]; `None` for the root.
    parent: Option<usize>,
    /// (device, inode) of it and every directory above it.
    ancestors: Vec<(u64, u64)>,
}

impl SplitDir {
    /// Whether `dir` is this directory or one above it (a bind mount loop).
    fn is_ancestor(&self, dir: &PendingDir) -> bool {
        self.ancestors.contains(&(dir.dev, dir.ino))
    }
}

/// The top of the tree, opened level by level on the calling thread until
/// it has enough subdirectories below it to share out: each is a unit that
/// one thread walks depth first.
struct Split {
    /// The directories opened, parents before children.
    dirs: Vec<SplitDir>,
    /// (index of the parent in `dirs`, the subdirectory), last taken first.
    units: Vec<(usize, PendingDir)>,
}

impl Split {
    fn open(
        w: &mut Walker<'_>,
        reader: &impl DirReader,
        mut root: Frame,
        enough: usize,
    ) -> Result<Self, LocalError> {
        let children = std::mem::take(&mut root.pending);
        let mut top = Self {
            dirs: vec![SplitDir {
                ancestors: vec![(root.dev, root.ino)],
                frame: root,
                parent: None,
            }],
            // `pending` is in reverse name order already.
            units: children.into_iter().map(|dir| (0, dir)).collect(),
        };
        for _ in 1..SPLIT_DEPTH {
            if top.units.len() >= enough || top.units.is_empty() {
                break;
            }
            let mut next = Vec::new();
            // Name order, so that the next level is in name order too.
            for (parent, dir) in std::mem::take(&mut top.units).into_iter().rev() {
                w.check_cancel()?;
                if top.dirs[parent].is_ancestor(&dir) {
                    continue;
                }
                let mut frame = w.child(reader, &Parent::of(&top.dirs[parent].frame), dir);
                let children = std::mem::take(&mut frame.pending);
                let mut ancestors = top.dirs[parent].ancestors.clone();
                ancestors.push((frame.dev, frame.ino));
                let index = top.dirs.len();
                top.dirs.push(SplitDir {
                    frame,
                    parent: Some(parent),
                    ancestors,
                });
                next.extend(children.into_iter().rev().map(|dir| (index, dir)));
            }
            next.reverse();
            top.units = next;
        }
        Ok(top)
    }

    /// Adds up the walked units into the directories above them, children
    /// before parents, as the depth-first walk closes them; the root's
    /// allocated bytes and the bytes of large items below it.
    fn close(mut self, w: &mut Walker<'_>, walked: Vec<(usize, u64, u64)>) -> (u64, u64) {
        let mut below = vec![(0_u64, 0_u64); self.dirs.len()];
        for (parent, bytes, covered) in walked {
            below[parent].0 += bytes;
            below[parent].1 += covered;
        }
        while let Some(dir) = self.dirs.pop() {
            let index = self.dirs.len();
            let mut frame = dir.frame;
            frame.bytes += below[index].0;
            frame.covered += below[index].1;
            let (bytes, covered) = w.close_dir(frame);
            match dir.parent {
                Some(parent) => {
                    below[parent].0 += bytes;
                    below[parent].1 += covered;
                }
                None => return (bytes, covered),
            }
        }
        (0, 0)
    }
}

/// What a helper thread's walker found.
struct Found {
    out: WalkOutcome,
    large: Top<LargeItem>,
    old: Top<OldFile>,
}

/// What a directory's children inherit from it.
struct Parent<'f> {
    path: &'f Path,
    depth: usize,
    old_enabled: bool,
    hint: Option<FileKind>,
}

impl<'f> Parent<'f> {
    fn of(frame: &'f Frame) -> Self {
        Self {
            path: &frame.path,
            depth: frame.depth,
            old_enabled: frame.old_enabled,
            hint: frame.hint,
        }
    }
}

struct Walker<'a> {
    spec: &'a WalkSpec,
    root_dev: u64,
    large: Top<LargeItem>,
    old: Top<OldFile>,
    shared: &'a Shared<'a>,
    out: WalkOutcome,
    /// Only the calling thread's walker reports progress.
    progress: Option<&'a dyn Fn(&str)>,
    root: PathBuf,
    root_display: String,
    /// When progress was last reported; `None` reports at once.
    last_progress: Option<Instant>,
    /// Why the root could not be listed.
    root_error: Option<io::Error>,
}

impl<'a> Walker<'a> {
    fn new(
        spec: &'a WalkSpec,
        root_dev: u64,
        shared: &'a Shared<'a>,
        progress: Option<&'a dyn Fn(&str)>,
        root: &Path,
    ) -> Self {
        Self {
            spec,
            root_dev,
            large: Top::new(spec.large_keep),
            old: Top::new(spec.old_keep),
            shared,
            out: WalkOutcome {
                large: Vec::new(),
                large_count: 0,
                large_total: 0,
                old: Vec::new(),
                old_count: 0,
                old_total: 0,
                root_total: 0,
                files: 0,
                dirs: 0,
                unreadable: 0,
                vanished: 0,
                other_filesystem: 0,
            },
            progress,
            root: root.to_owned(),
            root_display: root.display().to_string(),
            last_progress: None,
            root_error: None,
        }
    }

    /// Walks the units taken from `queue` until it is empty; for each, the
    /// index of its parent in `dirs`, its allocated bytes and the bytes of
    /// large items in it.
    fn units(
        &mut self,
        reader: &impl DirReader,
        queue: &Mutex<Vec<(usize, PendingDir)>>,
        dirs: &[SplitDir],
    ) -> Result<Vec<(usize, u64, u64)>, LocalError> {
        let mut done = Vec::new();
        loop {
            self.check_cancel()?;
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let Some((parent, dir)) = next else { break };
            let parent_dir = &dirs[parent];
            if parent_dir.is_ancestor(&dir) {
                continue;
            }
            let frame = self.child(reader, &Parent::of(&parent_dir.frame), dir);
            let (bytes, covered) = self.drain(reader, &mut vec![frame], &parent_dir.ancestors)?;
            done.push((parent, bytes, covered));
        }
        Ok(done)
    }

    /// Opens the subdirectory `next` of `parent`.
    fn child(&mut self, reader: &impl DirReader, parent: &Parent<'_>, next: PendingDir) -> Frame {
        let path = parent.path.join(&next.name);
        let old_enabled = parent.old_enabled || self.starts_old_scope(&path);
        let hint = dir_hint(&next.name).or(parent.hint);
        self.open_pending(reader, path, parent.depth + 1, next, old_enabled, hint)
    }

    /// Walks depth first until `stack` is empty; the allocated bytes of its
    /// bottom frame's tree and the bytes of large items in it. `above` are
    /// the (device, inode) of the bottom frame's ancestors that are not on
    /// the stack.
    fn drain(
        &mut self,
        reader: &impl DirReader,
        stack: &mut Vec<Frame>,
        above: &[(u64, u64)],
    ) -> Result<(u64, u64), LocalError> {
        loop {
            self.check_cancel()?;
            let Some(top) = stack.last_mut() else {
                return Ok((0, 0));
            };
            if let Some(next) = top.pending.pop() {
                let is_loop = stack.iter().any(|f| f.dev == next.dev && f.ino == next.ino)
                    || above.contains(&(next.dev, next.ino));
                if is_loop {
                    continue;
                }
                let Some(parent) = stack.last() else {
                    return Ok((0, 0));
                };
                let frame = self.child(reader, &Parent::of(parent), next);
                stack.push(frame);
                continue;
            }
            // Every subdirectory is done: close this directory.
            let Some(done) = stack.pop() else {
                return Ok((0, 0));
            };
            let (bytes, covered) = self.close_dir(done);
            match stack.last_mut() {
                Some(parent) => {
                    parent.bytes += bytes;
                    parent.covered += covered;
                }
                None => return Ok((bytes, covered)),
            }
        }
    }

    /// Closes a directory whose subdirectories are all counted: lists it
    /// when it is large and within [`LARGE_DIR_DEPTH`]; its allocated bytes
    /// and the bytes of large items in it (all of it, when it is one).
    fn close_dir(&mut self, done: Frame) -> (u64, u64) {
        let bytes = done.bytes;
        if done.depth >= 1 && done.depth <= LARGE_DIR_DEPTH && self.is_large(bytes) {
            self.out.large_count += 1;
            self.large.push(
                bytes,
                LargeItem {
                    path: done.path,
                    mtime_secs: done.mtime_secs,
                    is_dir: true,
                },
            );
            return (bytes, bytes);
        }
        (bytes, done.covered)
    }

    fn check_cancel(&self) -> Result<(), LocalError> {
        if self.shared.cancel.load(Ordering::Relaxed) {
            return Err(LocalError::Cancelled {
                path: self.root.clone(),
            });
        }
        Ok(())
    }

    /// What this walker found, to hand to another thread.
    fn found(self) -> Found {
        Found {
            out: self.out,
            large: self.large,
            old: self.old,
        }
    }

    /// Adds what another thread's walker found to this one's.
    fn absorb(&mut self, other: Found) {
        let found = other.out;
        self.out.large_count += found.large_count;
        self.out.old_count += found.old_count;
        self.out.old_total += found.old_total;
        self.out.files += found.files;
        self.out.dirs += found.dirs;
        self.out.unreadable += found.unreadable;
        self.out.vanished += found.vanished;
        self.out.other_filesystem += found.other_filesystem;
        for (bytes, item) in other.large.into_sorted() {
            self.large.push(bytes, item);
        }
        for (bytes, file) in other.old.into_sorted() {
            self.old.push(bytes, file);
        }
    }

    fn is_large(&self, bytes: u64) -> bool {
        self.spec.large_over_bytes.is_some_and(|t| bytes as f64 > t)
    }

    fn starts_old_scope(&self, dir: &Path) -> bool {
        match &self.spec.old_only_under {
            None => true,
            Some(dirs) => dirs.iter().any(|d| d == dir),
        }
    }

    fn open(
        &mut self,
        reader: &impl DirReader,
        path: PathBuf,
        depth: usize,
        meta: &Metadata,
        old_enabled: bool,
        hint: Option<FileKind>,
    ) -> Frame {
        let pending = PendingDir {
            name: OsString::new(),
            dev: meta.dev(),
            ino: meta.ino(),
            mtime_secs: meta.mtime(),
            blocks_bytes: allocated(meta),
        };
        self.open_pending(reader, path, depth, pending, old_enabled, hint)
    }

    /// Lists a directory: counts its files, remembers its subdirectories.
    fn open_pending(
        &mut self,
        reader: &impl DirReader,
        path: PathBuf,
        depth: usize,
        dir: PendingDir,
        old_enabled: bool,
        hint: Option<FileKind>,
    ) -> Frame {
        self.out.dirs += 1;
        let mut frame = Frame {
            path,
            depth,
            dev: dir.dev,
            ino: dir.ino,
            mtime_secs: dir.mtime_secs,
            bytes: dir.blocks_bytes,
            covered: 0,
            old_enabled,
            hint,
            pending: Vec::new(),
        };
        let files_before = self.out.files;
        let entries = match reader.read_dir(&frame.path) {
            Ok(entries) => entries,
            Err(err) if depth == 0 => {
                self.root_error = Some(err);
                return frame;
            }
            Err(err) => {
                self.skip(&frame.path, &err);
                return frame;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    self.skip(&frame.path, &err);
                    continue;
                }
            };
            // DirEntry::metadata does not follow symlinks.
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) => {
                    self.skip(&entry.path(), &err);
                    continue;
                }
            };
            if meta.dev() != self.root_dev && !self.spec.cross_filesystems {
                self.out.other_filesystem += 1;
                continue;
            }
            if meta.is_dir() {
                frame.pending.push(PendingDir {
                    name: entry.file_name(),
                    dev: meta.dev(),
                    ino: meta.ino(),
                    mtime_secs: meta.mtime(),
                    blocks_bytes: allocated(&meta),
                });
            } else {
                self.file(&mut frame, &entry, &meta);
            }
        }
        // Visit in name order, so that results do not depend on the order
        // the filesystem lists entries in.
        frame.pending.sort_unstable_by(|a, b| b.name.cmp(&a.name));
        self.shared
            .files_seen
            .fetch_add(self.out.files - files_before, Ordering::Relaxed);
        self.emit_progress(false);
        frame
    }

    /// Counts a non-directory entry; its name is read only when it is
    /// reported.
    fn file(&mut self, frame: &mut Frame, entry: &fs::DirEntry, meta: &Metadata) {
        if meta.nlink() > 1
            && !self
                .shared
                .links
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert((meta.dev(), meta.ino()))
        {
            return;
        }
        self.out.files += 1;
        let bytes = allocated(meta);
        frame.bytes += bytes;
        if !meta.is_file() {
            return;
        }
        if self.is_large(bytes) {
            self.out.large_count += 1;
            frame.covered += bytes;
            self.large.push(
                bytes,
                LargeItem {
                    path: entry.path(),
                    mtime_secs: meta.mtime(),
                    is_dir: false,
                },
            );
        }
        if frame.old_enabled
            && let Some(old_secs) = self.spec.old_over_secs
            && meta.len() > OLD_MIN_BYTES
            && (self.spec.now_secs - meta.mtime()) as f64 > old_secs
        {
            self.out.old_count += 1;
            self.out.old_total += meta.len();
            let kind = classify(&entry.file_name(), frame.hint);
            self.old.push(
                meta.len(),
                OldFile {
                    path: entry.path(),
                    mtime_secs: meta.mtime(),
                    kind,
                },
            );
        }
    }

    fn skip(&mut self, path: &Path, err: &io::Error) {
        if err.kind() == io::ErrorKind::NotFound {
            self.out.vanished += 1;
        } else {
            self.out.unreadable += 1;
            tracing::debug!(path = %path.display(), error = %err, "skipped while scanning");
        }
    }

    fn emit_progress(&mut self, force: bool) {
        let Some(progress) = self.progress else {
            return;
        };
        let due = self
            .last_progress
            .is_none_or(|last| last.elapsed() >= PROGRESS_EVERY);
        if force || due {
            self.last_progress = Some(Instant::now());
            progress(&format!(
                "Scanning {}... {} files",
                self.root_display,
                thousands(self.shared.files_seen.load(Ordering::Relaxed))
            ));
        }
    }
}

/// Allocated size: 512-byte blocks, as `du` counts.
fn allocated(meta: &Metadata) -> u64 {
    meta.blocks().saturating_mul(512)
}

/// `12000` as `12,000`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

mod spec;
#[cfg(test)]
mod tests;
