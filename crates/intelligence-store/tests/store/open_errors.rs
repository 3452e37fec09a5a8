//! Opening: a URL that is the caller's mistake is [`StoreError::InvalidUrl`],
//! whether the store finds it or libpq refuses it before connecting; a
//! database that cannot be opened fails at once with the reason, on `open`
//! and on the first `migrate` of a lazily opened store alike.

use std::time::{Duration, Instant};

use intelligence_store::{Store, StoreError, StoreOptions};

/// A lazy store whose pool would wait this long for a connection: far
/// longer than a test may take to fail with the reason.
fn lazy() -> StoreOptions {
    StoreOptions {
        lazy: true,
        connect_timeout: Duration::from_secs(10),
        ..StoreOptions::default()
    }
}

#[test]
fn migrate_on_a_lazy_store_fails_at_once_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A dangling symlink into a missing directory: nobody, root included,
    // can open it.
    let path = dir.path().join("intelligence.db");
    std::os::unix::fs::symlink(dir.path().join("missing/x.db"), &path).expect("symlink");
    let url = path.to_str().expect("utf-8");

    let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
    let started = Instant::now();
    let err = store.migrate().expect_err("cannot be opened");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("unable to open database file"), "{text}");
    assert!(!text.contains("timed out"), "{text}");
    assert_eq!(text.matches(url).count(), 1, "{text}");

    // A directory is refused by name, as `open` refuses it.
    let store = Store::open_with(dir.path().to_str().expect("utf-8"), &lazy()).expect("lazy");
    let err = store.migrate().expect_err("a directory");
    assert!(matches!(err, StoreError::InvalidUrl { .. }), "{err:?}");

    // A lazy store on a new path still creates it.
    let fresh = dir.path().join("new/dir/intelligence.db");
    let store = Store::open_with(fresh.to_str().expect("utf-8"), &lazy()).expect("lazy");
    assert_eq!(store.migrate().expect("migrates"), 2);
    assert_eq!(store.migrate().expect("migrates again"), 0);
}

#[test]
fn a_malformed_postgres_url_is_refused_before_connecting() {
    // Nothing to connect to, with or without the `postgres` feature: the
    // store refuses these before libpq sees them.
    for url in [
        "postgres://app:Hunter2/xyz@127.0.0.1:1/x",
        "postgres://app:Pw5ecret@E@127.0.0.1:1/x",
        "postgres://u@127.0.0.1:abc/x",
        "postgres://u@127.0.0.1:99999/x",
    ] {
        for options in [StoreOptions::default(), lazy()] {
            let err = Store::open_with(url, &options).expect_err(url);
            assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err}");
            let text = err.to_string();
            assert!(
                !text.contains("Hunter2") && !text.contains("Pw5ecret"),
                "{text}"
            );
        }
    }
}

#[cfg(feature = "postgres")]
#[test]
fn options_libpq_refuses_are_invalid_and_an_unreachable_server_is_not() {
    use super::support::{PG_ENV, skipped};

    let Ok(base) = std::env::var(PG_ENV) else {
        skipped(&format!(
            "options_libpq_refuses_are_invalid_and_an_unreachable_server_is_not: skipped: {PG_ENV} is not set"
        ));
        return;
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    for (query, named) in [
        ("sslmode=bogus", "invalid sslmode value"),
        ("bogusparam=1", "invalid URI query parameter"),
        ("connect_timeout=x", "invalid integer value"),
        ("port=abc", "invalid integer value"),
        ("port=99999", "invalid port number"),
        ("options=a%zz", "invalid percent-encoded token"),
    ] {
        let url = format!("{base}{separator}{query}");
        let err = Store::open(&url).expect_err(&url);
        assert!(
            matches!(err, StoreError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains(named), "{url}: {err}");
        // The same from the first migrate of a lazy store, at once.
        let store = Store::open_with(&url, &lazy()).expect("a lazy store opens");
        let started = Instant::now();
        let err = store.migrate().expect_err(&url);
        assert!(
            matches!(err, StoreError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{url}");
    }
    // A closed port is a database that cannot be reached, not a bad URL.
    let err = Store::open("postgres://postgres@127.0.0.1:1/test").expect_err("port 1");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert_eq!(err.to_string().matches("127.0.0.1:1").count(), 1, "{err}");
}
