//! PostgreSQL for the benches: the server's URL, and a dedicated database
//! per bench that is dropped when its guard goes out of scope, failure or
//! not.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::tools::Spec;

/// The server the benches use: `INTELLIGENCE_TEST_DATABASE_URL`, else the
/// local test server.
pub fn admin_url() -> String {
    std::env::var("INTELLIGENCE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// `url` with its database replaced by `name`, keeping user, host and query.
pub fn with_database(url: &str, name: &str) -> Result<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        bail!("not a postgres URL: expected postgres://user@host/db");
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map_or("", |q| &tail[q..]);
    Ok(format!("{scheme}://{authority}/{name}{query}"))
}

/// A database created for one bench, dropped on drop.
pub struct Database {
    probe: PathBuf,
    admin: String,
    name: String,
    /// Its URL.
    pub url: String,
}

impl Database {
    /// Creates `intelligence_bench_<pid>_<purpose>` on the server at `admin`.
    pub fn create(probe: &Path, admin: &str, purpose: &str) -> Result<Self> {
        let name = format!("intelligence_bench_{}_{purpose}", std::process::id());
        let url = with_database(admin, &name)?;
        // A database left by an earlier run killed with this pid goes first.
        drop_database(probe, admin, &name)?;
        Spec::new(probe, &["pg-create", "--admin-url", admin, "--name", &name]).run_quiet()?;
        Ok(Self {
            probe: probe.to_owned(),
            admin: admin.to_owned(),
            name,
            url,
        })
    }
}

fn drop_database(probe: &Path, admin: &str, name: &str) -> Result<()> {
    Spec::new(probe, &["pg-drop", "--admin-url", admin, "--name", name]).run_quiet()
}

impl Drop for Database {
    fn drop(&mut self) {
        eprintln!("$ DROP DATABASE {} WITH (FORCE)", self.name);
        if let Err(err) = drop_database(&self.probe, &self.admin, &self.name) {
            eprintln!("warning: could not drop database {}: {err:#}", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "b").expect("url"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/x?sslmode=disable", "b").expect("url"),
            "postgresql://u:p@h/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h", "b").expect("url"),
            "postgres://h/b"
        );
        assert!(with_database("h/x", "b").is_err());
    }
}
