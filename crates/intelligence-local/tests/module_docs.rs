//! Every Rust file of this crate opens with a `//!` module doc.

use std::path::Path;

fn check_dir(dir: &Path, missing: &mut Vec<String>, seen: &mut usize) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            check_dir(&path, missing, seen);
        } else if path.extension().is_some_and(|e| e == "rs") {
            *seen += 1;
            let text = std::fs::read_to_string(&path).expect("read file");
            if !text.trim_start().starts_with("//!") {
                missing.push(path.display().to_string());
            }
        }
    }
}

#[test]
fn every_file_has_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let mut seen = 0;
    for dir in ["src", "tests", "benches"] {
        let dir = root.join(dir);
        if dir.is_dir() {
            check_dir(&dir, &mut missing, &mut seen);
        }
    }
    assert!(seen > 10, "found only {seen} files");
    assert!(missing.is_empty(), "files without a //! doc: {missing:?}");
}
