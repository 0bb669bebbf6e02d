//! `--archive`: what the archive has already is not uploaded (superseded),
//! read from reprepro's exported Sources.xz and Sources.gz over file://
//! and HTTP; an archive that cannot be read never blocks an upload.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::support::database::TestDb;
use crate::support::*;

/// An HTTP server on 127.0.0.1 serving `dir`, killed when dropped.
struct Http {
    child: Child,
    port: u16,
}

impl Http {
    fn serve(dir: &Path) -> Self {
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for the HTTP archive");
        wait_until(10, "the HTTP server", || http_get(port, "/").is_some());
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn upload_with_archive(env: &TestEnv, run_id: &str, archive: &str) -> std::process::Output {
    env.upload_run(run_id)
        .args(["--archive", archive])
        .output()
        .unwrap()
}

/// The source upload alone, checked against `archive`.
fn source_with_archive(env: &TestEnv, run_id: &str, archive: &str) -> std::process::Output {
    env.upload_run(run_id)
        .args(["--source-only", "--archive", archive])
        .output()
        .unwrap()
}

/// A hand-made archive whose Sources indices (gzip) of both suites the
/// tests upload to (unstable, and experimental for a split run's binary
/// upload) list our source at `version`.
pub(crate) fn archive_with(env: &TestEnv, name: &str, version: &str) -> String {
    for suite in ["unstable", "experimental"] {
        let dir = env.path(&format!("{name}/dists/{suite}/main/source"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("Sources"),
            format!("Package: other\nVersion: 9.9-1\n\nPackage: {SOURCE}\nBinary: {SOURCE}\nVersion: {version}\nDirectory: pool/main/a/{SOURCE}\n\n"),
        )
        .unwrap();
        run(Command::new("gzip").arg("-9f").arg(dir.join("Sources")));
    }
    format!("file://{}", env.path(name).display())
}

#[test]
fn what_the_archive_has_is_superseded_over_file_and_http() {
    let env = TestEnv::new();
    env.add_run("run-first");
    assert_exit(&env.upload_run("run-first").output().unwrap(), 0);
    assert_source_accepted(&env.process_incoming());
    let archive = env.path("archive");
    let sources = archive.join("dists/unstable/main/source");
    assert!(sources.join("Sources.xz").exists() && sources.join("Sources.gz").exists());

    // The same version again: superseded, nothing signed or uploaded.
    env.add_run("run-again");
    let file_url = format!("file://{}", archive.display());
    let output = source_with_archive(&env, "run-again", &file_url);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with(&format!("superseded\t{SOURCE_CHANGES}\t")),
        "{out}"
    );
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());

    // Over HTTP, reading Sources.xz…
    let http = Http::serve(&archive);
    let output = source_with_archive(&env, "run-again", &http.url());
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("superseded\t"),
        "{}",
        stdout(&output)
    );
    // …and Sources.gz when there is no .xz.
    fs::remove_file(sources.join("Sources.xz")).unwrap();
    let output = source_with_archive(&env, "run-again", &http.url());
    assert!(
        stdout(&output).starts_with("superseded\t"),
        "{}",
        stdout(&output)
    );
    let output = source_with_archive(&env, "run-again", &file_url);
    assert!(
        stdout(&output).starts_with("superseded\t"),
        "{}",
        stdout(&output)
    );
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
}

#[test]
fn a_newer_version_in_the_archive_supersedes_an_older_one_does_not() {
    let env = TestEnv::new();
    env.add_run("run-v");
    let higher = archive_with(&env, "higher", "1.0-2");
    let output = upload_with_archive(&env, "run-v", &higher);
    assert_exit(&output, 0);
    assert!(
        stdout(&output)
            .lines()
            .all(|l| l.starts_with("superseded\t")),
        "{}",
        stdout(&output)
    );
    assert!(env.incoming().is_empty());

    let lower = archive_with(&env, "lower", "0.9-1");
    let output = upload_with_archive(&env, "run-v", &lower);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).lines().all(|l| l.starts_with("uploaded\t")),
        "{}",
        stdout(&output)
    );
    assert_source_accepted(&env.process_incoming());
}

#[test]
fn an_absent_or_corrupt_index_never_blocks_an_upload() {
    let env = TestEnv::new();
    env.add_run("run-a");
    let empty = env.path("empty-archive");
    fs::create_dir(&empty).unwrap();
    let output = upload_with_archive(&env, "run-a", &format!("file://{}", empty.display()));
    assert_exit(&output, 0);
    assert!(
        stdout(&output).lines().all(|l| l.starts_with("uploaded\t")),
        "{}",
        stdout(&output)
    );
    assert_stderr_contains(&output, "cannot read the archive's Sources index");
    env.process_incoming();

    let corrupt = env.path("corrupt/dists/unstable/main/source");
    fs::create_dir_all(&corrupt).unwrap();
    fs::write(corrupt.join("Sources.xz"), "this is not xz").unwrap();
    env.add_run("run-b");
    let output = upload_with_archive(
        &env,
        "run-b",
        &format!("file://{}", env.path("corrupt").display()),
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output).lines().all(|l| l.starts_with("uploaded\t")),
        "{}",
        stdout(&output)
    );
    assert_stderr_contains(&output, "corrupt xz");

    // Nothing listens there: warned, uploaded.
    env.add_run("run-c");
    let port = free_port();
    let output = upload_with_archive(&env, "run-c", &format!("http://127.0.0.1:{port}/"));
    assert_exit(&output, 0);
    assert!(
        stdout(&output).lines().all(|l| l.starts_with("uploaded\t")),
        "{}",
        stdout(&output)
    );
}

/// The source upload's outcome in a dry run against `archive`, with the
/// parsed indices kept in `cache`.
fn dry_outcome(env: &TestEnv, archive: &str, cache: &Path) -> String {
    let output = env
        .upload_run("run-k")
        .args(["--source-only", "--dry-run", "--archive", archive])
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let out = stdout(&output);
    out.split('\t').next().unwrap_or_default().to_owned()
}

/// The cache files in `cache`, with the version they hold for our source
/// replaced by `version`.
fn rewrite_cached_version(cache: &Path, version: &str) -> usize {
    let mut rewritten = 0;
    for entry in fs::read_dir(cache).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let new: String = text
            .lines()
            .map(|l| match l.split_once(' ') {
                Some((p, _)) if p == SOURCE => format!("{SOURCE} {version}\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        rewritten += usize::from(new != text);
        fs::write(&path, new).unwrap();
    }
    rewritten
}

#[test]
fn indices_are_kept_between_runs_and_read_again_when_the_archive_changes() {
    let env = TestEnv::new();
    env.add_run("run-k");
    let archive = archive_with(&env, "kept", "1.0-2");
    let release = env.path("kept/dists/unstable/Release");
    fs::write(&release, "Origin: test\nComponents: main\nDate: 1\n").unwrap();
    let cache = env.path("cache");
    assert_eq!(dry_outcome(&env, &archive, &cache), "superseded");
    let files = fs::read_dir(&cache).unwrap().count();
    assert_eq!(files, 1, "one suite read, one file kept");
    let mode = fs::metadata(&cache).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o700
    );

    // The next run believes the kept index while the archive's files are
    // unchanged (here the kept copy is doctored to tell them apart)…
    assert_eq!(rewrite_cached_version(&cache, "0.1-1"), 1);
    assert_eq!(dry_outcome(&env, &archive, &cache), "would-upload");
    // …and reads the archive again once its index file changed.
    let index = env.path("kept/dists/unstable/main/source/Sources.gz");
    let bytes = fs::read(&index).unwrap();
    fs::write(&index, bytes).unwrap();
    assert_eq!(dry_outcome(&env, &archive, &cache), "superseded");

    // Over HTTP the same, checked by the Release file's content and a HEAD
    // of the index (size, Last-Modified, ETag).
    let http = Http::serve(&env.path("kept"));
    assert_eq!(dry_outcome(&env, &http.url(), &cache), "superseded");
    assert_eq!(
        rewrite_cached_version(&cache, "0.1-1"),
        2,
        "the file:// and HTTP copies"
    );
    assert_eq!(dry_outcome(&env, &http.url(), &cache), "would-upload");
    // Same size, same second: only the Release file tells.
    archive_with(&env, "kept", "1.0-3");
    fs::write(&release, "Origin: test\nComponents: main\nDate: 2\n").unwrap();
    assert_eq!(dry_outcome(&env, &http.url(), &cache), "superseded");

    // A damaged cache file is read past.
    for entry in fs::read_dir(&cache).unwrap() {
        fs::write(entry.unwrap().path(), "garbage").unwrap();
    }
    assert_eq!(dry_outcome(&env, &archive, &cache), "superseded");
}

#[test]
fn superseded_is_done_in_the_ledger_and_never_retried() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-s");
    db.add_build("run-s", "unstable", SOURCE, VERSION);
    let higher = archive_with(&env, "higher", "2.0-1");
    let dput = env.logging_tool("dput-s", "exit 0");
    let backfill = || {
        env.cmd()
            .args(["backfill", "-v", "--database", &db.url(), "--artifacts"])
            .arg(env.store())
            .args(env.signing_args())
            .args(["--archive", &higher])
            .env("AUTO_UPLOAD_DPUT", &dput)
            .output()
            .unwrap()
    };
    let output = backfill();
    assert_exit(&output, 0);
    assert_stderr_contains(
        &output,
        "uploaded 0, already uploaded 0, failed 0, artifacts missing 0, superseded 1",
    );
    assert!(env.calls("dput-s").is_empty());
    assert_eq!(
        db.sql("SELECT count(*) FROM auto_upload.upload WHERE state = 'superseded'")
            .trim(),
        "2"
    );
    let output = backfill();
    assert_exit(&output, 0);
    assert_stderr_contains(
        &output,
        "uploaded 0, already uploaded 0, failed 0, artifacts missing 0, superseded 0",
    );
}

#[test]
fn uploads_side_by_side_read_each_suite_once() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // Six runs of two suites.
    for n in 1..=6 {
        let suite = if n % 2 == 0 {
            "unstable"
        } else {
            "experimental"
        };
        db.add_package_run(&env, &format!("run-{n}"), &format!("src{n}"), suite);
    }
    let lower = archive_with(&env, "lower", "0.9-1");
    let dput = env.logging_tool("dput-j", "sleep 0.2");
    let output = env
        .cmd()
        .args([
            "backfill",
            "-vv",
            "--jobs",
            "6",
            "--database",
            &db.url(),
            "--artifacts",
        ])
        .arg(env.store())
        .args(env.signing_args())
        .args(["--archive", &lower])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-j").len(), 12, "{}", stderr(&output));
    let err = stderr(&output);
    // Two suites: two reads, however many uploads ran at once.
    assert_eq!(err.matches("read the Sources index").count(), 2, "{err}");
}

#[test]
fn janitor_conf_names_the_archive_of_each_distribution() {
    let env = TestEnv::new();
    env.add_split_run("run-conf-archive");
    let higher = archive_with(&env, "higher", "1.0-2");
    let conf = env.path("janitor.conf");
    fs::write(
        &conf,
        format!(
            "artifact_location: \"{}\"\ndistribution {{\n  name: \"unstable\"\n  archive_mirror_uri: \"{higher}\"\n}}\n\
             campaign {{ name: \"unstable\" debian_build {{ }} }}\n\
             campaign {{ name: \"experimental\" debian_build {{ }} }}\n",
            env.store().display()
        ),
    )
    .unwrap();
    // A suite at a time: one campaign builds for one suite.
    let mut out = String::new();
    for suite in ["unstable", "experimental"] {
        let output = env
            .cmd()
            .arg("--config")
            .arg(&conf)
            .args(["upload-run", "run-conf-archive", "--host", HOST, "--keyid"])
            .arg(&fixture().fingerprint)
            .args([
                "--codebase",
                SOURCE,
                "--campaign",
                suite,
                "--distribution",
                suite,
            ])
            .arg("--dput-config")
            .arg(env.dput_cf())
            .output()
            .unwrap();
        assert_exit(&output, 0);
        out.push_str(&stdout(&output));
    }
    // unstable (the source) has a block: superseded; experimental (the
    // binaries) has none: no check, uploaded.
    assert!(
        out.contains(&format!("superseded\t{SOURCE_CHANGES}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("uploaded\t{BINARY_CHANGES}")),
        "{out}"
    );
}
