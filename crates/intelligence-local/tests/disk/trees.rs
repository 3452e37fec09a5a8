//! Generated trees: sizes, symlinks, wide directories, odd names, hard
//! links, a mounted filesystem, classification, the empty tree.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use intelligence_core::Priority;
use intelligence_local::{LocalProvider, LocalSettings};

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn allocated_size_not_apparent_size_decides_large() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    write_sparse(&root.join("sparse.img"), 150 * MIB);
    write_real(&root.join("real.bin"), 2 * MIB);

    let recs = scan(&provider_for(&root, 1.0), &root).await;
    let paths = large_paths(&recs);
    assert_eq!(paths, [root.join("real.bin").display().to_string()]);
    let details = large(&recs);
    assert_eq!(details["large_items"][0]["is_directory"], false);
    assert_eq!(details["large_items"][0]["modified_days_ago"], 0);
    assert_eq!(details["scanned_path"], root.display().to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fractional_threshold_is_honoured_exactly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    write_real(&root.join("just-over"), 512 * 1024 + 4096);
    write_real(&root.join("exactly"), 512 * 1024);
    write_real(&root.join("under"), 400 * 1024);

    let recs = scan(&provider_for(&root, 0.5), &root).await;
    assert_eq!(
        large_paths(&recs),
        [root.join("just-over").display().to_string()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn symlinks_are_never_followed_in_loops_or_out_of_the_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = canonical(tmp.path());
    let root = base.join("tree");
    let outside = base.join("outside");
    write_real(&outside.join("huge"), 5 * MIB);
    fs::create_dir_all(root.join("a")).expect("mkdir");
    symlink(&root, root.join("a/loop")).expect("symlink loop");
    symlink("..", root.join("a/up")).expect("relative loop");
    symlink(&outside, root.join("a/escape")).expect("symlink out");
    symlink(outside.join("huge"), root.join("huge-link")).expect("file symlink out");
    write_real(&root.join("a/mine"), 2 * MIB);

    let recs = scan(&provider_for(&root, 1.0), &root).await;
    let paths = large_paths(&recs);
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("escape") && !p.contains("huge")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("loop") && !p.contains("up")),
        "{paths:?}"
    );
    assert!(paths.contains(&root.join("a/mine").display().to_string()));
    let total = large(&recs)["total_size_mb"].as_f64().expect("total");
    assert!((2.0..2.1).contains(&total), "only a/ counts: {total}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_with_ten_thousand_entries_is_counted_once_each() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let wide = root.join("wide");
    fs::create_dir(&wide).expect("mkdir");
    for i in 0..10_000 {
        fs::write(wide.join(format!("f{i:05}")), b"0123456789").expect("write");
    }
    for i in 0..150 {
        write_sparse(&wide.join(format!("old{i:03}.log")), 2 * MIB);
        age(&wide.join(format!("old{i:03}.log")), 45);
    }

    let recs = scan(&provider_for(&root, 30.0), &root).await;
    // 10,000 ten-byte files of one 4 KiB block each: about 39 MiB allocated;
    // the sparse logs allocate nothing.
    let large = large(&recs);
    assert_eq!(large["total_items"], 1);
    assert_eq!(large["scanned_files"], 10_150, "each entry counted once");
    assert_eq!(large["unreadable_entries"], 0);
    assert_eq!(large["large_items"][0]["path"], wide.display().to_string());
    assert_eq!(large["large_items"][0]["is_directory"], true);

    let old = &titled(&recs, "Old Logs and Temporary Files Found")
        .expect("old files")
        .details;
    assert_eq!(old["total_files"], 150);
    assert_eq!(old["old_files"].as_array().expect("array").len(), 100);
    assert_eq!(old["total_size_mb"], 300.0);
    assert!(
        old["old_files"]
            .as_array()
            .expect("array")
            .iter()
            .all(|f| f["file_type"] == "log" && f["days_old"] == 45)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn non_utf8_names_fifos_and_hard_links_are_handled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let odd = root.join(OsStr::from_bytes(b"bad-\xff-name.bin"));
    write_real(&odd, 2 * MIB);
    let status = Command::new("mkfifo")
        .arg(root.join("pipe"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let linked = root.join("links/original");
    write_real(&linked, 3 * MIB);
    for i in 0..3 {
        fs::hard_link(&linked, root.join(format!("links/copy{i}"))).expect("hard link");
    }

    let recs = scan(&provider_for(&root, 1.0), &root).await;
    let paths = large_paths(&recs);
    assert!(
        paths.contains(&root.join("bad-\u{fffd}-name.bin").display().to_string()),
        "{paths:?}"
    );
    let link_files = paths.iter().filter(|p| p.contains("/links/")).count();
    assert_eq!(
        link_files, 1,
        "a hard-linked inode is counted once: {paths:?}"
    );
    let total = large(&recs)["total_size_mb"].as_f64().expect("total");
    assert!((5.0..5.1).contains(&total), "2 MiB + 3 MiB once: {total}");
}

/// A tmpfs mounted inside the tree, unmounted when dropped.
struct Mounted(PathBuf);

impl Mounted {
    fn tmpfs(at: &Path) -> Self {
        fs::create_dir_all(at).expect("mkdir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
            .arg(at)
            .status()
            .expect("mount runs");
        assert!(status.success(), "tests run as root and can mount a tmpfs");
        Self(at.to_owned())
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scan_stays_on_the_paths_filesystem() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let mount = Mounted::tmpfs(&root.join("mnt"));
    write_real(&mount.0.join("on-tmpfs"), 4 * MIB);
    write_real(&root.join("here"), 2 * MIB);

    let recs = scan(&provider_for(&root, 1.0), &root).await;
    assert_eq!(
        large_paths(&recs),
        [root.join("here").display().to_string()]
    );

    let crossing = LocalProvider::new(LocalSettings {
        threshold_mb: 1.0,
        allowed_roots: vec![root.clone()],
        cross_filesystems: true,
        ..LocalSettings::default()
    })
    .expect("valid");
    let paths = large_paths(&scan(&crossing, &root).await);
    assert!(
        paths.contains(&mount.0.join("on-tmpfs").display().to_string()),
        "{paths:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn old_files_are_classified_by_name_and_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let files = [
        ("tmp/app.log", "log"),
        ("logs/messages.1", "log"),
        ("srv/syslog.2.gz", "log"),
        ("cache/blob", "cache"),
        ("cache/apt/archives/pkg.deb", "cache"),
        ("work/x.tmp", "temp"),
        ("tmp/scratch", "temp"),
        ("catalog/data.db", "other"),
    ];
    for (name, _) in files {
        write_sparse(&root.join(name), 2 * MIB);
        age(&root.join(name), 60);
    }
    write_sparse(&root.join("young.log"), 2 * MIB);
    write_sparse(&root.join("small.log"), MIB);
    age(&root.join("small.log"), 60);

    let recs = scan(&provider_for(&root, 100.0), &root).await;
    let old = &titled(&recs, "Old Logs and Temporary Files Found")
        .expect("old files")
        .details;
    assert_eq!(old["total_files"], files.len());
    for (name, kind) in files {
        let path = root.join(name).display().to_string();
        let entry = old["old_files"]
            .as_array()
            .expect("array")
            .iter()
            .find(|f| f["path"] == path.as_str())
            .unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(entry["file_type"], kind, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_tree_gets_one_low_health_check_naming_the_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let recs = scan(&provider_for(&root, 1.0), &root).await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].title, "Disk Health Check");
    assert_eq!(recs[0].priority, Priority::Low);
    assert_eq!(recs[0].details["scanned_files"], 0);
    assert_eq!(recs[0].details["scanned_path"], root.display().to_string());
    assert!(recs[0].description.contains(&root.display().to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn descriptions_count_in_words_and_state_the_sizes_the_details_hold() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    // 1.2 MiB + one 4 KiB block: totals whose one-decimal and two-decimal
    // roundings differ.
    write_real(&root.join("one.bin"), 6 * MIB / 5 + 4096);
    write_sparse(&root.join("var/old.log"), 3 * MIB + 3 * MIB / 8);
    age(&root.join("var/old.log"), 60);

    let recs = scan(&provider_for(&root, 1.0), &root).await;
    let large = titled(&recs, "Large Files and Directories Found").expect("large");
    let total = large.details["total_size_mb"].as_f64().expect("number");
    assert!(
        large.description.starts_with(&format!(
            "Found 1 large item (over 1 MB) totaling {total:.2} MB"
        )),
        "{}",
        large.description
    );
    let old = titled(&recs, "Old Logs and Temporary Files Found").expect("old");
    let total = old.details["total_size_mb"].as_f64().expect("number");
    assert!(
        old.description.starts_with(&format!(
            "Found 1 old file (over 30 days, over 1 MB) totaling {total:.2} MB"
        )),
        "{}",
        old.description
    );
}
