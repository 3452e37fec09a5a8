//! Disk paths: the allowed-roots check for paths that come from outside,
//! and `~` expansion for the configured scan paths.
//!
//! A path is resolved with [`std::fs::canonicalize`] (symlinks and `..`
//! resolved) and must then lie inside one allowed root, compared component
//! by component: `/usr2` is not inside `/usr`. A root of `/` permits only
//! `/` itself, the whole-machine scan; it does not open every path.
//!
//! Before anything is read, the path is also normalised lexically (`.` and
//! `..` folded, relative paths joined to the working directory) and refused
//! when that form lies outside every root: a refused path then says nothing
//! about what exists there (no "does not exist" versus "not allowed" probe).

use std::path::{Path, PathBuf};

use crate::error::LocalError;

/// The allowed roots, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct AllowedRoots {
    /// Canonical roots other than `/`; a root that does not exist is left out.
    roots: Vec<PathBuf>,
    /// The roots as configured, `..` folded, for the lexical check.
    configured: Vec<PathBuf>,
    /// Whether `/` itself may be scanned.
    whole_machine: bool,
    /// The roots as configured, for error messages.
    display: String,
}

impl AllowedRoots {
    /// Resolves the configured roots. A root that does not exist (no `/srv`
    /// on this machine) permits nothing and is dropped.
    pub(crate) fn new(configured: &[PathBuf]) -> Self {
        let mut roots = Vec::new();
        let mut whole_machine = false;
        for root in configured {
            match std::fs::canonicalize(root) {
                Ok(canonical) if canonical == Path::new("/") => whole_machine = true,
                Ok(canonical) => roots.push(canonical),
                Err(err) => {
                    tracing::debug!(root = %root.display(), error = %err, "allowed root skipped");
                }
            }
        }
        let display = configured
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            roots,
            configured: configured
                .iter()
                .filter_map(|r| lexical_absolute(r))
                .collect(),
            whole_machine,
            display,
        }
    }

    /// Resolves `path` and checks it against the roots. The answer is a
    /// canonical directory inside one root. Resolving looks only at the
    /// path's own components; nothing below it is read before the check.
    pub(crate) fn resolve(&self, path: &Path) -> Result<PathBuf, LocalError> {
        // A NUL byte can name no file; say so rather than "outside the
        // roots", which the lexical form (`/tmp\0` is not `/tmp`) would say.
        if path.as_os_str().as_encoded_bytes().contains(&0) {
            return Err(LocalError::PathUnresolvable {
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the path contains a NUL byte",
                ),
            });
        }
        if let Some(lexical) = lexical_absolute(path)
            && !self.permits_lexically(&lexical)
        {
            return Err(self.outside(path));
        }
        let canonical =
            std::fs::canonicalize(path).map_err(|source| LocalError::PathUnresolvable {
                path: path.to_owned(),
                source,
            })?;
        if !self.permits(&canonical) {
            return Err(self.outside(path));
        }
        if !canonical.is_dir() {
            return Err(LocalError::NotADirectory {
                path: path.to_owned(),
            });
        }
        Ok(canonical)
    }

    /// The lexical check: inside a root as configured or as canonicalised
    /// (a configured root may itself be a symlink).
    fn permits_lexically(&self, lexical: &Path) -> bool {
        if lexical == Path::new("/") {
            return self.whole_machine;
        }
        self.roots
            .iter()
            .chain(self.configured.iter())
            .any(|root| root != Path::new("/") && lexical.starts_with(root))
    }

    fn permits(&self, canonical: &Path) -> bool {
        if canonical == Path::new("/") {
            return self.whole_machine;
        }
        self.roots.iter().any(|root| canonical.starts_with(root))
    }

    fn outside(&self, path: &Path) -> LocalError {
        LocalError::OutsideAllowedRoots {
            path: path.to_owned(),
            roots: self.display.clone(),
        }
    }
}

/// `path` with a leading `~` replaced by `$HOME`; `None` when it starts with
/// `~` and there is no home.
/// `path` made absolute against the working directory with `.` and `..`
/// folded, without touching the filesystem; `None` when there is no working
/// directory to join a relative path to.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    use std::path::Component;

    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut out = PathBuf::from("/");
    for component in joined.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

pub(crate) fn expand_home(path: &Path) -> Option<PathBuf> {
    match path.strip_prefix("~") {
        Ok(rest) => {
            let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
            Some(PathBuf::from(home).join(rest))
        }
        Err(_) => Some(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(dir: &Path, extra: &[&str]) -> AllowedRoots {
        let mut configured = vec![dir.to_owned()];
        configured.extend(extra.iter().map(PathBuf::from));
        AllowedRoots::new(&configured)
    }

    #[test]
    fn inside_a_root_resolves_to_the_canonical_directory() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let allowed = tmp.path().join("allowed");
        std::fs::create_dir_all(allowed.join("a/b")).expect("mkdir");
        let r = roots(&allowed, &[]);
        let got = r.resolve(&allowed.join("a/./b/..")).expect("inside");
        assert_eq!(
            got,
            std::fs::canonicalize(allowed.join("a")).expect("canon")
        );
    }

    #[test]
    fn a_sibling_with_a_common_prefix_is_not_inside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("usr")).expect("mkdir");
        std::fs::create_dir_all(tmp.path().join("usr2")).expect("mkdir");
        let r = roots(&tmp.path().join("usr"), &[]);
        let err = r.resolve(&tmp.path().join("usr2")).expect_err("outside");
        assert!(
            matches!(err, LocalError::OutsideAllowedRoots { .. }),
            "{err}"
        );
    }

    #[test]
    fn dot_dot_and_symlinks_cannot_escape() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let allowed = tmp.path().join("allowed");
        let secret = tmp.path().join("secret");
        std::fs::create_dir_all(&allowed).expect("mkdir");
        std::fs::create_dir_all(&secret).expect("mkdir");
        std::os::unix::fs::symlink(&secret, allowed.join("link")).expect("symlink");
        let r = roots(&allowed, &[]);

        for path in [
            allowed.join("../secret"),
            allowed.join("link"),
            allowed.join("link/."),
        ] {
            let err = r.resolve(&path).expect_err("escapes");
            assert!(
                matches!(err, LocalError::OutsideAllowedRoots { .. }),
                "{path:?}: {err}"
            );
        }
    }

    #[test]
    fn a_missing_path_outside_the_roots_is_refused_as_outside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let allowed = tmp.path().join("allowed");
        std::fs::create_dir_all(&allowed).expect("mkdir");
        let r = roots(&allowed, &[]);
        for path in [
            tmp.path().join("elsewhere/does-not-exist"),
            allowed.join("../nowhere"),
        ] {
            let err = r.resolve(&path).expect_err("outside");
            assert!(
                matches!(err, LocalError::OutsideAllowedRoots { .. }),
                "{path:?}: {err}"
            );
        }
        let err = r
            .resolve(&allowed.join("missing"))
            .expect_err("inside but missing");
        assert!(matches!(err, LocalError::PathUnresolvable { .. }), "{err}");
    }

    #[test]
    fn a_path_with_a_nul_byte_is_unresolvable_not_outside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let allowed = tmp.path().join("allowed");
        std::fs::create_dir_all(&allowed).expect("mkdir");
        let r = roots(&allowed, &[]);
        let path = PathBuf::from(format!("{}\0/x", allowed.display()));
        let err = r.resolve(&path).expect_err("nul");
        assert!(matches!(err, LocalError::PathUnresolvable { .. }), "{err}");
        assert!(err.to_string().contains("NUL byte"), "{err}");
    }

    #[test]
    fn lexical_normalisation_folds_dots() {
        assert_eq!(
            lexical_absolute(Path::new("/a/./b/../c/..")),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(
            lexical_absolute(Path::new("/../..")),
            Some(PathBuf::from("/"))
        );
    }

    #[test]
    fn slash_as_a_root_permits_only_slash_itself() {
        let r = AllowedRoots::new(&[PathBuf::from("/")]);
        assert_eq!(
            r.resolve(Path::new("/")).expect("whole machine"),
            PathBuf::from("/")
        );
        let err = r.resolve(Path::new("/etc")).expect_err("not every path");
        assert!(
            matches!(err, LocalError::OutsideAllowedRoots { .. }),
            "{err}"
        );
        let err = r
            .resolve(Path::new("/etc/.."))
            .expect("dot dot back to slash");
        assert_eq!(err, PathBuf::from("/"));
    }

    #[test]
    fn missing_paths_and_files_are_errors() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let r = roots(tmp.path(), &[]);
        let err = r.resolve(&tmp.path().join("nope")).expect_err("missing");
        assert!(matches!(err, LocalError::PathUnresolvable { .. }), "{err}");
        let file = tmp.path().join("f");
        std::fs::write(&file, b"x").expect("write");
        let err = r.resolve(&file).expect_err("file");
        assert!(matches!(err, LocalError::NotADirectory { .. }), "{err}");
    }

    #[test]
    fn home_is_expanded() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let got = expand_home(Path::new("~/.cache"));
        assert_eq!(got, home.map(|h| h.join(".cache")));
        assert_eq!(
            expand_home(Path::new("/var/log")),
            Some(PathBuf::from("/var/log"))
        );
    }
}
