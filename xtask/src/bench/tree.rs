//! The generated tree of the disk benchmark (issue 4): small files in
//! folders four to six levels deep, sparse files, real large files and old
//! `.log` files.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

const MIB: u64 = 1024 * 1024;

/// How big a tree to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeSpec {
    /// Small files (100 B to 2 KiB) spread over folders 4 to 6 levels deep.
    pub small_files: usize,
    /// Sparse 150 MiB files: large apparent size, nothing allocated.
    pub sparse_files: usize,
    /// Real 120 MiB files.
    pub real_files: usize,
    /// 1.2 MiB `.log` files last modified 60 days ago.
    pub old_logs: usize,
}

impl TreeSpec {
    /// The tree issue 4 describes.
    pub const FULL: Self = Self {
        small_files: 100_000,
        sparse_files: 20,
        real_files: 5,
        old_logs: 200,
    };

    /// A small tree for `--quick`.
    pub const QUICK: Self = Self {
        small_files: 2_000,
        sparse_files: 2,
        real_files: 1,
        old_logs: 20,
    };

    /// One line saying what the tree holds.
    pub fn describe(&self) -> String {
        format!(
            "{} small files 4-6 levels deep, {} sparse 150 MiB files, {} allocated (fallocate) 120 MiB files, {} old 1.2 MiB .log files",
            super::stats::thousands(self.small_files as f64),
            self.sparse_files,
            self.real_files,
            self.old_logs
        )
    }
}

/// Builds the tree below `root`.
pub fn generate(root: &Path, spec: TreeSpec) -> Result<()> {
    let small = vec![b'x'; 2048];
    for i in 0..spec.small_files {
        let leaf = i / 100;
        let mut dir = root.join(format!(
            "src/a{}/b{}/c{}",
            leaf % 10,
            (leaf / 10) % 10,
            leaf / 100
        ));
        for level in 0..(leaf % 3) {
            dir.push(format!("d{level}"));
        }
        if i % 100 == 0 {
            fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
        }
        let len = 100 + (i * 37) % (small.len() - 100);
        fs::write(dir.join(format!("f{i}.txt")), &small[..len]).context("small file")?;
    }

    let images = root.join("images");
    fs::create_dir_all(&images)?;
    for i in 0..spec.sparse_files {
        File::create(images.join(format!("disk{i}.img")))?.set_len(150 * MIB)?;
    }

    let blobs = root.join("data/blobs");
    fs::create_dir_all(&blobs)?;
    for i in 0..spec.real_files {
        allocated(&blobs.join(format!("blob{i}.bin")), 120 * MIB)?;
    }

    let logs = root.join("var/log/app");
    fs::create_dir_all(&logs)?;
    let old = SystemTime::now() - Duration::from_secs(60 * 86_400);
    for i in 0..spec.old_logs {
        let file = allocated(&logs.join(format!("app-{i}.log")), MIB + MIB / 5)?;
        file.set_modified(old)?;
    }
    Ok(())
}

/// A file of `len` bytes whose blocks are all allocated (`fallocate`), as
/// `du` and the walk count them, without writing the data: 840 MiB of
/// written data would be flushed to the disk during the bench and make
/// removing the tree wait for that write-back.
fn allocated(path: &Path, len: u64) -> Result<File> {
    let mut file = File::create(path).with_context(|| format!("create {}", path.display()))?;
    if let Err(err) = rustix::fs::fallocate(&file, rustix::fs::FallocateFlags::empty(), 0, len) {
        // A file system without fallocate: write the bytes.
        eprintln!(
            "fallocate failed on {} ({err}); writing the data",
            path.display()
        );
        let chunk = vec![0x5a_u8; usize::try_from(MIB)?];
        let mut left = len;
        while left > 0 {
            let n = left.min(MIB);
            file.write_all(&chunk[..usize::try_from(n)?])?;
            left -= n;
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_described_shapes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = TreeSpec {
            small_files: 300,
            sparse_files: 1,
            real_files: 0,
            old_logs: 2,
        };
        generate(dir.path(), spec).expect("tree");
        let deep = dir.path().join("src/a2/b0/c0/d0/d1/f200.txt");
        assert!(deep.is_file(), "six levels deep: {}", deep.display());
        let sparse = fs::metadata(dir.path().join("images/disk0.img")).expect("sparse");
        assert_eq!(sparse.len(), 150 * MIB);
        let log_blocks = fs::metadata(dir.path().join("var/log/app/app-0.log")).expect("log");
        assert_eq!(log_blocks.len(), MIB + MIB / 5);
        assert!(
            std::os::unix::fs::MetadataExt::blocks(&log_blocks) * 512 >= MIB + MIB / 5,
            "the log's blocks are allocated"
        );
        let log = fs::metadata(dir.path().join("var/log/app/app-1.log")).expect("log");
        let age = SystemTime::now()
            .duration_since(log.modified().expect("mtime"))
            .expect("in the past");
        assert!(age > Duration::from_secs(59 * 86_400));
    }
}
