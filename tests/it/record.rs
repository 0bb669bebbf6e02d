//! Sign only what the Janitor recorded: each attack of a worker that
//! controls a run's files, played against real debsign, dput, reprepro,
//! Redis and PostgreSQL, is refused before anything is signed; honest runs
//! still upload.

use std::fs;
use std::process::{Command, Output};

use crate::support::database::{ledger, TestDb};
use crate::support::service::*;
use crate::support::*;

const MISMATCH: &str = "auto_upload_uploads_total{outcome=\"mismatch\"}";
const UPLOADED: &str = "auto_upload_uploads_total{outcome=\"uploaded\"}";

/// The package a compromised worker stores instead of the one announced:
/// another source, an epoch that shadows every later upload.
fn substitute() -> std::path::PathBuf {
    package("otherpkg", "9:9.9-1", "unstable")
}

#[test]
fn a_substituted_upload_is_refused_through_listen() {
    let env = TestEnv::new();
    env.lintian_fixes_builds_for_itself();
    env.add_run_of("run-sub", &substitute());
    let debsign = env.logging_tool("debsign-sub", "exec debsign \"$@\"");
    let channel = channel("substitution");
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &["--distribution", "lintian-fixes"],
        |c| {
            c.env("AUTO_UPLOAD_DEBSIGN", &debsign);
        },
    );
    // The runner announced auhello 1.0-1 for lintian-fixes.
    let message = runner_message("run-sub", "lintian-fixes", "lintian-fixes");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the run to be refused", || {
        listen.metric(MISMATCH) == 1.0
    });
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    assert!(env.calls("debsign-sub").is_empty());
    let logs = listen.logs();
    assert!(
        logs.contains("Version is 9:9.9-1, but the runner's message records 1.0-1"),
        "{logs}"
    );

    // The honest run of the same announcement uploads.
    env.add_run_of("run-honest", &package(SOURCE, VERSION, "lintian-fixes"));
    let message = runner_message("run-honest", "lintian-fixes", "lintian-fixes");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the honest upload", || listen.metric(UPLOADED) == 1.0);
    assert_eq!(env.incoming().len(), 8, "{:?}", env.incoming());
}

#[test]
fn the_debian_build_row_is_the_record_when_listen_has_a_database() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // The message and the store agree on otherpkg; the row says auhello.
    env.add_run_of("run-row", &substitute());
    db.add_build("run-row", "unstable", SOURCE, VERSION);
    let channel = channel("row");
    let listen = Listen::start(&env, REDIS, &channel, &["--database", &db.url()]);
    let message = runner_message("run-row", "unstable", "unstable")
        .replace("\"1.0-1\"", "\"9:9.9-1\"")
        .replace(
            "auhello_1.0-1_source.changes",
            "otherpkg_9.9-1_source.changes",
        )
        .replace("auhello_1.0-1_all.changes", "otherpkg_9.9-1_all.changes")
        .replace("[\"auhello\"]", "[\"otherpkg\"]");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the run to be refused", || {
        listen.metric(MISMATCH) == 1.0
    });
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    let logs = listen.logs();
    assert!(
        logs.contains("Source is otherpkg, but the run's debian_build row records auhello"),
        "{logs}"
    );
}

fn backfill(env: &TestEnv, db: &TestDb, args: &[&str]) -> Output {
    let dput = env.logging_tool("dput-record", "exec dput \"$@\"");
    env.cmd()
        .args(["backfill", "-v", "--database", &db.url(), "--artifacts"])
        .arg(env.store())
        .args(env.signing_args())
        .env("AUTO_UPLOAD_DPUT", &dput)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_substituted_upload_is_refused_through_backfill_and_never_retried() {
    let env = TestEnv::new();
    env.lintian_fixes_builds_for_itself();
    let db = TestDb::new();
    db.add_build("run-subb", "lintian-fixes", SOURCE, VERSION);
    env.add_run_of("run-subb", &substitute());
    let output = backfill(&env, &db, &["--distribution", "lintian-fixes"]);
    assert_exit(&output, 1);
    assert_stderr_contains(
        &output,
        "Source is otherpkg, but the run's debian_build row records auhello",
    );
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    assert!(env.calls("dput-record").is_empty());

    let list = ledger(&env, &db, &["list", "--state", "refused"]);
    assert_exit(&list, 0);
    assert_stdout_contains(&list, "run-subb\t");
    assert_stdout_contains(&list, "\trefused\t1\t");
    let show = ledger(&env, &db, &["show", "run-subb"]);
    assert_exit(&show, 0);
    assert_stdout_contains(&show, "(the run as a whole) on test-archive: refused");
    assert_stdout_contains(&show, "Source is otherpkg");

    // Trying again cannot help: the next backfill leaves it alone.
    let again = backfill(&env, &db, &["--distribution", "lintian-fixes"]);
    assert_exit(&again, 0);
    assert_stderr_contains(&again, "uploaded 0, already uploaded 0, failed 0");
    assert_eq!(
        db.sql("SELECT attempts FROM auto_upload.upload WHERE run_id = 'run-subb'")
            .trim(),
        "1"
    );
}

#[test]
fn upload_run_compares_with_the_row_and_with_what_the_operator_expects() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_build("run-x", "unstable", SOURCE, VERSION);
    env.add_run_of("run-x", &substitute());
    let output = env
        .upload_run("run-x")
        .args(["--database", &db.url(), "--no-ledger"])
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(
        &output,
        "Source is otherpkg, but the run's debian_build row",
    );
    assert_eq!(stdout(&output), "");

    // Without any record: a warning, and the operator is the authority.
    env.add_run("run-y");
    let output = env
        .upload_run("run-y")
        .args(["--expect-version", "1:1.0-1"])
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "Version is 1.0-1, but --expect-* records 1:1.0-1");
    let output = env
        .upload_run("run-y")
        .args(["--expect-source", SOURCE, "--expect-version", VERSION])
        .args(["--expect-distribution", "unstable"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, &format!("uploaded\t{SOURCE_CHANGES}"));
    env.add_run("run-z");
    let output = env.upload_run("run-z").output().unwrap();
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "no record of the run");
}

#[test]
fn source_only_is_decided_by_content() {
    let env = TestEnv::new();
    let run = env.add_run("run-so");
    // A *_source.changes that also lists the binary package.
    let deb = fs::read(run.join("auhello_1.0-1_all.deb")).unwrap();
    let changes = run.join(SOURCE_CHANGES);
    list_file(&changes, "auhello_1.0-1_all.deb", &deb);
    edit(&changes, |t| {
        t.replace("Architecture: source\n", "Architecture: source all\n")
            .replace("Format: 1.8\n", "Format: 1.8\nBinary: auhello\n")
    });
    let debsign = env.logging_tool("debsign-so", "exec debsign \"$@\"");
    let output = env
        .upload_run("run-so")
        .arg("--source-only")
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(
        &output,
        "Files is listing auhello_1.0-1_all.deb, but --source-only allows only source uploads",
    );
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    assert!(env.calls("debsign-so").is_empty());

    // A binary package of an architecture the .changes does not name.
    edit(&changes, |t| {
        t.replace("Architecture: source all\n", "Architecture: source amd64\n")
    });
    let output = env.upload_run("run-so").output().unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "Architecture is source amd64");

    // The honest run: only the source upload, by content.
    env.add_run("run-so-ok");
    let output = env
        .upload_run("run-so-ok")
        .arg("--source-only")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        format!("uploaded\t{SOURCE_CHANGES}\t{SOURCE} {VERSION} unstable\n")
    );
}

#[test]
fn only_what_the_changes_list_reaches_the_signing_host() {
    let env = TestEnv::new();
    let dir = env.add_run("run-big");
    // An unlisted 2 GiB file (sparse) and a few small ones.
    run(Command::new("truncate")
        .args(["-s", "2G"])
        .arg(dir.join("junk.bin")));
    for n in 0..20 {
        fs::write(dir.join(format!("small-{n}.txt")), "x").unwrap();
    }
    let debsign = env.script(
        "debsign-ls",
        &format!(
            "ls -a > '{}'\nexec debsign \"$@\"",
            env.path("workdir.txt").display()
        ),
    );
    let output = env
        .upload_run("run-big")
        .env("AUTO_UPLOAD_DEBSIGN", &debsign)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let seen = fs::read_to_string(env.path("workdir.txt")).unwrap();
    assert!(seen.contains(SOURCE_CHANGES), "{seen}");
    assert!(!seen.contains("junk.bin"), "{seen}");
    assert!(!seen.contains("small-"), "{seen}");
    assert_eq!(env.incoming().len(), 8, "{:?}", env.incoming());
}

#[test]
fn runs_over_the_limits_are_refused_before_any_copy() {
    let env = TestEnv::new();
    env.add_run("run-lim");
    let debsign = env.logging_tool("debsign-lim", "exec debsign \"$@\"");
    for (args, limit) in [
        (["--max-run-files", "5"], "--max-run-files 5"),
        (["--max-run-bytes", "2K"], "--max-run-bytes 2048"),
    ] {
        let output = env
            .upload_run("run-lim")
            .args(args)
            .env("AUTO_UPLOAD_DEBSIGN", &debsign)
            .output()
            .unwrap();
        assert_exit(&output, 5);
        assert_stderr_contains(&output, limit);
    }
    assert!(env.calls("debsign-lim").is_empty());
    assert!(env.incoming().is_empty());
    // fetch-artifacts copies every artifact, within the same limits.
    let dest = env.path("dest-lim");
    let output = env
        .cmd()
        .args([
            "fetch-artifacts",
            "run-lim",
            "--max-run-bytes",
            "2K",
            "--artifacts",
        ])
        .arg(env.store())
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "--max-run-bytes 2048");
    let output = env
        .fetch_artifacts("run-lim")
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(list_dir(&dest).len(), 8);
}

#[test]
fn a_repeated_message_uploads_once_without_a_ledger() {
    let env = TestEnv::new();
    env.add_run("run-rep");
    let dput = env.logging_tool("dput-rep", "exec dput \"$@\"");
    let channel = channel("replay");
    let listen = Listen::start_with(&env, REDIS, &channel, &[], |c| {
        c.env("AUTO_UPLOAD_DPUT", &dput);
    });
    let message = runner_message("run-rep", "unstable", "unstable");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the upload", || listen.metric(UPLOADED) == 1.0);
    for _ in 0..2 {
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    }
    wait_until(20, "the replays to be counted", || {
        listen.metric("auto_upload_messages_total{outcome=\"replayed\"}") == 2.0
    });
    assert_eq!(listen.metric(UPLOADED), 1.0);
    assert_eq!(
        env.calls("dput-rep").len(),
        2,
        "{:?}",
        env.calls("dput-rep")
    );
}

#[test]
fn superseded_is_said_in_the_log_and_the_ledger() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_build("run-sup", "unstable", SOURCE, VERSION);
    env.add_run("run-sup");
    let dir = env.path("mirror/dists/unstable/main/source");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("Sources"),
        format!("Package: {SOURCE}\nVersion: 99:99\n\n"),
    )
    .unwrap();
    let mirror = format!("file://{}", env.path("mirror").display());
    let output = env
        .upload_run("run-sup")
        .args(["--database", &db.url(), "--archive", &mirror])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, &format!("superseded\t{SOURCE_CHANGES}"));
    assert_stderr_contains(&output, "WARN");
    assert_stderr_contains(&output, "99:99");
    assert_stderr_contains(&output, "mirror");
    assert!(env.incoming().is_empty());

    let show = ledger(&env, &db, &["show", "run-sup"]);
    assert_stdout_contains(&show, "superseded (archive has 99:99)");
    let list = ledger(&env, &db, &["list"]);
    assert_stdout_contains(&list, "\tsuperseded (archive has 99:99)\t");
    // Asked again, the ledger says superseded, not already-uploaded.
    let output = env
        .upload_run("run-sup")
        .args(["--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, &format!("superseded\t{SOURCE_CHANGES}"));
}
