//! `fetch-artifacts`: copies, modes, destinations and refusals.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[test]
fn copies_every_file_world_readable() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-fa");
    let dest = env.path("dest");
    let output = env
        .cmd()
        .args(["fetch-artifacts", "run-fa", "--artifacts"])
        .arg(format!("file://{}", env.store().display()))
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).trim(), dest.display().to_string());
    assert_eq!(snapshot(&dest), snapshot(&run_dir));
    for name in list_dir(&dest) {
        let mode = fs::metadata(dest.join(&name)).unwrap().permissions().mode() & 0o777;
        // 0644 less the umask; the test's umask leaves "other" read access.
        assert_eq!(mode & 0o604, 0o604, "{name}: {mode:o}");
    }
}

#[test]
fn default_destination_is_the_run_id() {
    let env = TestEnv::new();
    env.add_run("run-default");
    let output = env.fetch_artifacts("run-default").output().unwrap();
    assert_exit(&output, 0);
    assert!(env.path("work/run-default").join(SOURCE_CHANGES).is_file());
}

#[test]
fn nested_objects_are_refused() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-nested");
    fs::create_dir(run_dir.join("sub")).unwrap();
    fs::write(run_dir.join("sub/evil"), "x").unwrap();
    let output = env.fetch_artifacts("run-nested").output().unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "not a plain file name");
}

#[test]
fn missing_run_and_bad_location() {
    let env = TestEnv::new();
    let output = env.fetch_artifacts("nope").output().unwrap();
    assert_exit(&output, 3);
    let output = env
        .cmd()
        .args(["fetch-artifacts", "nope", "--artifacts", "ftp://example/x"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "unsupported scheme");
}

#[test]
fn debian_file_names_keep_their_characters() {
    // `~` and `+` are in most backport and Janitor versions; object_store
    // percent-encodes some characters in its paths, and the copy must use
    // the file's real name.
    let env = TestEnv::new();
    let run_dir = env.add_run("run-names");
    for name in [
        "hello_1.0~rc1-1~bpo12+1.dsc",
        "hello_1.0-1jan+lint1_all.deb",
    ] {
        fs::write(run_dir.join(name), name).unwrap();
    }
    let dest = env.path("dest");
    let output = env
        .fetch_artifacts("run-names")
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(snapshot(&dest), snapshot(&run_dir));
}

#[test]
fn unwritable_destination_fails_with_its_path() {
    let env = TestEnv::new();
    env.add_run("run-unwritable");
    let blocker = env.path("blocker");
    fs::write(&blocker, "a file, not a directory").unwrap();
    let output = env
        .fetch_artifacts("run-unwritable")
        .arg("--dest")
        .arg(blocker.join("dest"))
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert_stderr_contains(
        &output,
        &format!("cannot write {}", blocker.join("dest").display()),
    );
}
