//! `find-changes`: listing, filters, output formats and verification.

use std::fs;

use crate::support::*;

fn find(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    env.cmd()
        .arg("find-changes")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn lists_sorted_paths_and_filters() {
    let env = TestEnv::new();
    let dir = env.add_split_run("run-fc");
    let output = find(&env, &dir, &[]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        format!(
            "{}\n{}\n",
            dir.join(BINARY_CHANGES).display(),
            dir.join(SOURCE_CHANGES).display()
        )
    );
    let output = find(&env, &dir, &["--source-only"]);
    assert_eq!(
        stdout(&output),
        format!("{}\n", dir.join(SOURCE_CHANGES).display())
    );
    let output = find(&env, &dir, &["--distribution", "experimental"]);
    assert_eq!(
        stdout(&output),
        format!("{}\n", dir.join(BINARY_CHANGES).display())
    );
    let output = find(
        &env,
        &dir,
        &[
            "--distribution",
            "experimental",
            "--distribution",
            "unstable",
        ],
    );
    assert_eq!(stdout(&output).lines().count(), 2);
    let output = find(&env, &dir, &["--distribution", "stable"]);
    assert_exit(&output, 4);
    assert_eq!(stdout(&output), "");
}

#[test]
fn null_terminated() {
    let env = TestEnv::new();
    let dir = env.add_run("run-0");
    let output = find(&env, &dir, &["-0"]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        format!(
            "{}\0{}\0",
            dir.join(BINARY_CHANGES).display(),
            dir.join(SOURCE_CHANGES).display()
        )
    );
}

#[test]
fn json_lines() {
    let env = TestEnv::new();
    let dir = env.add_run("run-json");
    let output = find(&env, &dir, &["--json", "--source-only"]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1);
    let value: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(
        value["path"],
        dir.join(SOURCE_CHANGES).display().to_string()
    );
    assert_eq!(value["source"], SOURCE);
    assert_eq!(value["version"], VERSION);
    assert_eq!(value["distribution"], "unstable");
    assert_eq!(value["architectures"], serde_json::json!(["source"]));
    let files: Vec<&str> = value["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"auhello_1.0-1.dsc"), "{files:?}");
    assert!(files.contains(&"auhello_1.0.orig.tar.gz"), "{files:?}");
    assert!(value["files"][0]["size"].as_u64().unwrap() > 0);
    assert_eq!(value["files"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn verification_and_no_verify() {
    let env = TestEnv::new();
    let dir = env.add_run("run-v");
    fs::remove_file(dir.join("auhello_1.0-1_all.deb")).unwrap();
    let output = find(&env, &dir, &[]);
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "auhello_1.0-1_all.deb: missing");
    let output = find(&env, &dir, &["--no-verify"]);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 2);

    fs::write(dir.join(SOURCE_CHANGES), "this is not deb822\n\n\n:::\n").unwrap();
    let output = find(&env, &dir, &["--source-only"]);
    assert_exit(&output, 5);
}

#[test]
fn missing_directory_exits_3_and_empty_exits_4() {
    let env = TestEnv::new();
    let output = find(&env, &env.path("nope"), &[]);
    assert_exit(&output, 3);
    assert_stderr_contains(&output, "nope");
    let output = find(&env, &env.path("work"), &[]);
    assert_exit(&output, 4);
    assert_stderr_contains(&output, "no");
    assert_eq!(stdout(&output), "");
}

#[test]
fn closed_stdout_is_not_an_error() {
    let env = TestEnv::new();
    env.add_run("run-pipe-closed");
    let dir = env.store().join("run-pipe-closed");
    // Many .changes so the writer outlives `head -n1`.
    for i in 0..2000 {
        fs::copy(
            dir.join(SOURCE_CHANGES),
            dir.join(format!("copy{i:04}_source.changes")),
        )
        .unwrap();
    }
    let output = env
        .shell(&format!(
            "\"$AU\" find-changes --no-verify '{}' | head -n1",
            dir.display()
        ))
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(
        !stderr(&output).contains("Broken pipe"),
        "{}",
        stderr(&output)
    );
}
