//! Snapshots of `--help`: the commands and flags as users read them.

use super::support::{Env, stdout};

fn help(args: &[&str]) -> String {
    let env = Env::new();
    let output = env.cmd().args(args).arg("--help").output().expect("run");
    assert!(output.status.success());
    stdout(&output)
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&[]));
}

#[test]
fn recommend_help() {
    insta::assert_snapshot!(help(&["recommend"]));
}

#[test]
fn runs_help() {
    insta::assert_snapshot!("runs_help", help(&["runs"]));
    insta::assert_snapshot!("runs_list_help", help(&["runs", "list"]));
    insta::assert_snapshot!("runs_reap_help", help(&["runs", "reap"]));
    insta::assert_snapshot!("runs_prune_help", help(&["runs", "prune"]));
}

#[test]
fn incidents_help() {
    insta::assert_snapshot!("incidents_add_help", help(&["incidents", "add"]));
}
