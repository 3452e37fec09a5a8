//! Walk tests that need injected faults (root reads every directory, so an
//! unreadable one is made by a [`DirReader`] that refuses it) or that look
//! at the walk's counters directly.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::*;

fn spec(threshold_mb: f64) -> WalkSpec {
    WalkSpec {
        large_over_bytes: Some(threshold_mb * 1024.0 * 1024.0),
        large_keep: 50,
        old_over_secs: Some(30.0 * 86_400.0),
        old_keep: 100,
        old_only_under: None,
        cross_filesystems: false,
        now_secs: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .expect("clock after 1970"),
        // The fault-injecting readers act on the order directories are
        // opened in; the parallel walk has its own tests.
        threads: 1,
    }
}

fn write_real(path: &Path, bytes: usize) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, vec![1_u8; bytes]).expect("write");
}

fn run(reader: &impl DirReader, root: &Path, spec: &WalkSpec) -> WalkOutcome {
    walk(reader, root, spec, &|_| {}, &AtomicBool::new(false)).expect("walk")
}

/// Refuses to open the directories it names, as a permission error.
struct Refusing(Vec<PathBuf>);

impl DirReader for Refusing {
    fn read_dir(&self, path: &Path) -> io::Result<fs::ReadDir> {
        if self.0.iter().any(|p| p == path) {
            return Err(io::Error::from(io::ErrorKind::PermissionDenied));
        }
        fs::read_dir(path)
    }
}

/// Deletes a directory the walk has already listed but not yet entered,
/// at the moment it opens another one.
struct Deleting {
    when_opening: PathBuf,
    delete: PathBuf,
    done: Mutex<bool>,
}

impl DirReader for Deleting {
    fn read_dir(&self, path: &Path) -> io::Result<fs::ReadDir> {
        let mut done = self.done.lock().expect("lock");
        if path == self.when_opening && !*done {
            fs::remove_dir_all(&self.delete).expect("delete while walking");
            *done = true;
        }
        fs::read_dir(path)
    }
}

#[test]
fn an_unreadable_directory_is_skipped_and_the_rest_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write_real(&root.join("locked/big"), 3 << 20);
    write_real(&root.join("open/big"), 2 << 20);
    let reader = Refusing(vec![root.join("locked")]);

    let out = run(&reader, root, &spec(1.0));
    assert_eq!(out.unreadable, 1);
    assert_eq!(out.files, 1, "only the readable file");
    let paths: Vec<&Path> = out.large.iter().map(|(_, i)| i.path.as_path()).collect();
    assert!(
        paths.contains(&root.join("open/big").as_path()),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with(root.join("locked"))),
        "{paths:?}"
    );
}

#[test]
fn an_unreadable_root_is_an_error_not_an_empty_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_real(&tmp.path().join("big"), 2 << 20);
    let reader = Refusing(vec![tmp.path().to_owned()]);
    let err = walk(
        &reader,
        tmp.path(),
        &spec(1.0),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect_err("root refused");
    assert!(matches!(err, LocalError::ScanRoot { .. }), "{err}");
    let provider_err: intelligence_core::ProviderError = err.into();
    assert_eq!(provider_err.error_type(), "io");
}

#[test]
fn a_directory_deleted_before_it_is_entered_counts_as_vanished() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write_real(&root.join("a/small"), 10);
    for i in 0..5 {
        write_real(&root.join(format!("b/f{i}")), 2 << 20);
    }
    let reader = Deleting {
        when_opening: root.join("a"),
        delete: root.join("b"),
        done: Mutex::new(false),
    };
    let out = run(&reader, root, &spec(1.0));
    assert_eq!(out.vanished, 1);
    assert_eq!(out.files, 1);
    assert_eq!(out.large_count, 0);
}

#[test]
fn files_deleted_by_another_thread_while_walking_never_break_the_scan() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_owned();
    let mut paths = Vec::new();
    for d in 0..20 {
        for f in 0..100 {
            let path = root.join(format!("d{d}/f{f}"));
            write_real(&path, 1);
            paths.push(path);
        }
    }
    let deleter = std::thread::spawn(move || {
        for path in paths.iter().rev() {
            let _ = fs::remove_file(path);
        }
    });
    let out = run(&RealFs, &root, &spec(1.0));
    deleter.join().expect("deleter");
    assert!(out.files <= 2000, "{}", out.files);
    assert_eq!(out.dirs, 21);
    assert_eq!(out.unreadable, 0);
}

#[test]
fn cancelling_stops_the_walk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_real(&tmp.path().join("a/f"), 1);
    let cancel = AtomicBool::new(true);
    let err = walk(&RealFs, tmp.path(), &spec(1.0), &|_| {}, &cancel).expect_err("cancelled");
    assert!(matches!(err, LocalError::Cancelled { .. }), "{err}");
}

#[test]
fn progress_names_the_root_and_the_file_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for i in 0..3 {
        File::create(tmp.path().join(format!("f{i}"))).expect("create");
    }
    let messages = Mutex::new(Vec::new());
    let say = |m: &str| messages.lock().expect("lock").push(m.to_owned());
    walk(
        &RealFs,
        tmp.path(),
        &spec(1.0),
        &say,
        &AtomicBool::new(false),
    )
    .expect("walk");
    let messages = messages.into_inner().expect("lock");
    let last = messages.last().expect("at least the final message");
    assert_eq!(
        last,
        &format!("Scanning {}... 3 files", tmp.path().display())
    );
}

#[test]
fn nested_large_directories_are_totalled_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write_real(&root.join("a/b/c/d/deep"), 3 << 20);
    write_real(&root.join("z/other"), 2 << 20);
    let out = run(&RealFs, root, &spec(1.0));

    // a, a/b, a/b/c (depth 3), the deep file, z and z/other are large;
    // a/b/c/d is four levels down and is not listed on its own.
    assert_eq!(out.large_count, 6);
    let listed: Vec<PathBuf> = out.large.iter().map(|(_, i)| i.path.clone()).collect();
    assert!(!listed.contains(&root.join("a/b/c/d")), "{listed:?}");

    let size_of = |p: &str| {
        out.large
            .iter()
            .find(|(_, i)| i.path == root.join(p))
            .map(|(b, _)| *b)
            .expect("listed")
    };
    assert_eq!(out.large_total, size_of("a") + size_of("z"));
    assert_eq!(
        out.root_total,
        out.large_total + fs::symlink_metadata(root).expect("meta").blocks() * 512
    );
}

#[test]
fn the_list_is_cut_but_the_totals_count_everything() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for i in 0..60 {
        write_real(&root.join(format!("f{i:02}")), (1 << 20) + 4096 * (i + 1));
    }
    let out = run(&RealFs, root, &spec(1.0));
    assert_eq!(out.large.len(), 50);
    assert_eq!(out.large_count, 60);
    let all: u64 = (0..60)
        .map(|i| {
            fs::metadata(root.join(format!("f{i:02}")))
                .expect("meta")
                .blocks()
                * 512
        })
        .sum();
    assert_eq!(out.large_total, all);
    assert!(
        out.large.windows(2).all(|w| w[0].0 >= w[1].0),
        "largest first"
    );
}

#[test]
fn old_files_can_be_limited_to_some_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = fs::canonicalize(tmp.path()).expect("canonical");
    for dir in ["var/log", "var/lib", "home/u/.cache"] {
        let path = root.join(dir).join("old.log");
        write_real(&path, (1 << 20) + 1);
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 86_400);
        File::options()
            .write(true)
            .open(&path)
            .expect("open")
            .set_modified(when)
            .expect("mtime");
    }
    let spec = WalkSpec {
        old_only_under: Some(vec![root.join("var/log"), root.join("home/u/.cache")]),
        ..spec(100.0)
    };
    let out = run(&RealFs, &root, &spec);
    let mut found: Vec<PathBuf> = out.old.iter().map(|(_, f)| f.path.clone()).collect();
    found.sort();
    assert_eq!(
        found,
        [
            root.join("home/u/.cache/old.log"),
            root.join("var/log/old.log")
        ]
    );
    assert_eq!(out.old_count, 2);
}

/// Allocated size of `path` and everything below it, the slow way.
fn du(path: &Path) -> u64 {
    let meta = fs::symlink_metadata(path).expect("meta");
    let own = meta.blocks() * 512;
    if !meta.is_dir() {
        return own;
    }
    own + fs::read_dir(path)
        .expect("list")
        .map(|e| du(&e.expect("entry").path()))
        .sum::<u64>()
}

/// Every large item below `root`, by a second, naive walk.
fn naive_large(dir: &Path, depth: usize, threshold: u64, out: &mut Vec<(PathBuf, u64)>) {
    for entry in fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        let size = du(&path);
        if path.is_dir() {
            if depth < LARGE_DIR_DEPTH && size > threshold {
                out.push((path.clone(), size));
            }
            naive_large(&path, depth + 1, threshold, out);
        } else if size > threshold {
            out.push((path, size));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// On random trees, the count and the total of large items agree with a
    /// naive oracle: every large item counted, and the total adds up the
    /// outermost ones only.
    #[test]
    fn totals_match_a_naive_oracle(
        files in proptest::collection::vec(
            (proptest::collection::vec(0_u8..3, 0..6), 0_usize..12),
            1..16,
        ),
    ) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(tmp.path()).expect("canonical");
        for (i, (dirs, blocks)) in files.iter().enumerate() {
            let mut path = root.clone();
            for d in dirs {
                path.push(format!("d{d}"));
            }
            write_real(&path.join(format!("f{i}")), blocks * 64 * 1024);
        }
        let threshold_mb = 0.25;
        let threshold = 256 * 1024;
        let out = run(&RealFs, &root, &spec(threshold_mb));

        let mut expected = Vec::new();
        naive_large(&root, 0, threshold, &mut expected);
        let outermost: u64 = expected
            .iter()
            .filter(|(p, _)| !expected.iter().any(|(q, _)| q != p && p.starts_with(q)))
            .map(|(_, size)| size)
            .sum();
        proptest::prop_assert_eq!(out.large_count, expected.len() as u64);
        proptest::prop_assert_eq!(out.large_total, outermost);
        proptest::prop_assert_eq!(out.root_total, du(&root));
    }
}

/// A walk's findings, for comparing two walks of one tree.
fn findings(out: &WalkOutcome) -> impl PartialEq + std::fmt::Debug {
    (
        (out.root_total, out.large_total, out.large_count),
        (out.old_total, out.old_count, out.files, out.dirs),
        out.large.clone(),
        out.old.clone(),
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// Sharing the root's subdirectories out among threads finds exactly
    /// what one thread finds: totals, counts, and both lists in order.
    #[test]
    fn threads_find_what_one_thread_finds(
        files in proptest::collection::vec(
            (proptest::collection::vec(0_u8..5, 0..5), 0_usize..24, proptest::bool::ANY),
            1..40,
        ),
        threads in 2_usize..5,
    ) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(tmp.path()).expect("canonical");
        let long_ago = std::time::SystemTime::now() - Duration::from_secs(90 * 86_400);
        for (i, (dirs, blocks, old)) in files.iter().enumerate() {
            let mut path = root.clone();
            for d in dirs {
                path.push(format!("d{d}"));
            }
            let file = path.join(format!("f{i}.log"));
            write_real(&file, blocks * 64 * 1024);
            if *old {
                File::options()
                    .write(true)
                    .open(&file)
                    .and_then(|f| f.set_modified(long_ago))
                    .expect("age the file");
            }
        }
        let one = run(&RealFs, &root, &spec(0.25));
        let many = run(&RealFs, &root, &WalkSpec { threads, ..spec(0.25) });
        proptest::prop_assert_eq!(findings(&one), findings(&many));
    }
}

#[test]
fn threads_count_a_hard_link_across_subtrees_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write_real(&root.join("a/big"), 2 << 20);
    fs::create_dir_all(root.join("b")).expect("mkdir");
    fs::hard_link(root.join("a/big"), root.join("b/same")).expect("link");
    write_real(&root.join("c/other"), 4096);

    let one = run(&RealFs, root, &spec(1.0));
    let many = run(
        &RealFs,
        root,
        &WalkSpec {
            threads: 3,
            ..spec(1.0)
        },
    );
    assert_eq!(many.files, 2, "the linked inode once, and c/other");
    assert_eq!(many.root_total, one.root_total);
    assert_eq!(many.large_count, one.large_count);
}

#[test]
fn threads_report_progress_for_every_thread_and_stop_when_cancelled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for d in 0..6 {
        for f in 0..5 {
            write_real(&tmp.path().join(format!("d{d}/f{f}")), 1);
        }
    }
    let spec = WalkSpec {
        threads: 3,
        ..spec(1.0)
    };
    let messages = Mutex::new(Vec::new());
    let say = |m: &str| messages.lock().expect("lock").push(m.to_owned());
    walk(&RealFs, tmp.path(), &spec, &say, &AtomicBool::new(false)).expect("walk");
    let messages = messages.into_inner().expect("lock");
    assert_eq!(
        messages.last().expect("the final message"),
        &format!("Scanning {}... 30 files", tmp.path().display())
    );

    let err =
        walk(&RealFs, tmp.path(), &spec, &|_| {}, &AtomicBool::new(true)).expect_err("cancelled");
    assert!(matches!(err, LocalError::Cancelled { .. }), "{err}");
}
