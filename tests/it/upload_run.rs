//! `upload-run`: the whole chain into a reprepro archive, and every exit code
//! with the input that causes it.

use std::fs;

use crate::support::*;

#[test]
fn uploads_a_run_that_the_archive_accepts() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-1");
    let before = snapshot(&run_dir);

    let output = env.upload_run("run-1").output().unwrap();
    assert_exit(&output, 0);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    // Source first (an archive may refuse binaries whose source it lacks).
    assert!(
        lines[0].starts_with(&format!("uploaded\t{SOURCE_CHANGES}\t")),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&format!("uploaded\t{BINARY_CHANGES}\t")),
        "{out}"
    );

    let incoming = env.incoming();
    assert!(
        incoming.contains(&SOURCE_CHANGES.to_owned()),
        "{incoming:?}"
    );
    let signed = fs::read_to_string(env.path("archive/incoming").join(SOURCE_CHANGES)).unwrap();
    assert!(signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----"));

    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_binary_accepted(&listing);
    assert!(
        env.incoming().is_empty(),
        "processincoming left {:?}",
        env.incoming()
    );

    // Signing happened on a copy: the stored artifacts are byte for byte unchanged.
    assert_eq!(snapshot(&run_dir), before);
}

#[test]
fn dry_run_verifies_and_touches_nothing() {
    let env = TestEnv::new();
    env.add_run("run-dry");
    let output = env.upload_run("run-dry").arg("--dry-run").output().unwrap();
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(
        out.contains(&format!(
            "would-upload\t{SOURCE_CHANGES}\t{SOURCE} {VERSION} unstable"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("would-upload\t{BINARY_CHANGES}\t")),
        "{out}"
    );
    assert!(env.incoming().is_empty());
}

#[test]
fn dry_run_still_verifies() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-dry-bad");
    fs::write(run_dir.join("auhello_1.0.orig.tar.gz"), b"tampered").unwrap();
    let output = env
        .upload_run("run-dry-bad")
        .arg("--dry-run")
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "auhello_1.0.orig.tar.gz");
    assert!(
        !stdout(&output).contains("would-upload"),
        "{}",
        stdout(&output)
    );
    assert!(env.incoming().is_empty());
}

#[test]
fn source_only_and_distribution_filters() {
    let env = TestEnv::new();
    env.add_run("run-f");
    let output = env
        .upload_run("run-f")
        .arg("--source-only")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 1);
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
    assert!(!env.incoming().contains(&BINARY_CHANGES.to_owned()));

    let env = TestEnv::new();
    env.add_split_run("run-g");
    // The binary upload's suite: the run's campaign builds for it.
    let output = env
        .upload_run_recorded("run-g")
        .args(["--codebase", SOURCE, "--campaign", "experimental"])
        .args(["--distribution", "experimental"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(env.incoming().contains(&BINARY_CHANGES.to_owned()));
    assert!(!env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

#[test]
fn tampered_tarball_exits_5() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-t");
    let tarball = run_dir.join("auhello_1.0.orig.tar.gz");
    let mut bytes = fs::read(&tarball).unwrap();
    bytes[20] ^= 0xff;
    fs::write(&tarball, bytes).unwrap();
    let output = env.upload_run("run-t").output().unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "auhello_1.0.orig.tar.gz");
    assert!(env.incoming().is_empty());
}

#[test]
fn changes_naming_a_path_outside_exits_5() {
    let env = TestEnv::new();
    let run_dir = env.add_run("run-p");
    let path = run_dir.join(SOURCE_CHANGES);
    let text = fs::read_to_string(&path).unwrap();
    let evil = text.replace(" auhello_1.0-1.dsc\n", " ../x\n");
    assert_ne!(text, evil);
    fs::write(&path, evil).unwrap();
    let output = env.upload_run("run-p").output().unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "not a plain file name");
    assert!(env.incoming().is_empty());
}

#[test]
fn unknown_key_exits_6_and_nothing_reaches_dput() {
    let env = TestEnv::new();
    env.add_run("run-k");
    let output = env
        .upload_run_as("run-k", "0123456789ABCDEF0123456789ABCDEF01234567", HOST)
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 6);
    let err = stderr(&output);
    assert!(err.contains("debsign exited with exit status: 2"), "{err}");
    assert!(err.contains("No secret key"), "{err}");
    assert_stdout_contains(&output, "sign-failed");
    assert!(env.incoming().is_empty());
}

#[test]
fn unknown_host_exits_7() {
    let env = TestEnv::new();
    env.add_run("run-h");
    let output = env
        .upload_run_as("run-h", &fixture().fingerprint, "no-such-host")
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "No host no-such-host found");
    assert!(env.incoming().is_empty());
}

#[test]
fn missing_run_exits_3() {
    let env = TestEnv::new();
    let output = env.upload_run("no-such-run").output().unwrap();
    assert_exit(&output, 3);
    assert_stderr_contains(&output, "no artifacts for run no-such-run");
}

#[test]
fn run_without_changes_exits_4() {
    let env = TestEnv::new();
    env.add_run_with("run-n", |name| !name.ends_with(".changes"));
    let output = env.upload_run("run-n").output().unwrap();
    assert_exit(&output, 4);
    assert!(env.incoming().is_empty());
}

#[test]
fn no_matching_changes_exits_4() {
    let env = TestEnv::new();
    env.add_run("run-m");
    let output = env
        .upload_run("run-m")
        .args(["--distribution", "bookworm-backports"])
        .output()
        .unwrap();
    assert_exit(&output, 4);
    assert_stderr_contains(&output, "no matching .changes");
}

#[test]
fn invalid_run_id_exits_2() {
    let env = TestEnv::new();
    for run_id in ["../x", "..", "a/b"] {
        let output = env.upload_run(run_id).output().unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, "invalid run id");
    }
    assert!(env.incoming().is_empty());
}

#[test]
fn temporary_directory_is_removed_even_on_failure() {
    let env = TestEnv::new();
    env.add_run("run-tmp");
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let output = env
        .upload_run_as("run-tmp", &fixture().fingerprint, "no-such-host")
        .args(DISPATCH)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_exit(&output, 7);
    assert_empty_dir(&tmp);
}

#[test]
fn interrupt_kills_the_tool_and_removes_the_temporary_directory() {
    let env = TestEnv::new();
    env.add_run("run-int");
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    // dput is reached only after every .changes was verified and signed.
    let marker = env.path("dput-started");
    let slow_dput = env.script(
        "slow-dput",
        &format!("touch '{}'\nexec sleep 60", marker.display()),
    );
    let child = env
        .upload_run("run-int")
        .env("TMPDIR", &tmp)
        .env("AUTO_UPLOAD_DPUT", &slow_dput)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(30, "upload-run to reach dput", || marker.exists());
    std::thread::sleep(std::time::Duration::from_millis(200));
    run(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]));
    let started = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 130);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "did not stop promptly"
    );
    assert_empty_dir(&tmp);
    assert!(env.incoming().is_empty());
}

/// A copy of the test key's GnuPG home as a Kubernetes Secret mounts one:
/// files behind `..data` links, group- and world-readable, the directory
/// not writable by gpg.
fn secret_mount(env: &TestEnv) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let mount = env.path("secret-gnupg");
    let data = mount.join("..2026_12_05_00_00_00.1");
    fs::create_dir_all(&data).unwrap();
    let home = &fixture().gnupghome;
    for entry in walk(home) {
        let relative = entry.strip_prefix(home).unwrap();
        if relative.to_string_lossy().starts_with("S.") || entry.is_dir() {
            continue;
        }
        let target = data.join(relative);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&entry, &target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::os::unix::fs::symlink("..2026_12_05_00_00_00.1", mount.join("..data")).unwrap();
    for entry in fs::read_dir(&data).unwrap() {
        let name = entry.unwrap().file_name();
        std::os::unix::fs::symlink(
            std::path::Path::new("..data").join(&name),
            mount.join(&name),
        )
        .unwrap();
    }
    fs::set_permissions(&mount, fs::Permissions::from_mode(0o555)).unwrap();
    mount
}

/// The private GnuPG homes in the temporary directory now.
fn private_homes() -> usize {
    fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("auto-upload-gnupg.")
        })
        .count()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

#[test]
fn signs_with_a_key_mounted_as_a_secret_or_given_as_an_armoured_file() {
    let env = TestEnv::new();
    env.add_run("run-secret-home");
    env.add_run("run-key-file");
    let nowhere = env.path("no-gnupg");
    fs::create_dir_all(&nowhere).unwrap();
    let mount = secret_mount(&env);
    let homes_before = private_homes();
    let output = env
        .upload_run("run-secret-home")
        .args(["--source-only", "--gnupg-home-from"])
        .arg(&mount)
        .env("GNUPGHOME", &nowhere)
        .output()
        .unwrap();
    assert_exit(&output, 0);

    let key = env.path("key.asc");
    let exported = run(std::process::Command::new("gpg")
        .env("GNUPGHOME", &fixture().gnupghome)
        .args([
            "--batch",
            "--armor",
            "--export-secret-keys",
            &fixture().fingerprint,
        ]));
    fs::write(&key, &exported.stdout).unwrap();
    let output = env
        .upload_run("run-key-file")
        .arg("--source-only")
        .env("AUTO_UPLOAD_SIGNING_KEY_FILE", &key)
        .env("GNUPGHOME", &nowhere)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    // Both signed by the test key: the archive, which allows only it, takes
    // both uploads.
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    // Neither private home is left behind.
    assert_eq!(private_homes(), homes_before);

    // A home that cannot be read is a configuration error (exit 2).
    let output = env
        .upload_run("run-secret-home")
        .args(["--gnupg-home-from", "/nonexistent/gnupg"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "/nonexistent/gnupg");
}

#[test]
fn ssh_files_mounted_as_a_secret_reach_ssh_in_a_private_home() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    // A Secret's mount: files 0644 behind ..data links.
    let mount = env.path("secret-ssh");
    let data = mount.join("..2026_12_06_00_00_00.1");
    fs::create_dir_all(&data).unwrap();
    for (name, text) in [("id_ed25519", "the key\n"), ("known_hosts", "the hosts\n")] {
        fs::write(data.join(name), text).unwrap();
        fs::set_permissions(data.join(name), fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(std::path::Path::new("..data").join(name), mount.join(name))
            .unwrap();
    }
    std::os::unix::fs::symlink("..2026_12_06_00_00_00.1", mount.join("..data")).unwrap();
    // A debsign stand-in that says what ssh would find: the home of its
    // uid's passwd entry (through NSS, as ssh asks), and what is in .ssh.
    let seen = env.path("seen");
    let probe = env.logging_tool(
        "debsign",
        &format!(
            "home=$(getent passwd \"$(id -u)\" | cut -d: -f6)\n\
             {{ echo \"$home\"; stat -c '%a %n' \"$home/.ssh\" \"$home/.ssh\"/*; cat \"$home/.ssh/id_ed25519\"; }} > '{}'\n\
             exit 0",
            seen.display()
        ),
    );
    let dir = env.path("package");
    fs::create_dir_all(&dir).unwrap();
    for file in list_dir(&fixture().package) {
        fs::copy(fixture().package.join(&file), dir.join(&file)).unwrap();
    }
    let output = env
        .cmd()
        .current_dir(&dir)
        .arg("--ssh-from")
        .arg(&mount)
        .args(["sign", "--debsign-program"])
        .arg(&probe)
        .arg(SOURCE_CHANGES)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let seen = fs::read_to_string(&seen).unwrap();
    let mut lines = seen.lines();
    let home = lines.next().unwrap().to_owned();
    assert!(
        home.contains("auto-upload-ssh.") && home.ends_with("/home"),
        "{seen}"
    );
    let rest: Vec<&str> = lines.collect();
    assert_eq!(
        rest,
        vec![
            format!("700 {home}/.ssh").as_str(),
            format!("600 {home}/.ssh/id_ed25519").as_str(),
            format!("600 {home}/.ssh/known_hosts").as_str(),
            "the key",
        ],
        "{seen}"
    );
    // Removed at exit; a directory that cannot be read is exit 2.
    assert!(!std::path::Path::new(&home).exists(), "{home} left behind");
    let output = env
        .cmd()
        .args(["--ssh-from", "/nonexistent/ssh", "find-changes", "."])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "/nonexistent/ssh");
}
