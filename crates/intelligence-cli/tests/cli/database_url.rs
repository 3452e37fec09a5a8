//! The database URL: a blank `--database-url`, a malformed `postgres://`
//! URL and a `sqlite://` URL with a query are usage errors (exit 2, one
//! line, before any analysis, the password never shown); a blank
//! `DATABASE_URL` counts as unset; a database that cannot be opened fails
//! `migrate` at once with the reason, as it fails other commands.

use std::time::{Duration, Instant};

use super::support::{Env, stderr, stdout};

/// Runs `args` (`--database-url URL` first when given), asserts exit 2, no
/// stdout and one line on stderr, returns it.
fn refused(env: &Env, url: Option<&str>, args: &[&str]) -> String {
    let mut cmd = env.cmd();
    cmd.current_dir(env.dir.path());
    if let Some(url) = url {
        cmd.arg("--database-url").arg(url);
    }
    let output = cmd.args(args).output().expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{url:?} {args:?}: {err}");
    assert!(
        output.stdout.is_empty(),
        "{url:?} {args:?}: {}",
        stdout(&output)
    );
    assert_eq!(err.lines().count(), 1, "{url:?} {args:?}: {err}");
    err
}

/// The commands that open the database, `recommend` refusing before it
/// analyses.
const COMMANDS: [&[&str]; 3] = [&["runs", "list"], &["migrate"], &["recommend", "--memory"]];

#[test]
fn a_blank_database_url_flag_exits_2_and_a_blank_variable_means_unset() {
    let env = Env::new();
    let default_db = env.dir.path().join("xdg/intelligence/intelligence.db");
    for blank in ["", " "] {
        for args in COMMANDS {
            let err = refused(&env, Some(blank), args);
            assert!(err.contains("--database-url is empty"), "{err}");
        }
        // Even when the variable is blank too.
        let output = env
            .cmd()
            .env("DATABASE_URL", blank)
            .args(["--database-url", blank, "runs", "list"])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    }
    assert!(
        !default_db.exists(),
        "a blank flag used the default database"
    );
    assert!(!env.db.exists());

    // DATABASE_URL= (or blank) is how a shell unsets it for one command.
    for blank in ["", " "] {
        let output = env
            .cmd()
            .env("DATABASE_URL", blank)
            .args(["runs", "list"])
            .output()
            .expect("run");
        assert!(output.status.success(), "{blank:?}: {}", stderr(&output));
        assert!(default_db.is_file(), "{blank:?}: the default database");
    }
}

#[test]
fn a_malformed_postgres_url_exits_2_naming_what_is_wrong_without_the_password() {
    let env = Env::new();
    for (url, shown, named) in [
        (
            "postgres://app:Hunter2/xyz@127.0.0.1:1/x",
            "postgres://app:***@127.0.0.1:1/x",
            "percent-encode \"/\" as %2F",
        ),
        (
            "postgres://app:Pw5ecret@E@127.0.0.1:1/x",
            "postgres://app:***@127.0.0.1:1/x",
            "\"@\" as %40",
        ),
        (
            "postgres://u@h:abc/x",
            "postgres://u@h:abc/x",
            "port \"abc\"",
        ),
        (
            "postgres://u@h:99999/x",
            "postgres://u@h:99999/x",
            "port \"99999\"",
        ),
    ] {
        for args in COMMANDS {
            let err = refused(&env, Some(url), args);
            assert!(err.contains(named), "{url} {args:?}: {err}");
            assert_eq!(err.matches(shown).count(), 1, "{url} {args:?}: {err}");
            for hidden in ["Hunter2", "xyz", "Pw5ecret", "E@"] {
                assert!(!err.contains(hidden), "{url} {args:?}: {err}");
            }
        }
    }
    assert_eq!(std::fs::read_dir(env.dir.path()).expect("read").count(), 0);
}

#[test]
fn a_sqlite_url_with_a_query_exits_2_and_a_plain_path_is_literal() {
    let env = Env::new();
    let dir = env.dir.path().join("t");
    let url = format!("sqlite://{}/q?mode=ro", dir.display());
    for args in COMMANDS {
        let err = refused(&env, Some(&url), args);
        assert!(err.contains("\"?\""), "{err}");
    }
    assert!(!dir.exists(), "a refused URL created its directory");

    let path = dir.join("q?mode=ro");
    env.cmd()
        .args(["--database-url", path.to_str().expect("utf-8"), "migrate"])
        .assert()
        .success();
    assert!(path.is_file());
}

#[test]
fn an_unopenable_database_fails_migrate_at_once_with_the_reason_named_once() {
    let env = Env::new();
    // A dangling symlink into a missing directory: nobody, root included,
    // can open it.
    let path = env.dir.path().join("intelligence.db");
    std::os::unix::fs::symlink(env.dir.path().join("missing/x.db"), &path).expect("symlink");
    let path = path.to_str().expect("utf-8");
    for args in [&["migrate"][..], &["runs", "list"]] {
        let started = Instant::now();
        let output = env
            .cmd()
            .args(["--database-url", path])
            .args(args)
            .output()
            .expect("run");
        let err = stderr(&output);
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{args:?} waited {:?}",
            started.elapsed()
        );
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("unable to open database file"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("timed out"), "{args:?}: {err}");
        assert_eq!(err.matches(path).count(), 1, "{args:?}: {err}");
        assert_eq!(err.matches("database").count(), 2, "{args:?}: {err}");
    }
}

/// libpq's own refusals of the options it reads before connecting are
/// usage errors too; a server that cannot be reached is not.
#[cfg(feature = "postgres")]
#[test]
fn options_libpq_refuses_exit_2_and_an_unreachable_server_exits_1() {
    let Ok(base) = std::env::var("INTELLIGENCE_TEST_DATABASE_URL") else {
        eprintln!(
            "skipped: INTELLIGENCE_TEST_DATABASE_URL is unset, so the libpq refusal test did not run"
        );
        return;
    };
    let env = Env::new();
    let separator = if base.contains('?') { '&' } else { '?' };
    for (query, named) in [
        ("sslmode=bogus", "invalid sslmode value: \"bogus\""),
        (
            "bogusparam=1",
            "invalid URI query parameter: \"bogusparam\"",
        ),
    ] {
        let url = format!("{base}{separator}{query}");
        for args in COMMANDS {
            let err = refused(&env, Some(&url), args);
            assert!(err.contains(named), "{url} {args:?}: {err}");
            assert_eq!(err.matches(&url).count(), 1, "{url} {args:?}: {err}");
        }
    }
    let output = env
        .cmd()
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/test"])
        .args(["runs", "list"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}
