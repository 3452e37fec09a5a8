//! The documented JSON shapes, snapshotted with every value replaced by its
//! type (ids, times and durations are volatile; the keys are the contract).

use super::support::{Env, shape};

#[test]
fn recommend_json_shape() {
    let env = Env::new();
    let tree = env.tree();
    let report = env.json(&[
        "recommend",
        "--disk",
        "--path",
        Env::path_str(&tree),
        "--threshold-mb",
        "1",
    ]);
    // `details` is the provider's own shape (docs/local-provider.md); this
    // snapshot is the CLI's envelope and the recommendation's keys.
    insta::assert_json_snapshot!(shape(&report), {
        ".analyses[].recommendations[].details" => "[provider details]",
    });
}

#[test]
fn runs_list_json_shape() {
    let env = Env::new();
    env.json(&["recommend", "--memory"]);
    let listed = env.json(&["runs", "list"]);
    insta::assert_json_snapshot!(shape(&listed), {
        ".runs[].recommendations" => "[recommendations: as in recommend --json]",
    });
}

#[test]
fn incident_json_shape() {
    let env = Env::new();
    let added = env.json(&[
        "incidents",
        "add",
        "--title",
        "t",
        "--metadata",
        "k=v",
        "--alert",
        "A=d",
    ]);
    insta::assert_json_snapshot!(shape(&added));
}

#[test]
fn small_json_shapes() {
    let env = Env::new();
    insta::assert_json_snapshot!("providers", shape(&env.json(&["providers"])));
    insta::assert_json_snapshot!("migrate", shape(&env.json(&["migrate"])));
    insta::assert_json_snapshot!("reap", shape(&env.json(&["runs", "reap"])));
    insta::assert_json_snapshot!(
        "prune",
        shape(&env.json(&["runs", "prune", "--older-than", "30d"]))
    );
}
