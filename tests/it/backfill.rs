//! `backfill` and the upload ledger against real PostgreSQL (with
//! debversion), and `upload-run`/`listen` recording in the ledger.

use std::process::{Command, Output};

use crate::support::database::TestDb;
use crate::support::service::*;
use crate::support::*;

/// `backfill` against this env's store, key and archive, and `db`.
fn backfill(env: &TestEnv, db: &TestDb) -> Command {
    env.backfill(&db.url())
}

/// Runs `backfill ARGS` with `dput` as the dput program, to the end.
fn backfill_with(env: &TestEnv, db: &TestDb, dput: &std::path::Path, args: &[&str]) -> Output {
    backfill(env, db)
        .env("AUTO_UPLOAD_DPUT", dput)
        .args(args)
        .output()
        .unwrap()
}

fn ledger_rows(db: &TestDb) -> Vec<String> {
    db.sql("SELECT run_id || ' ' || changes || ' ' || state || ' ' || attempts FROM auto_upload.upload ORDER BY 1")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn dry_run_follows_debian_version_order() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_build("a-19", "unstable", "a", "1.9-1");
    db.add_build("a-110", "unstable", "a", "1.10-1");
    db.add_build("b-epoch", "unstable", "b", "1:0.5-1");
    db.add_build("b-20", "unstable", "b", "2.0-1");
    db.add_build("c-rc", "unstable", "c", "1.0~rc1-1");
    db.add_build("c-10", "unstable", "c", "1.0-1");
    db.add_build("c-exp", "experimental", "c", "1.0~rc1-1");
    let output = env
        .cmd()
        .args(["backfill", "--dry-run", "--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "c-exp\texperimental\tc\t1.0~rc1-1\n\
         a-110\tunstable\ta\t1.10-1\n\
         b-epoch\tunstable\tb\t1:0.5-1\n\
         c-10\tunstable\tc\t1.0-1\n"
    );
    // The dry run created nothing: no ledger schema.
    assert_eq!(
        db.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'auto_upload'")
            .trim(),
        "0"
    );

    let output = env
        .cmd()
        .args([
            "backfill",
            "--dry-run",
            "--database",
            &db.url(),
            "--distribution",
            "experimental",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "c-exp\texperimental\tc\t1.0~rc1-1\n");
}

#[test]
fn uploads_into_the_archive_and_the_second_backfill_does_nothing() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-b1");
    db.add_build("run-b0", "unstable", SOURCE, "0.9-1");
    db.add_build("run-b1", "unstable", SOURCE, VERSION);
    let dput = env.logging_tool("dput-log", "exec dput \"$@\"");

    let output = backfill_with(&env, &db, &dput, &["-v"]);
    assert_exit(&output, 0);
    assert_stderr_contains(
        &output,
        "backfill: uploaded 1, already uploaded 0, failed 0",
    );
    assert_eq!(env.calls("dput-log").len(), 2);
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_eq!(
        ledger_rows(&db),
        vec![
            format!("run-b1 {BINARY_CHANGES} uploaded 1"),
            format!("run-b1 {SOURCE_CHANGES} uploaded 1"),
        ]
    );

    // Cron again: nothing due, nothing printed, nothing uploaded.
    let output = backfill_with(&env, &db, &dput, &[]);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
    assert_eq!(env.calls("dput-log").len(), 2);
    let dry = [
        "backfill",
        "--dry-run",
        "--database",
        &db.url(),
        "--host",
        HOST,
    ];
    let output = env.cmd().args(dry).output().unwrap();
    assert_eq!(stdout(&output), "");
    // The ledger is per dput host: for another host the run is still due.
    let output = env
        .cmd()
        .args([
            "backfill",
            "--dry-run",
            "--database",
            &db.url(),
            "--host",
            "other",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        format!("run-b1\tunstable\t{SOURCE}\t{VERSION}\n")
    );

    // --force uploads again.
    let output = backfill_with(&env, &db, &dput, &["--force"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-log").len(), 4);
}

#[test]
fn two_backfills_at_once_upload_each_changes_once() {
    let env = TestEnv::new();
    let db = TestDb::new();
    for i in 0..8 {
        db.add_built_run(&env, &format!("run-c{i}"), &format!("src{i}"));
    }
    // A slow dput keeps both processes busy at the same time.
    let dput = env.logging_tool("dput-count", "sleep 0.3");
    let spawn = || {
        backfill(&env, &db)
            .env("AUTO_UPLOAD_DPUT", &dput)
            .args(["--jobs", "3"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let outputs: Vec<Output> = [first, second]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert_exit(output, 0);
    }
    let calls = env.calls("dput-count");
    assert_eq!(calls.len(), 16, "{calls:#?}");
    let uploaded = db.sql("SELECT count(*) FROM auto_upload.upload WHERE state = 'uploaded'");
    assert_eq!(uploaded.trim(), "16");
    // Both did part of the work: they really ran side by side.
    let uploaders = db.sql("SELECT count(DISTINCT claimed_by) FROM auto_upload.upload");
    assert_eq!(uploaders.trim(), "2");
}

#[test]
fn a_stale_claim_is_taken_over_and_a_live_one_is_not() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // An empty backfill creates the ledger.
    assert_exit(&backfill(&env, &db).output().unwrap(), 0);
    db.add_run_in(&env, "run-stale", "unstable");
    db.add_run_in(&env, "run-live", "experimental");
    db.sql(&format!(
        "INSERT INTO auto_upload.upload (host, run_id, changes, state, attempts, claimed_by, claimed_at)
         VALUES ('{HOST}', 'run-stale', '{SOURCE_CHANGES}', 'claimed', 1, 'crashed:1', now() - interval '2 hours'),
                ('{HOST}', 'run-live', '{SOURCE_CHANGES}', 'claimed', 1, 'busy:2', now() - interval '1 minute')"
    ));
    let dput = env.logging_tool("dput-stale", "exit 0");
    let output = backfill_with(&env, &db, &dput, &[]);
    assert_exit(&output, 0);
    // run-stale: both .changes, its source's claim taken over; run-live is
    // being uploaded by a live process and is left to it.
    assert_eq!(env.calls("dput-stale").len(), 2);
    let rows = ledger_rows(&db);
    assert!(
        rows.contains(&format!("run-stale {SOURCE_CHANGES} uploaded 2")),
        "{rows:?}"
    );
    assert!(
        rows.contains(&format!("run-stale {BINARY_CHANGES} uploaded 1")),
        "{rows:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.starts_with("run-live"))
            .collect::<Vec<_>>(),
        vec![&format!("run-live {SOURCE_CHANGES} claimed 1")]
    );
    // With a zero lease every claim counts as stale: the live one is taken
    // over too.
    let output = backfill_with(&env, &db, &dput, &["--lease", "0s"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-stale").len(), 4);
}

#[test]
fn failing_uploads_are_retried_then_given_up() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run_with("run-fail", |name| !name.contains("_all."));
    db.add_build("run-fail", "unstable", SOURCE, VERSION);
    let dput = env.logging_tool("dput-fail", "echo 'upload refused' >&2; exit 1");
    for attempt in 1..=2 {
        let output = backfill_with(&env, &db, &dput, &["--max-attempts", "2"]);
        assert_exit(&output, 1);
        assert_stderr_contains(&output, "upload refused");
        assert_eq!(env.calls("dput-fail").len(), attempt);
        assert_eq!(
            ledger_rows(&db),
            vec![format!("run-fail {SOURCE_CHANGES} failed {attempt}")]
        );
    }
    // Given up: nothing due, success.
    let output = backfill_with(&env, &db, &dput, &["--max-attempts", "2"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-fail").len(), 2);
    let error = db.sql("SELECT last_error FROM auto_upload.upload");
    assert!(error.contains("upload refused"), "{error}");
}

#[test]
fn missing_artifacts_are_counted_and_do_not_stop_the_run() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-here");
    db.add_build("run-gone", "unstable", "gone", "1.0-1");
    db.add_build("run-here", "unstable", SOURCE, VERSION);
    let dput = env.logging_tool("dput-m", "exit 0");
    let output = backfill_with(&env, &db, &dput, &["-v"]);
    assert_exit(&output, 0);
    assert_stderr_contains(
        &output,
        "uploaded 1, already uploaded 0, failed 0, artifacts missing 1",
    );
    assert_eq!(env.calls("dput-m").len(), 2);
}

#[test]
fn limit_stops_after_n_uploads() {
    let env = TestEnv::new();
    let db = TestDb::new();
    for i in 0..4 {
        db.add_built_run(&env, &format!("run-l{i}"), &format!("lim{i}"));
    }
    let dput = env.logging_tool("dput-l", "exit 0");
    let output = backfill_with(&env, &db, &dput, &["--limit", "2", "--jobs", "2"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-l").len(), 4);
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let env = TestEnv::new();
    let output = env
        .cmd()
        .args([
            "backfill",
            "--dry-run",
            "--database",
            "postgres://nobody:secret@127.0.0.1:1/janitor",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(
        err.contains("cannot connect to the database postgres://nobody:****@127.0.0.1:1/janitor"),
        "{err}"
    );
    assert!(!err.contains("secret"));
    let output = env
        .cmd()
        .args(["backfill", "--database", "mysql://x/y"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    let output = env.cmd().arg("backfill").output().unwrap();
    assert_exit(&output, 2);
}

#[test]
fn upload_run_records_in_the_ledger_and_skips_what_is_done() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-u");
    let dput = env.logging_tool("dput-u", "exit 0");
    let output = env
        .upload_run("run-u")
        .args(["--database", &db.url()])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(ledger_rows(&db).len(), 2);
    let output = env
        .upload_run("run-u")
        .args(["--database", &db.url()])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("already-uploaded\t"),
        "{}",
        stdout(&output)
    );
    assert_eq!(env.calls("dput-u").len(), 2);
    // --no-ledger behaves as the Python service did.
    let output = env
        .upload_run("run-u")
        .args(["--database", &db.url(), "--no-ledger"])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-u").len(), 4);
}

#[test]
fn listen_skips_uploaded_runs_and_catches_up_after_a_reconnect() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-done", "experimental");
    env.add_run("run-missed");
    let dput = env.logging_tool("dput-listen", "exit 0");
    assert_exit(&backfill_with(&env, &db, &dput, &[]), 0);
    assert_eq!(env.calls("dput-listen").len(), 2);

    let redis = OwnRedis::start();
    let channel = channel("ledger");
    let listen = Listen::start_with(
        &env,
        &redis.url(),
        &channel,
        &["--database", &db.url()],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    // Already uploaded: skipped, dput not called.
    publish(
        &redis.url(),
        &channel,
        runner_message("run-done", "unstable", "unstable").as_bytes(),
    );
    wait_until(30, "the skip", || {
        listen.metric("auto_upload_uploads_total{outcome=\"skipped\"}") == 1.0
    });
    assert_eq!(env.calls("dput-listen").len(), 2);

    // Redis goes away; a build lands meanwhile (its message would be lost).
    let port = redis.stop();
    wait_until(20, "/ready to turn 503", || {
        listen.status("/ready") == Some(503)
    });
    db.add_build("run-missed", "unstable", SOURCE, VERSION);
    let _redis = OwnRedis::start_on(port);
    wait_until(60, "the catch-up upload", || {
        listen.metric("auto_upload_uploads_total{outcome=\"uploaded\"}") == 1.0
    });
    assert_eq!(env.calls("dput-listen").len(), 4);
    let rows = ledger_rows(&db);
    assert!(
        rows.contains(&format!("run-missed {SOURCE_CHANGES} uploaded 1")),
        "{rows:?}"
    );
    assert_eq!(listen.metric("auto_upload_catch_ups_total"), 1.0);
}

#[test]
fn no_ledger_uploads_everything_and_writes_nothing() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-nl", "nl");
    let dput = env.logging_tool("dput-nl", "exit 0");
    for round in 1..=2 {
        let output = backfill_with(&env, &db, &dput, &["--no-ledger"]);
        assert_exit(&output, 0);
        // As the Python service did: every backfill uploads the newest builds again.
        assert_eq!(env.calls("dput-nl").len(), 2 * round);
    }
    assert_eq!(
        db.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'auto_upload'")
            .trim(),
        "0"
    );
}

#[test]
fn listen_backfill_runs_one_backfill_at_start() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-start", "start");
    let dput = env.logging_tool("dput-start", "exit 0");
    let channel = channel("backfill-start");
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &["--database", &db.url(), "--backfill"],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    wait_until(60, "the start-up backfill", || {
        listen.metric("auto_upload_uploads_total{outcome=\"uploaded\"}") == 1.0
    });
    assert_eq!(env.calls("dput-start").len(), 2);
    assert_eq!(
        listen.metric("auto_upload_messages_total{outcome=\"accepted\"}"),
        0.0
    );
}

#[test]
fn backfill_writes_its_figures_for_node_exporter() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-prom", "prom");
    let dput = env.logging_tool("dput-prom", "exit 0");
    let file = env.path("auto-upload-backfill.prom");
    let output = backfill_with(
        &env,
        &db,
        &dput,
        &["--metrics-file", &file.display().to_string()],
    );
    assert_exit(&output, 0);
    let text = std::fs::read_to_string(&file).unwrap();
    for line in [
        "auto_upload_backfill_runs{outcome=\"uploaded\"} 1",
        "auto_upload_backfill_runs{outcome=\"failed\"} 0",
        "auto_upload_backfill_succeeded 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }
    assert!(
        text.contains("auto_upload_backfill_last_success_timestamp_seconds "),
        "{text}"
    );
}
