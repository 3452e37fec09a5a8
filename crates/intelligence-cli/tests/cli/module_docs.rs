//! Every source file of the crate opens with a `//!` module doc.

use std::path::Path;

fn check(dir: &Path, missing: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            check(&path, missing);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("read");
            if !text.starts_with("//!") {
                missing.push(path.display().to_string());
            }
        }
    }
}

#[test]
fn every_file_has_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    check(&root.join("src"), &mut missing);
    check(&root.join("tests"), &mut missing);
    assert!(missing.is_empty(), "no //! doc: {missing:?}");
}
