//! `auto-upload ledger`: the operators' view of the upload ledger, and the
//! error history a new migration adds over an existing ledger.

use std::process::Output;

use crate::support::database::TestDb;
use crate::support::*;

/// `ledger ARGS`; `list` counts two failed attempts as gave-up, as the
/// backfills below give up after two.
fn ledger(env: &TestEnv, db: &TestDb, args: &[&str]) -> Output {
    let mut command = env.cmd();
    command
        .arg("ledger")
        .args(args)
        .args(["--database", &db.url()]);
    if args.first() == Some(&"list") {
        command.args(["--max-attempts", "2"]);
    }
    command.output().unwrap()
}

fn backfill(env: &TestEnv, db: &TestDb, dput: &std::path::Path, extra: &[&str]) -> Output {
    env.backfill(&db.url())
        .args(["--max-attempts", "2"])
        .args(extra)
        .env("AUTO_UPLOAD_DPUT", dput)
        .output()
        .unwrap()
}

#[test]
fn list_show_retry_and_forget() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // Before anything was recorded there is no ledger to look at.
    let output = ledger(&env, &db, &["list"]);
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "no upload ledger");

    // run-bad: dput refuses it twice (gave up at --max-attempts 2).
    db.add_run_in(&env, "run-bad", "experimental");
    let refusing = env.logging_tool("dput-refuses", "echo 'upload refused' >&2; exit 1");
    for _ in 0..2 {
        assert_exit(&backfill(&env, &db, &refusing, &[]), 1);
    }
    // run-ok uploads; run-gone has no artifacts (gave up too).
    env.add_run("run-ok");
    db.add_build("run-ok", "unstable", SOURCE, VERSION);
    db.add_build("run-gone", "unstable", "gone", "1.0-1");
    let dput = env.logging_tool("dput-ok", "exit 0");
    for _ in 0..2 {
        assert_exit(&backfill(&env, &db, &dput, &[]), 0);
    }
    assert_eq!(env.calls("dput-ok").len(), 2);

    let output = ledger(&env, &db, &["list"]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let ok = lines.iter().find(|l| l.starts_with("run-ok\t")).unwrap();
    assert!(
        ok.contains(&format!(
            "\t{HOST}\t{SOURCE}\t{VERSION}\tunstable\tuploaded\t1\t"
        )),
        "{ok}"
    );
    let bad = lines.iter().find(|l| l.starts_with("run-bad\t")).unwrap();
    assert!(bad.contains("\tgave-up\t2\t"), "{bad}");
    assert!(bad.contains("upload refused"), "{bad}");

    let only = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list"];
        all.extend(args);
        let output = ledger(&env, &db, &all);
        assert_exit(&output, 0);
        stdout(&output)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(only(&["--state", "uploaded"]), vec!["run-ok"]);
    let mut gave_up = only(&["--state", "gave-up"]);
    gave_up.sort();
    assert_eq!(gave_up, vec!["run-bad", "run-gone"]);
    let mut by_source = only(&["--source", SOURCE]);
    by_source.sort();
    assert_eq!(by_source, vec!["run-bad", "run-ok"]);
    assert_eq!(only(&["--since", "1h"]).len(), 3);
    assert!(only(&["--state", "claimed"]).is_empty());
    // AUTO_UPLOAD_HOST (the service's settings) says where uploads go,
    // not which rows an operator sees: only --host on the command line
    // selects.
    let output = env
        .cmd()
        .args(["ledger", "list", "--database", &db.url()])
        .env("AUTO_UPLOAD_HOST", "elsewhere")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 3, "{}", stdout(&output));
    assert!(only(&["--host", "elsewhere"]).is_empty());
    // The service's settings file (the units' EnvironmentFile=) gives a
    // command run by hand its database; one that cannot be read is a usage
    // error.
    let settings = env.path("settings");
    std::fs::write(
        &settings,
        format!(
            "# as /etc/auto-upload/auto-upload.conf; the later line wins, as for systemd\n\
             AUTO_UPLOAD_DATABASE=postgresql://nobody@127.0.0.1:1/none\n\
             AUTO_UPLOAD_DATABASE=\"{}\"\nAUTO_UPLOAD_HOST=elsewhere\n",
            db.url()
        ),
    )
    .unwrap();
    let output = env
        .cmd()
        .args(["ledger", "list", "--settings"])
        .arg(&settings)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 3, "{}", stdout(&output));
    // The database URL with its password as a credential file (what the
    // units are handed by LoadCredential=), beating the settings file.
    let credentials = env.path("credentials");
    std::fs::create_dir(&credentials).unwrap();
    std::fs::write(credentials.join("database"), format!("{}\n", db.url())).unwrap();
    std::fs::write(
        &settings,
        "AUTO_UPLOAD_DATABASE=postgresql://nobody@127.0.0.1:1/none\n",
    )
    .unwrap();
    let output = env
        .cmd()
        .args(["-v", "ledger", "list", "--settings"])
        .arg(&settings)
        .env("AUTO_UPLOAD_CREDENTIALS", &credentials)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 3, "{}", stdout(&output));
    // The log says where the URL came from.
    assert_stderr_contains(
        &output,
        &format!("from=credential {}", credentials.join("database").display()),
    );
    let output = env
        .cmd()
        .args(["ledger", "list"])
        .env("AUTO_UPLOAD_SETTINGS", env.path("no-such-settings"))
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "cannot read the settings file");
    let output = ledger(&env, &db, &["list", "--json", "--state", "uploaded"]);
    let row: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(row["run_id"], "run-ok");
    assert_eq!(row["host"], HOST);
    assert_eq!(row["attempts"], 1);

    // show: every .changes, each failed attempt, the whole last error.
    let output = ledger(&env, &db, &["show", "run-bad"]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.contains(SOURCE_CHANGES), "{text}");
    assert!(
        text.contains("attempt 1 failed") && text.contains("attempt 2 failed"),
        "{text}"
    );
    assert!(text.contains("last error:"), "{text}");
    assert_exit(&ledger(&env, &db, &["show", "run-nope"]), 1);

    // retry: reset, and the next backfill uploads it.
    let output = ledger(&env, &db, &["retry", "run-bad"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("reset\trun-bad\t"),
        "{}",
        stdout(&output)
    );
    assert_exit(&backfill(&env, &db, &dput, &[]), 0);
    assert_eq!(env.calls("dput-ok").len(), 4, "only run-bad was due");
    let mut uploaded = only(&["--state", "uploaded"]);
    uploaded.sort();
    assert_eq!(uploaded, vec!["run-bad", "run-ok"]);
    let output = ledger(&env, &db, &["retry", "run-ok"]);
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "nothing to retry");

    // retry --now: the artifacts are there now; uploaded at once.
    env.add_run_of("run-gone", &package("gone", VERSION, "unstable"));
    let output = env
        .cmd()
        .args([
            "ledger",
            "retry",
            "run-gone",
            "--now",
            "--database",
            &db.url(),
        ])
        .arg("--artifacts")
        .arg(env.store())
        .args(env.signing_args())
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "uploaded\t");
    assert_eq!(env.calls("dput-ok").len(), 6);

    // forget: gone from the ledger, due again.
    let output = ledger(&env, &db, &["forget", "run-ok"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("forgot\trun-ok\t2"),
        "{}",
        stdout(&output)
    );
    assert_exit(&ledger(&env, &db, &["show", "run-ok"]), 1);
    let output = env
        .cmd()
        .args([
            "backfill",
            "--dry-run",
            "--database",
            &db.url(),
            "--host",
            HOST,
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        format!("run-ok\tunstable\t{SOURCE}\t{VERSION}\n")
    );
    let _ = refusing;
}

#[test]
fn the_new_migration_applies_over_an_existing_ledger() {
    let db = TestDb::new();
    let env = TestEnv::new();
    // A ledger as the previous release left it: only the first migration.
    let first = env.path("migrations-0001");
    std::fs::create_dir(&first).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0001_ledger.sql"),
        first.join("0001_ledger.sql"),
    )
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let database =
            auto_upload::ledger::database::Database::new(&db.url(), "auto_upload").unwrap();
        let pool = database.connect(2).await.unwrap();
        sqlx::query("CREATE SCHEMA auto_upload")
            .execute(&pool)
            .await
            .unwrap();
        let old = sqlx::migrate::Migrator::new(first.as_path()).await.unwrap();
        old.run(&pool).await.unwrap();
    });
    db.sql(&format!(
        "INSERT INTO auto_upload.upload (host, run_id, changes, state, attempts, last_error)
         VALUES ('{HOST}', 'run-old', 'x_1_source.changes', 'failed', 3, 'old failure')"
    ));
    // Any command with the ledger migrates it; the old row is kept and shown.
    let output = ledger(&env, &db, &["list", "--state", "gave-up"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("run-old\t"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("old failure"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        db.sql("SELECT count(*) FROM auto_upload._sqlx_migrations")
            .trim(),
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .count()
            .to_string()
    );
    // The new states are accepted by the constraint.
    db.sql("UPDATE auto_upload.upload SET state = 'superseded'");
    assert_exit(&ledger(&env, &db, &["show", "run-old"]), 0);
}

#[test]
fn reconcile_marks_what_the_archive_has_accepted_and_the_rest_unconfirmed() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // A run of two suites that debian_build does not list, uploaded by
    // hand a suite at a time (one campaign builds for one suite).
    env.add_split_run("run-rec");
    for suite in ["unstable", "experimental"] {
        let output = env
            .upload_run_recorded("run-rec")
            .args([
                "--codebase",
                SOURCE,
                "--campaign",
                suite,
                "--distribution",
                suite,
            ])
            .args(["--database", &db.url()])
            .output()
            .unwrap();
        assert_exit(&output, 0);
    }
    // The archive takes the source into unstable; the binary-only upload
    // goes to experimental, whose Sources never lists it.
    assert_source_accepted(&env.process_incoming());
    let archive = format!("file://{}", env.path("archive").display());
    let states = || {
        db.sql("SELECT changes || ' ' || state FROM auto_upload.upload ORDER BY changes")
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };

    let figures = env.path("auto-upload-reconcile.prom");
    let output = ledger(
        &env,
        &db,
        &[
            "reconcile",
            "--archive",
            &archive,
            "--metrics-file",
            &figures.display().to_string(),
        ],
    );
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "", "silent on success");
    let text = std::fs::read_to_string(&figures).unwrap();
    assert!(
        text.contains("auto_upload_reconcile_uploads{state=\"accepted\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("auto_upload_reconcile_succeeded 1\n"),
        "{text}"
    );
    assert_eq!(
        states(),
        vec![
            format!("{BINARY_CHANGES} uploaded"),
            format!("{SOURCE_CHANGES} accepted"),
        ]
    );

    // Still missing after --after: unconfirmed, and said so.
    let output = ledger(
        &env,
        &db,
        &["reconcile", "--archive", &archive, "--after", "0s"],
    );
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "unconfirmed");
    assert_eq!(
        states(),
        vec![
            format!("{BINARY_CHANGES} unconfirmed"),
            format!("{SOURCE_CHANGES} accepted"),
        ]
    );
    let output = ledger(&env, &db, &["list", "--state", "unconfirmed"]);
    assert!(
        stdout(&output).starts_with("run-rec\t"),
        "{}",
        stdout(&output)
    );

    // An archive that cannot be read: exit 1, nothing changed.
    let output = ledger(
        &env,
        &db,
        &["reconcile", "--archive", "file:///nonexistent"],
    );
    assert_exit(&output, 1);
    // No archive at all: a usage error.
    assert_exit(&ledger(&env, &db, &["reconcile"]), 2);
}
