//! The single steps as a shell pipeline:
//! `fetch-artifacts`, then `find-changes | sign | dput`.

use crate::support::*;

#[test]
fn fetch_find_sign_dput_pipeline_reaches_the_archive() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-pipe");
    let before = snapshot(&run_dir);

    let fetched = run(&mut env.fetch_artifacts("run-pipe"));
    let dir = stdout(&fetched).trim().to_owned();
    assert!(dir.ends_with("work/run-pipe"), "{dir}");

    let script = format!(
        "\"$AU\" find-changes '{dir}' | \"$AU\" sign --keyid {key} | \"$AU\" dput --host {HOST} --dput-config '{cf}'",
        key = fixture().fingerprint,
        cf = env.dput_cf().display(),
    );
    let output = env.shell(&script).output().unwrap();
    assert_exit(&output, 0);
    let uploaded: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(
        uploaded,
        vec![
            format!("{dir}/{BINARY_CHANGES}"),
            format!("{dir}/{SOURCE_CHANGES}")
        ]
    );
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_eq!(snapshot(&run_dir), before);
}

#[test]
fn sign_and_dput_take_nul_separated_paths() {
    let env = TestEnv::new();
    env.add_run("run-nul");
    let dir = stdout(&run(&mut env.fetch_artifacts("run-nul")))
        .trim()
        .to_owned();
    let script = format!(
        "\"$AU\" find-changes -0 --source-only '{dir}' | \"$AU\" sign -0 --keyid {key} | \"$AU\" dput -0 --host {HOST} --dput-config '{cf}' | tr '\\0' '\\n'",
        key = fixture().fingerprint,
        cf = env.dput_cf().display(),
    );
    let output = env.shell(&script).output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), format!("{dir}/{SOURCE_CHANGES}\n"));
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

#[test]
fn sign_failure_is_exit_6_and_the_rest_still_signed() {
    let env = TestEnv::new();
    let dir = env.add_run("run-sign");
    let output = env
        .cmd()
        .args(["sign", "--keyid", &fixture().fingerprint])
        .arg(dir.join("missing.changes"))
        .arg(dir.join(SOURCE_CHANGES))
        .output()
        .unwrap();
    assert_exit(&output, 6);
    assert_eq!(
        stdout(&output),
        format!("{}\n", dir.join(SOURCE_CHANGES).display())
    );
}

#[test]
fn dput_refuses_unsigned_changes_with_exit_7() {
    let env = TestEnv::new();
    let dir = env.add_run("run-unsigned");
    let output = env
        .cmd()
        .args(["dput", "--host", HOST, "--dput-config"])
        .arg(env.dput_cf())
        .arg(dir.join(SOURCE_CHANGES))
        .output()
        .unwrap();
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "dput exited with");
    assert!(env.incoming().is_empty());
}
