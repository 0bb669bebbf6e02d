//! Artifacts are untrusted input: each test plays an attacker who controls
//! a run's files, against real debsign, dput and reprepro, and checks the
//! exit code, that no marker was created, that nothing reached the
//! archive's incoming directory and that no temporary file was left.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A change made to a `.changes`'s text.
type Edit = Box<dyn Fn(String) -> String>;
/// A change that captures nothing.
type PlainEdit = fn(String) -> String;

/// The name that made debsign run `p.sh`.
const EVIL_NAME: &str = "auhello_1.0-1$(sh${IFS}p.sh).dsc";

/// One attack's world: a test env, a marker path the payload would create,
/// and a TMPDIR of its own for the commands under test.
struct Attack {
    env: TestEnv,
    marker: PathBuf,
}

impl Attack {
    fn new() -> Self {
        let env = TestEnv::new();
        fs::create_dir(env.path("tmp")).unwrap();
        let marker = env.path("marker");
        Self { env, marker }
    }

    /// The payload script, as `p.sh` in `dir`.
    fn plant_payload(&self, dir: &Path) {
        fs::write(
            dir.join("p.sh"),
            format!("touch '{}'\n", self.marker.display()),
        )
        .unwrap();
    }

    /// `upload-run RUN_ID` with its temporary directories in `tmp/`.
    fn upload_run(&self, run_id: &str) -> Output {
        self.env
            .upload_run(run_id)
            .env("TMPDIR", self.env.path("tmp"))
            .output()
            .unwrap()
    }

    /// Panics unless the attack left no trace: no marker, nothing in
    /// incoming, no temporary file.
    #[track_caller]
    fn assert_no_trace(&self) {
        assert!(!self.marker.exists(), "the payload ran");
        assert!(self.env.incoming().is_empty(), "{:?}", self.env.incoming());
        assert_empty_dir(&self.env.path("tmp"));
    }
}

/// A plain directory holding the fixture package (not a store run).
fn package_dir(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.path(name);
    fs::create_dir_all(&dir).unwrap();
    for file in list_dir(&fixture().package) {
        fs::copy(fixture().package.join(&file), dir.join(&file)).unwrap();
    }
    dir
}

#[test]
fn a_listed_name_that_runs_code_never_reaches_debsign() {
    let attack = Attack::new();
    let env = &attack.env;
    // Control: real debsign on such a .changes runs the payload, so the
    // assertions below could fail.
    let control = package_dir(env, "control");
    attack.plant_payload(&control);
    list_file(&control.join(SOURCE_CHANGES), EVIL_NAME, b"evil");
    let debsign = Command::new("debsign")
        .current_dir(&control)
        .env("GNUPGHOME", &fixture().gnupghome)
        .args([
            &format!("-k{}", fixture().fingerprint),
            "--re-sign",
            SOURCE_CHANGES,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        attack.marker.exists(),
        "debsign did not run the payload: {}",
        stderr(&debsign)
    );
    fs::remove_file(&attack.marker).unwrap();

    // The same run in the store: refused at fetch (exit 5).
    let run = env.add_run("run-evil");
    attack.plant_payload(&run);
    list_file(&run.join(SOURCE_CHANGES), EVIL_NAME, b"evil");
    let output = attack.upload_run("run-evil");
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "not a plain file name");
    assert!(!stdout(&output).contains("uploaded"), "{}", stdout(&output));
    attack.assert_no_trace();

    // The same files in a directory: find-changes and sign refuse the
    // .changes (exit 5) before debsign sees it.
    let dir = package_dir(env, "evil-dir");
    attack.plant_payload(&dir);
    list_file(&dir.join(SOURCE_CHANGES), EVIL_NAME, b"evil");
    let found = env.cmd().arg("find-changes").arg(&dir).output().unwrap();
    assert_exit(&found, 5);
    let signed = env
        .cmd()
        .args(["sign", "--keyid", &fixture().fingerprint])
        .arg(dir.join(SOURCE_CHANGES))
        .output()
        .unwrap();
    assert_exit(&signed, 5);
    attack.assert_no_trace();
}

#[test]
fn unverified_file_lists_and_lines_after_the_lists_are_refused() {
    let attack = Attack::new();
    let line = format!(" d41d8cd98f00b204e9800998ecf8427e 0 {EVIL_NAME}\n");
    let cases: [(&str, Edit); 3] = [
        (
            "run-extra",
            Box::new(move |t: String| {
                t.replace(
                    "Checksums-Sha1:\n",
                    &format!("Checksums-Extra:\n{line}Checksums-Sha1:\n"),
                )
            }),
        ),
        (
            "run-after",
            Box::new(|t: String| {
                format!(
                    "{t}X-Note:\n d41d8cd98f00b204e9800998ecf8427e 0 misc optional {EVIL_NAME}\n"
                )
            }),
        ),
        (
            "run-sha512",
            Box::new(|t: String| {
                t.replace(
                    "Checksums-Sha256:",
                    "Checksums-Sha512:\n 00 0 a.dsc\nChecksums-Sha256:",
                )
            }),
        ),
    ];
    for (run_id, change) in cases {
        let run = attack.env.add_run(run_id);
        attack.plant_payload(&run);
        edit(&run.join(SOURCE_CHANGES), change);
        let output = attack.upload_run(run_id);
        assert_exit(&output, 5);
        attack.assert_no_trace();
    }
}

#[test]
fn forged_printed_fields_crlf_and_duplicates_exit_5_and_print_nothing() {
    let attack = Attack::new();
    let cases: [(&str, PlainEdit); 5] = [
        ("run-version", |t| {
            t.replace(
                "Version: 1.0-1\n",
                "Version: 1.0-1\n uploaded\tforged.changes\tforged 9 unstable\n",
            )
        }),
        ("run-dist", |t| {
            t.replace("Distribution: unstable\n", "Distribution: unstable\n x\n")
        }),
        ("run-tab", |t| {
            t.replace("Version: 1.0-1\n", "Version: 1.0-1\tx\n")
        }),
        ("run-crlf", |t| t.replace('\n', "\r\n")),
        ("run-twice", |t| {
            let files = t
                .split("Files:\n")
                .nth(1)
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_owned();
            t.replace("Files:\n", &format!("Files:\n{files}\n"))
        }),
    ];
    for (run_id, change) in cases {
        let run = attack.env.add_run(run_id);
        edit(&run.join(SOURCE_CHANGES), change);
        let output = attack.upload_run(run_id);
        assert_exit(&output, 5);
        assert_eq!(stdout(&output), "", "{run_id}");
        attack.assert_no_trace();
    }
}

#[test]
fn links_and_special_files_in_a_run_are_refused_listed_or_not() {
    let attack = Attack::new();
    let env = &attack.env;
    let secret = env.path("private.key");
    fs::write(&secret, "PRIVATE KEY").unwrap();

    // A listed artifact that is a link to a file outside the store.
    let link_run = env.add_run("run-listed-link");
    let dsc = link_run.join("auhello_1.0-1.dsc");
    fs::rename(&dsc, env.path("real.dsc")).unwrap();
    std::os::unix::fs::symlink(env.path("real.dsc"), &dsc).unwrap();
    let output = attack.upload_run("run-listed-link");
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "auhello_1.0-1.dsc");
    assert_stderr_contains(&output, "symbolic link");
    attack.assert_no_trace();

    // An unlisted link to a private key: fetch-artifacts copies nothing.
    let key_run = env.add_run("run-key-link");
    std::os::unix::fs::symlink(&secret, key_run.join("signing.key")).unwrap();
    let dest = env.path("dest-key");
    let output = env
        .fetch_artifacts("run-key-link")
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "signing.key");
    assert!(
        !dest.exists() || list_dir(&dest).is_empty(),
        "{:?}",
        list_dir(&dest)
    );

    // A FIFO: refused at once, not waited on.
    let fifo_run = env.add_run("run-fifo");
    run(Command::new("mkfifo").arg(fifo_run.join("auhello_1.0-1_source.buildinfo.fifo")));
    let started = Instant::now();
    let output = attack.upload_run("run-fifo");
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "FIFO");
    assert!(started.elapsed() < Duration::from_secs(30));

    // The run's directory itself a link.
    std::os::unix::fs::symlink(env.path("store/run-fifo"), env.path("store/run-dir-link")).unwrap();
    let output = attack.upload_run("run-dir-link");
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "symbolic link");
    attack.assert_no_trace();
}

#[test]
fn links_left_in_the_destination_are_replaced_not_followed() {
    let env = TestEnv::new();
    let run = env.add_run("run-dest");
    let victim = env.path("victim");
    fs::write(&victim, "precious").unwrap();
    let dest = env.path("dest");
    fs::create_dir(&dest).unwrap();
    std::os::unix::fs::symlink(&victim, dest.join(".auhello_1.0-1.dsc.part")).unwrap();
    std::os::unix::fs::symlink(&victim, dest.join("auhello_1.0-1.dsc")).unwrap();
    let output = env
        .fetch_artifacts("run-dest")
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    let copy = dest.join("auhello_1.0-1.dsc");
    assert!(fs::symlink_metadata(&copy).unwrap().is_file());
    assert_eq!(
        fs::read(&copy).unwrap(),
        fs::read(run.join("auhello_1.0-1.dsc")).unwrap()
    );
    assert!(
        list_dir(&dest)
            .iter()
            .all(|n| !n.starts_with(".auto-upload-")),
        "{:?}",
        list_dir(&dest)
    );
}

#[test]
fn a_fifo_named_changes_is_refused_without_hanging() {
    let env = TestEnv::new();
    let dir = package_dir(&env, "fifo-dir");
    run(Command::new("mkfifo").arg(dir.join("zz_1.0_source.changes")));
    let started = Instant::now();
    let output = env.cmd().arg("find-changes").arg(&dir).output().unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "FIFO");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn stalled_tools_are_killed_with_their_group_at_the_deadline() {
    let attack = Attack::new();
    let env = &attack.env;
    env.add_run("run-stall");
    let pid_file = env.path("sleep.pid");
    let stalling = env.script(
        "stalling",
        &format!("sleep 300 & echo $! > '{}'; wait", pid_file.display()),
    );
    let started = Instant::now();
    let output = env
        .upload_run("run-stall")
        .args(["--source-only", "--sign-timeout", "1s"])
        .arg("--debsign-program")
        .arg(&stalling)
        .env("TMPDIR", env.path("tmp"))
        .output()
        .unwrap();
    assert_exit(&output, 6);
    assert_stderr_contains(&output, "did not finish within 1s");
    assert!(started.elapsed() < Duration::from_secs(60));
    let pid = fs::read_to_string(&pid_file).unwrap();
    wait_for_death(pid.trim());
    attack.assert_no_trace();

    let output = env
        .upload_run("run-stall")
        .args(["--source-only", "--upload-timeout", "1s"])
        .arg("--dput-program")
        .arg(&stalling)
        .env("TMPDIR", env.path("tmp"))
        .output()
        .unwrap();
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "did not finish within 1s");
    let pid = fs::read_to_string(&pid_file).unwrap();
    wait_for_death(pid.trim());
    attack.assert_no_trace();
}

/// Waits until process `pid` is gone (or a zombie nobody reaps yet).
#[track_caller]
fn wait_for_death(pid: &str) {
    wait_until(10, "the stalled tool's child to die", || {
        fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
    });
}

#[test]
fn a_tool_flooding_its_output_costs_bounded_memory_and_message() {
    let attack = Attack::new();
    let env = &attack.env;
    env.add_run("run-flood");
    let flood = env.script(
        "flood",
        "head -c 400000000 /dev/zero | tr '\\0' x >&2; echo last words >&2; exit 1",
    );
    let time = env.path("time");
    let mut command = Command::new("/usr/bin/time");
    command
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&time)
        .arg(env!("CARGO_BIN_EXE_auto-upload"));
    let upload = env.upload_run("run-flood");
    command
        .args(upload.get_args())
        .args(["--source-only", "--debsign-program"])
        .arg(&flood)
        .current_dir(env.path("work"))
        .env("GNUPGHOME", &fixture().gnupghome)
        .env("AUTO_UPLOAD_CONFIG", env.janitor_conf())
        .env("TMPDIR", env.path("tmp"))
        .stdin(Stdio::null());
    let output = command.output().expect("/usr/bin/time: run .ci/setup");
    assert_exit(&output, 6);
    assert_stderr_contains(&output, "last words");
    assert!(
        output.stderr.len() < 200_000,
        "{} bytes of stderr",
        output.stderr.len()
    );
    // GNU time says "Command exited with non-zero status 6" first.
    let report = fs::read_to_string(&time).unwrap();
    let peak_kb: u64 = report.lines().last().unwrap().trim().parse().unwrap();
    assert!(
        peak_kb < 100_000,
        "peak RSS {peak_kb} kB for 400 MB of output"
    );
    attack.assert_no_trace();
}

#[test]
fn option_like_names_reach_the_tools_as_paths() {
    let env = TestEnv::new();
    let dir = package_dir(&env, "dash-dir");
    fs::rename(dir.join(SOURCE_CHANGES), dir.join("-kDEADBEEF.changes")).unwrap();
    let debsign = env.logging_tool("debsign", "exit 0");
    let output = env
        .cmd()
        .current_dir(&dir)
        .args(["sign", "--debsign-program"])
        .arg(&debsign)
        .arg("./-kDEADBEEF.changes")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let calls = env.calls("debsign");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls[0].ends_with(" --re-sign ./-kDEADBEEF.changes"),
        "{calls:?}"
    );
}

#[test]
fn oversized_and_deeply_nested_configs_exit_2() {
    let env = TestEnv::new();
    let deep = env.path("deep.conf");
    fs::write(
        &deep,
        format!("{}{}", "a {".repeat(200_000), "}".repeat(200_000)),
    )
    .unwrap();
    let big = env.path("big.conf");
    fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    for config in [&deep, &big] {
        let output = env
            .cmd()
            .arg("--config")
            .arg(config)
            .args(["upload-run", "r1", "--dry-run"])
            .args(DISPATCH)
            .output()
            .unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, &config.display().to_string());
    }
}
