//! Our own signature checked before dput: gpgv against `--keyring`, and
//! the files against the checksums the signed `.changes` gives.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::support::*;

/// A keyring holding the fixture's signing key.
fn our_keyring(env: &TestEnv) -> PathBuf {
    let keyring = env.path("ours.gpg");
    let output = run(Command::new("gpg")
        .arg("--homedir")
        .arg(&fixture().gnupghome)
        .args(["--batch", "--export", &fixture().fingerprint]));
    fs::write(&keyring, output.stdout).unwrap();
    keyring
}

/// A keyring holding only a key of the test's own, not the signing key.
pub(crate) fn other_keyring(env: &TestEnv) -> PathBuf {
    let home = env.path("other-gnupg");
    fs::create_dir(&home).unwrap();
    run(Command::new("chmod").arg("700").arg(&home));
    run(Command::new("gpg")
        .arg("--homedir")
        .arg(&home)
        .args(["--batch", "--passphrase", "", "--quick-gen-key"])
        .args(["Other <other@example.org>", "ed25519", "sign", "1d"]));
    let output = run(Command::new("gpg").arg("--homedir").arg(&home).args([
        "--batch",
        "--export",
        "other@example.org",
    ]));
    let keyring = env.path("other.gpg");
    fs::write(&keyring, output.stdout).unwrap();
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&home)
        .args(["--kill", "all"])
        .status();
    keyring
}

#[test]
fn a_signature_the_keyring_verifies_is_uploaded() {
    let env = TestEnv::new();
    env.add_run("run-good-sig");
    let keyring = our_keyring(&env);
    let output = env
        .upload_run("run-good-sig")
        .arg("--keyring")
        .arg(&keyring)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_binary_accepted(&listing);
}

#[test]
fn a_signature_the_keyring_does_not_know_is_never_uploaded() {
    let env = TestEnv::new();
    env.add_run("run-other-sig");
    let keyring = other_keyring(&env);
    let output = env
        .upload_run("run-other-sig")
        .env("AUTO_UPLOAD_KEYRING", &keyring)
        .output()
        .unwrap();
    assert_exit(&output, 6);
    assert_stdout_contains(&output, "bad-signature");
    assert_stderr_contains(&output, "does not verify");
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
}

#[test]
fn a_dsc_altered_after_signing_fails_with_exit_6() {
    let env = TestEnv::new();
    env.add_run("run-altered");
    let keyring = our_keyring(&env);
    // debsign, then something changes the .dsc it signed.
    let debsign = env.script(
        "debsign-then-alter",
        "debsign \"$@\" && for f in *.dsc; do printf ' ' >> \"$f\"; done",
    );
    let output = env
        .upload_run("run-altered")
        .arg("--keyring")
        .arg(&keyring)
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    assert_exit(&output, 6);
    assert_stdout_contains(&output, "bad-signature");
    assert!(
        !env.incoming()
            .iter()
            .any(|f| f.ends_with("_source.changes")),
        "{:?}",
        env.incoming()
    );
}

#[test]
fn find_changes_verify_signature_for_pipelines() {
    let env = TestEnv::new();
    env.add_run("run-pipe-sig");
    let dir = env.path("fetched");
    let ours = our_keyring(&env);
    let other = other_keyring(&env);
    let output = env
        .cmd()
        .args(["fetch-artifacts", "run-pipe-sig", "--dest"])
        .arg(&dir)
        .arg("--artifacts")
        .arg(env.store())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    // Unsigned: nothing verifies.
    let find = |keyring: &PathBuf| {
        env.cmd()
            .args(["find-changes", "--verify-signature", "--keyring"])
            .arg(keyring)
            .arg(&dir)
            .output()
            .unwrap()
    };
    assert_exit(&find(&ours), 6);
    // sign verifies what it signed, with the same option.
    let output = env
        .shell(&format!(
            "\"$AU\" find-changes '{}' | \"$AU\" sign --keyid {} --keyring '{}'",
            dir.display(),
            fixture().fingerprint,
            ours.display()
        ))
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let output = find(&ours);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let output = find(&other);
    assert_exit(&output, 6);
    assert_eq!(stdout(&output), "");
    // --verify-signature needs a keyring.
    let output = env
        .cmd()
        .args(["find-changes", "--verify-signature"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_exit(&output, 2);
}

/// A keyring holding both the signing key and a second key (the test's
/// own, in `other-gnupg`, uid other@example.org).
fn both_keyring(env: &TestEnv) -> PathBuf {
    let ours = fs::read(our_keyring(env)).unwrap();
    let other = fs::read(other_keyring(env)).unwrap();
    let both = env.path("both.gpg");
    fs::write(&both, [ours, other].concat()).unwrap();
    both
}

/// Stops the second key's gpg-agent, if one was started.
fn stop_other_agent(env: &TestEnv) {
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(env.path("other-gnupg"))
        .args(["--kill", "all"])
        .status();
}

#[test]
fn a_signature_by_another_key_of_the_keyring_is_never_uploaded() {
    let env = TestEnv::new();
    env.add_run("run-pin");
    let both = both_keyring(&env);
    // A debsign that signs with the other key: gpgv accepts it (the key is
    // in the keyring), the pin to the signing key does not.
    let debsign = env.script(
        "debsign-other",
        &format!(
            "for last; do :; done\nGNUPGHOME='{}' exec debsign -kother@example.org --re-sign \"$last\"",
            env.path("other-gnupg").display()
        ),
    );
    let output = env
        .upload_run("run-pin")
        .arg("--keyring")
        .arg(&both)
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    stop_other_agent(&env);
    assert_exit(&output, 6);
    assert_stderr_contains(&output, "which is not the signing key");
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());

    // The same keyring with our own signature: uploaded.
    env.add_run("run-pin-ok");
    let output = env
        .upload_run("run-pin-ok")
        .arg("--keyring")
        .arg(&both)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(env.incoming().len(), 8);
}

#[test]
fn a_second_dsc_clear_signed_by_another_key_is_refused_before_signing() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-2dsc");
    let both = both_keyring(&env);
    let dsc = run_dir.join("auhello_1.0-1.dsc");
    let signed = run(Command::new("gpg")
        .arg("--homedir")
        .arg(env.path("other-gnupg"))
        .args([
            "--batch",
            "-u",
            "other@example.org",
            "--clearsign",
            "-o",
            "-",
        ])
        .arg(&dsc));
    stop_other_agent(&env);
    list_file(
        &run_dir.join(SOURCE_CHANGES),
        "auhello_1.0-2.dsc",
        &signed.stdout,
    );
    let debsign = env.logging_tool("debsign-2dsc", "exec debsign \"$@\"");
    let output = env
        .upload_run("run-2dsc")
        .arg("--keyring")
        .arg(&both)
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "allows at most one .dsc");
    assert!(env.calls("debsign-2dsc").is_empty());
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
}

#[test]
fn what_debsign_leaves_is_read_again_without_a_keyring() {
    let env = TestEnv::new();
    env.add_run("run-reread");
    // A debsign that leaves a line the strict parser refuses (debsign and
    // dput would read a file name from it).
    let debsign = env.script(
        "debsign-junk",
        "debsign \"$@\" || exit 1\nfor last; do :; done\necho ' 0 1 a b$(x).dsc' >> \"$last\"",
    );
    let output = env
        .upload_run("run-reread")
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    assert_exit(&output, 6);
    assert_stderr_contains(
        &output,
        "the signed .changes does not match what was checked",
    );
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
}

#[test]
fn listen_exports_when_the_signing_key_expires() {
    use crate::support::service::*;
    let env = TestEnv::new();
    // The other key expires in a day (other_keyring makes it so).
    other_keyring(&env);
    let home = env.path("other-gnupg");
    let port = free_port();
    let mut child = env
        .cmd()
        .args(["listen", "--redis", REDIS, "--channel", &channel("expiry")])
        .args(["--health-addr", &format!("127.0.0.1:{port}"), "--artifacts"])
        .arg(env.store())
        .args(["--keyid", "other@example.org"])
        .env("GNUPGHOME", &home)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let gauge = || -> f64 {
        http_get(port, "/metrics")
            .and_then(|(_, body)| {
                body.lines().find_map(|l| {
                    l.strip_prefix("auto_upload_signing_key_expiry_timestamp_seconds ")
                        .and_then(|v| v.trim().parse().ok())
                })
            })
            .unwrap_or(0.0)
    };
    wait_until(20, "the expiry gauge", || gauge() > 0.0);
    let expiry = gauge();
    let _ = child.kill();
    let _ = child.wait();
    stop_other_agent(&env);
    assert!(
        (now + 23.0 * 3600.0..now + 25.0 * 3600.0).contains(&expiry),
        "{expiry} is not a day from {now}"
    );
    // The fixture's key never expires: 0.
    let listen = Listen::start(&env, REDIS, &channel("never"), &[]);
    assert_eq!(
        listen.metric("auto_upload_signing_key_expiry_timestamp_seconds"),
        0.0
    );
}
