//! The ledger under attack and failure: a stalled dput must not lead to a
//! second upload, a claim taken over stops the upload before dput, every
//! failure counts as an attempt, and secrets and stray environment
//! variables never leak into what is printed or used.

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::database::TestDb;
use crate::support::*;

/// `COMMAND` against this env's store, key and archive, and `db`.
fn with_ledger(env: &TestEnv, db: &TestDb, subcommand: &[&str]) -> Command {
    let mut command = env.cmd();
    command
        .args(subcommand)
        .args(["--database", &db.url(), "--artifacts"])
        .arg(env.store())
        .args(env.signing_args());
    if subcommand.first() == Some(&"upload-run") {
        command.args(DISPATCH);
    }
    command
}

fn claim_state(db: &TestDb, run_id: &str) -> String {
    db.sql(&format!(
        "SELECT coalesce(string_agg(changes || ' ' || state, ','), '') FROM auto_upload.upload WHERE run_id = '{run_id}'"
    ))
    .trim()
    .to_owned()
}

#[test]
fn a_stalled_dput_past_the_lease_does_not_lead_to_a_second_upload() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-stall", "auhello");
    let first = env.path("first-call");
    // Logs every call; the first one stalls well past the 2 s lease.
    let dput = env.logging_tool(
        "dput",
        &format!(
            "if [ ! -e '{0}' ]; then touch '{0}'; sleep 6; fi\nexec dput \"$@\"",
            first.display()
        ),
    );
    let upload = with_ledger(&env, &db, &["upload-run", "run-stall"])
        .args(["--lease", "2s", "--dput-program"])
        .arg(&dput)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(60, "the first dput to start", || first.exists());
    std::thread::sleep(Duration::from_secs(3));
    // The claim is older than the lease now, unless it is renewed.
    let backfill = with_ledger(&env, &db, &["backfill"])
        .args(["--lease", "2s", "--dput-program"])
        .arg(&dput)
        .output()
        .unwrap();
    assert_exit(&backfill, 0);
    let upload = upload.wait_with_output().unwrap();
    assert_exit(&upload, 0);
    let calls = env.calls("dput");
    for changes in [SOURCE_CHANGES, BINARY_CHANGES] {
        let count = calls.iter().filter(|c| c.ends_with(changes)).count();
        assert_eq!(count, 1, "{changes} uploaded {count} times: {calls:?}");
    }
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_binary_accepted(&listing);
}

#[test]
fn a_claim_taken_over_while_signing_stops_before_dput() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-thief");
    let signing = env.path("signing");
    let debsign = env.script(
        "slow-debsign",
        &format!(
            "touch '{}'; sleep 4; exec debsign \"$@\"",
            signing.display()
        ),
    );
    let dput = env.logging_tool("dput", "exec dput \"$@\"");
    let child = with_ledger(&env, &db, &["upload-run", "run-thief", "--source-only"])
        .args(["--lease", "1s", "--debsign-program"])
        .arg(&debsign)
        .arg("--dput-program")
        .arg(&dput)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(60, "debsign to start", || signing.exists());
    db.sql("UPDATE auto_upload.upload SET claimed_by = 'thief:1', claimed_at = now()");
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "taken over by another process");
    assert_stdout_contains(&output, "claim-lost");
    assert!(env.calls("dput").is_empty(), "{:?}", env.calls("dput"));
    assert!(env.incoming().is_empty());
    // The thief's claim stands.
    assert_eq!(
        claim_state(&db, "run-thief"),
        format!("{SOURCE_CHANGES} claimed")
    );
}

#[test]
fn a_claim_taken_over_during_dput_is_an_error_when_recording() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-late-thief");
    let uploading = env.path("uploading");
    let dput = env.script(
        "slow-dput",
        &format!("touch '{}'; sleep 3; exec dput \"$@\"", uploading.display()),
    );
    let child = with_ledger(
        &env,
        &db,
        &["upload-run", "run-late-thief", "--source-only"],
    )
    .args(["--lease", "1s", "--dput-program"])
    .arg(&dput)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_until(60, "dput to start", || uploading.exists());
    db.sql("UPDATE auto_upload.upload SET claimed_by = 'thief:1', claimed_at = now()");
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "the final ledger update matched no row");
    // dput was left to finish: the upload is whole.
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

#[test]
fn failures_with_exit_1_count_as_attempts_and_are_given_up() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-disk", "auhello");
    // No temporary directory can be made: every attempt fails with exit 1.
    let nowhere = env.path("no-such-tmp");
    for _ in 0..2 {
        let output = with_ledger(&env, &db, &["backfill", "--max-attempts", "2"])
            .env("TMPDIR", &nowhere)
            .output()
            .unwrap();
        assert_exit(&output, 1);
    }
    assert_eq!(
        db.sql("SELECT state || ' ' || attempts FROM auto_upload.upload WHERE run_id = 'run-disk'")
            .trim(),
        "failed 2"
    );
    let due = env
        .cmd()
        .args([
            "backfill",
            "--dry-run",
            "--max-attempts",
            "2",
            "--host",
            HOST,
            "--database",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_exit(&due, 0);
    assert_eq!(stdout(&due), "", "given up, yet planned again");
}

#[test]
fn database_url_in_the_environment_is_not_the_ledger() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let output = env
        .cmd()
        .args(["backfill", "--dry-run"])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "no database given");
    let output = env
        .cmd()
        .args(["backfill", "--dry-run"])
        .env("AUTO_UPLOAD_DATABASE", db.url())
        .output()
        .unwrap();
    assert_exit(&output, 0);
}

#[test]
fn passwords_are_never_printed() {
    let env = TestEnv::new();
    env.add_run("run-secret");
    for database in [
        "postgres://janitor:s3cret-pw@127.0.0.1:1/janitor",
        "postgres://janitor@127.0.0.1:1/janitor?password=s3cret-pw",
        "host=127.0.0.1 port=1 user=janitor password=s3cret-pw dbname=janitor",
    ] {
        let output = env
            .upload_run("run-secret")
            .args(["--database", database])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{database}");
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!text.contains("s3cret-pw"), "{database}: {text}");
        assert!(text.contains("****"), "{database}: {text}");
    }
    let config = env.path("janitor.conf");
    fs::write(&config, "redis_location: \"redis://:s3cret-pw@[::1\"\n").unwrap();
    let output = env
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(["listen", "--artifacts"])
        .arg(env.store())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        !stderr(&output).contains("s3cret-pw"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_end_of_an_upload_is_recorded_once_the_database_is_back() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-outage", "auhello");
    // dput succeeds, but the ledger's database goes away meanwhile (no new
    // connections, the pool's own ones ended) and comes back 3 s later.
    let dput = env.logging_tool("dput-outage", &format!("{}\nexit 0", db.refusal_script(3)));
    let output = with_ledger(&env, &db, &["backfill", "--source-only", "--lease", "30s"])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    // Wait for the database whatever happened, then judge.
    db.wait_for_connections(10);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-outage").len(), 1);
    assert_eq!(
        claim_state(&db, "run-outage"),
        format!("{SOURCE_CHANGES} uploaded"),
        "{}",
        stderr(&output)
    );
    assert_stderr_contains(&output, "trying again");
}
