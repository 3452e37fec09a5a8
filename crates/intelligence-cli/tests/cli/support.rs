//! Shared test helpers: a temporary database, a command preset to use it,
//! and a small directory tree to scan.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary directory holding the database and a tree to scan.
pub struct Env {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Env {
    /// A fresh database path (the file is created on first use).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("data").join("intelligence.db");
        Self { dir, db }
    }

    /// `intelligence` with this database, no colours, no logs, no API key,
    /// an OpenAI base URL on loopback (so that no test can reach outside),
    /// and a data directory inside the tempdir.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("intelligence").expect("binary");
        cmd.env("DATABASE_URL", &self.db)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env_remove("RUST_LOG")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("OPENAI_API_KEY")
            .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");
        cmd
    }

    /// Runs `args` with `--json`, asserts exit 0, parses stdout whole.
    pub fn json(&self, args: &[&str]) -> Value {
        let output = self.cmd().args(args).arg("--json").output().expect("run");
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "{args:?} printed something besides JSON ({err}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }

    /// Every run in the database, newest first.
    pub fn runs(&self) -> Vec<Value> {
        let listed = self.json(&["runs", "list", "--limit", "1000"]);
        listed["runs"].as_array().expect("runs array").clone()
    }

    /// A small tree to scan: a 2 MB log that is 60 days old, and a folder.
    pub fn tree(&self) -> PathBuf {
        let root = self.dir.path().join("tree");
        let logs = root.join("logs");
        std::fs::create_dir_all(&logs).expect("mkdir");
        let log = logs.join("app.log");
        std::fs::write(&log, vec![b'x'; 2 * 1024 * 1024]).expect("write log");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60 * 86_400);
        let file = std::fs::File::options()
            .write(true)
            .open(&log)
            .expect("open log");
        file.set_modified(old).expect("age the log");
        root
    }

    /// The tempdir's path as text.
    pub fn path_str(path: &Path) -> &str {
        path.to_str().expect("utf-8 path")
    }
}

/// Stdout as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The shape of a JSON value: every leaf replaced by its type's name,
/// every array by the shape of its first element.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::String("null".into()),
        Value::Bool(_) => Value::String("bool".into()),
        Value::Number(_) => Value::String("number".into()),
        Value::String(_) => Value::String("string".into()),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
    }
}
