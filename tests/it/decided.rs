//! Sign only what the Janitor decided: the run's codebase and campaign
//! (the run table, or the runner's message), the campaign's build settings
//! in janitor.conf (distribution, build suffix, base distribution for the
//! epoch) and the reviewers' verdict. The worker stores what it likes and
//! the runner derives `debian_build` and the message's `build_*` from it,
//! as the Janitor's runner does: every attack below is consistent with
//! itself, and is refused with nothing signed or uploaded, through
//! upload-run, backfill and listen (with and without a database), against
//! real debsign, dput, reprepro, Redis and PostgreSQL.

use std::fs;
use std::process::Output;

use crate::support::database::{ledger, TestDb};
use crate::support::service::*;
use crate::support::*;

/// The Janitor's lintian-fixes campaign, as janitor.conf configures it.
const JANITOR_CONF: &str = "\
campaign {
  name: \"lintian-fixes\"
  debian_build {
    build_distribution: \"lintian-fixes\"
    build_suffix: \"jan+lint\"
    base_distribution: \"unstable\"
  }
}
campaign { name: \"unstable\" debian_build { } }
";

/// The honest build of codebase auhello in lintian-fixes.
const HONEST: (&str, &str, &str) = (SOURCE, "1.0-1~jan+lint1", "lintian-fixes");

/// What a compromised worker stores for a lintian-fixes run of auhello,
/// and the field that refuses it.
const ATTACKS: [((&str, &str, &str), &str); 5] = [
    (("otherpkg", "9:9.9-1", "lintian-fixes"), "Source"),
    ((SOURCE, "9:1.0-1", "lintian-fixes"), "Version"),
    ((SOURCE, "1:1.0-1~jan+lint1", "lintian-fixes"), "Version"),
    ((SOURCE, "1.0-1~jan+lint1", "unstable"), "Distribution"),
    (("otherpkg", "1.0-1~jan+lint1", "unstable"), "Source"),
];

const MISMATCH: &str = "auto_upload_uploads_total{outcome=\"mismatch\"}";
const UPLOADED: &str = "auto_upload_uploads_total{outcome=\"uploaded\"}";

/// A test env whose janitor.conf is the Janitor's lintian-fixes campaign
/// and whose archive takes lintian-fixes uploads.
fn lintian_fixes_env() -> TestEnv {
    let env = TestEnv::new();
    fs::write(env.janitor_conf(), JANITOR_CONF).unwrap();
    let conf = env.path("archive/conf/distributions");
    let mut distributions = fs::read_to_string(&conf).unwrap();
    distributions.push_str(
        "Codename: lintian-fixes\nArchitectures: source amd64\nComponents: main\n\
         Uploaders: uploaders\nDscIndices: Sources Release . .gz .xz\n\n",
    );
    fs::write(&conf, distributions).unwrap();
    let incoming = env.path("archive/conf/incoming");
    let text = fs::read_to_string(&incoming).unwrap().replace(
        "Allow: unstable experimental",
        "Allow: unstable experimental lintian-fixes",
    );
    fs::write(&incoming, text).unwrap();
    env
}

/// Stores what the worker built as `run_id`, and (with `db`) the runner's
/// rows: the run dispatched as auhello in lintian-fixes, its debian_build
/// row derived from the worker's files.
fn worker_run(env: &TestEnv, db: Option<&TestDb>, run_id: &str, built: (&str, &str, &str)) {
    let (source, version, distribution) = built;
    env.add_run_of(run_id, &package(source, version, distribution));
    if let Some(db) = db {
        db.add_dispatched(run_id, (SOURCE, "lintian-fixes"), built);
    }
}

/// The runner's message for a lintian-fixes run of auhello whose worker
/// built `built`: build_* and the file names derived from its files.
fn worker_message(run_id: &str, built: (&str, &str, &str)) -> String {
    let (source, version, distribution) = built;
    let plain = version.split_once(':').map_or(version, |(_, v)| v);
    serde_json::json!({
        "log_id": run_id, "code": "success", "description": "Built",
        "campaign": "lintian-fixes", "codebase": SOURCE,
        "target": {"name": "debian", "details": {
            "build_distribution": distribution, "build_version": version,
            "changes_filenames": [
                format!("{source}_{plain}_source.changes"),
                format!("{source}_{plain}_all.changes")],
            "binary_packages": [source]}}
    })
    .to_string()
}

fn upload_run(env: &TestEnv, db: &TestDb, run_id: &str) -> Output {
    env.upload_run_recorded(run_id)
        .args(["--database", &db.url()])
        .output()
        .unwrap()
}

fn backfill(env: &TestEnv, db: &TestDb, extra: &[&str]) -> Output {
    env.cmd()
        .args(["backfill", "-v", "--database", &db.url(), "--artifacts"])
        .arg(env.store())
        .args(env.signing_args())
        .args(extra)
        .output()
        .unwrap()
}

/// Panics unless the archive took the honest build into lintian-fixes.
fn assert_honest_accepted(env: &TestEnv) {
    let listing = env.process_incoming();
    let line = format!("lintian-fixes|main|source: {SOURCE} {}", HONEST.1);
    assert!(listing.contains(&line), "{line} not in:\n{listing}");
}

#[test]
fn upload_run_signs_only_what_the_janitor_decided() {
    let env = lintian_fixes_env();
    let db = TestDb::new();
    for (i, (built, field)) in ATTACKS.iter().enumerate() {
        let run_id = format!("run-attack-{i}");
        worker_run(&env, Some(&db), &run_id, *built);
        let output = upload_run(&env, &db, &run_id);
        assert_exit(&output, 5);
        assert_stderr_contains(&output, &format!("{field} is "));
        assert_stderr_contains(&output, "campaign lintian-fixes of codebase auhello");
        assert!(env.incoming().is_empty(), "{built:?}: {:?}", env.incoming());
    }
    // The epoch's refusal says what would allow one.
    let output = upload_run(&env, &db, "run-attack-2");
    assert_stderr_contains(&output, "no archive is configured");

    worker_run(&env, Some(&db), "run-honest", HONEST);
    let output = upload_run(&env, &db, "run-honest");
    assert_exit(&output, 0);
    assert_honest_accepted(&env);
}

#[test]
fn backfill_signs_only_what_the_janitor_decided() {
    // One database per attack: backfill plans the newest build of each
    // (distribution, source), and several attacks share one.
    for (i, (built, field)) in ATTACKS.iter().enumerate() {
        let env = lintian_fixes_env();
        let db = TestDb::new();
        let run_id = format!("run-attack-{i}");
        worker_run(&env, Some(&db), &run_id, *built);
        let output = backfill(&env, &db, &[]);
        assert_exit(&output, 1);
        assert_stderr_contains(&output, &format!("{field} is "));
        assert!(env.incoming().is_empty(), "{built:?}: {:?}", env.incoming());
        let list = ledger(&env, &db, &["list", "--state", "refused"]);
        assert_stdout_contains(&list, &format!("{run_id}\t"));
    }
    let env = lintian_fixes_env();
    let db = TestDb::new();
    worker_run(&env, Some(&db), "run-honest", HONEST);
    let output = backfill(&env, &db, &[]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 1,");
    assert_honest_accepted(&env);
}

/// Publishes every attack and then the honest build to a running listen;
/// each attack is refused, the honest build uploaded.
fn listen_refuses_every_attack(env: &TestEnv, db: Option<&TestDb>, extra: &[&str]) {
    let channel = channel(&format!("decided-{}", db.is_some()));
    let mut args: Vec<&str> = extra.to_vec();
    let url = db.map(TestDb::url);
    if let Some(url) = &url {
        args.extend(["--database", url]);
    }
    let debsign = env.logging_tool("debsign-decided", "exec debsign \"$@\"");
    let listen = Listen::start_with(env, REDIS, &channel, &args, |c| {
        c.env("AUTO_UPLOAD_DEBSIGN", &debsign);
    });
    for (i, (built, _)) in ATTACKS.iter().enumerate() {
        let run_id = format!("run-attack-{i}");
        worker_run(env, db, &run_id, *built);
        let message = worker_message(&run_id, *built);
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    }
    wait_until(90, "every attack to be refused", || {
        listen.metric(MISMATCH) == ATTACKS.len() as f64
    });
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    assert!(env.calls("debsign-decided").is_empty());
    let logs = listen.logs();
    for (_, field) in ATTACKS {
        assert!(logs.contains(&format!("{field} is ")), "{field}: {logs}");
    }
    worker_run(env, db, "run-honest", HONEST);
    let message = worker_message("run-honest", HONEST);
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(90, "the honest upload", || listen.metric(UPLOADED) == 1.0);
    assert_honest_accepted(env);
}

#[test]
fn listen_with_a_database_signs_only_what_the_janitor_decided() {
    let env = lintian_fixes_env();
    let db = TestDb::new();
    listen_refuses_every_attack(&env, Some(&db), &[]);
}

#[test]
fn listen_without_a_database_signs_only_what_the_runner_dispatched() {
    let env = lintian_fixes_env();
    listen_refuses_every_attack(&env, None, &["--campaign", "lintian-fixes"]);
}

#[test]
fn a_message_without_its_dispatch_is_malformed_and_never_uploaded() {
    let env = lintian_fixes_env();
    worker_run(&env, None, "run-nodispatch", HONEST);
    let channel = channel("nodispatch");
    let listen = Listen::start(&env, REDIS, &channel, &[]);
    let message = worker_message("run-nodispatch", HONEST);
    for stripped in [
        message.replace("\"codebase\":\"auhello\",", ""),
        message.replace("\"campaign\":\"lintian-fixes\",", ""),
    ] {
        assert_ne!(stripped, message);
        assert_eq!(publish(REDIS, &channel, stripped.as_bytes()), 1);
    }
    wait_until(30, "both to be counted malformed", || {
        listen.metric("auto_upload_messages_total{outcome=\"malformed\"}") == 2.0
    });
    assert!(env.incoming().is_empty());
    assert!(listen.logs().contains("without its codebase and campaign"));
}

#[test]
fn routing_follows_the_campaign_not_the_files() {
    let env = lintian_fixes_env();
    let db = TestDb::new();
    // A second dput host, its own queue: unstable goes there.
    fs::create_dir_all(env.path("other-incoming")).unwrap();
    let mut cf = fs::read_to_string(env.dput_cf()).unwrap();
    cf.push_str(&format!(
        "\n[other]\nmethod = local\nincoming = {}\nallow_unsigned_uploads = 0\n",
        env.path("other-incoming").display()
    ));
    fs::write(env.dput_cf(), cf).unwrap();
    // A lintian-fixes run whose worker wrote unstable.
    worker_run(
        &env,
        Some(&db),
        "run-route",
        (SOURCE, "1.0-1~jan+lint1", "unstable"),
    );
    let output = env
        .cmd()
        .args(["upload-run", "run-route", "--artifacts"])
        .arg(env.store())
        .args(env.key_args())
        .args([
            "--host",
            "unstable=other",
            "--host",
            &format!("lintian-fixes={HOST}"),
        ])
        .args(["--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "Distribution is unstable");
    assert!(env.incoming().is_empty());
    assert!(list_dir(&env.path("other-incoming")).is_empty());
    // A suite no campaign builds for is said at start.
    let output = env
        .cmd()
        .args(["upload-run", "run-route", "--artifacts"])
        .arg(env.store())
        .args(env.key_args())
        .args(["--host", HOST, "--delayed", "unstabel=7", "--dry-run"])
        .args(["--database", &db.url()])
        .output()
        .unwrap();
    assert_stderr_contains(
        &output,
        "no campaign of the Janitor configuration builds for this suite",
    );
    assert_stderr_contains(&output, "unstabel");
}

#[test]
fn a_campaign_janitor_conf_does_not_have_is_refused_and_left_due() {
    let env = lintian_fixes_env();
    let db = TestDb::new();
    env.add_run_of(
        "run-unknown",
        &package(SOURCE, "1.0-1~jan+lint1", "lintian-fixes"),
    );
    db.add_dispatched(
        "run-unknown",
        (SOURCE, "fresh-snapshots"),
        (SOURCE, "1.0-1~jan+lint1", "lintian-fixes"),
    );
    let output = upload_run(&env, &db, "run-unknown");
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "campaign fresh-snapshots is not a Debian campaign");
    let output = backfill(&env, &db, &[]);
    assert_exit(&output, 1);
    assert_stderr_contains(
        &output,
        "left due for want of a Debian campaign in janitor.conf 1",
    );
    assert!(env.incoming().is_empty());
    // Nothing recorded: adding the campaign uploads it.
    assert_eq!(
        db.sql("SELECT count(*) FROM auto_upload.upload").trim(),
        "0"
    );
}

#[test]
fn rejected_runs_are_never_signed() {
    let env = lintian_fixes_env();
    let db = TestDb::new();
    worker_run(&env, Some(&db), "run-rejected", HONEST);
    db.review("run-rejected", "rejected", Some("alice"));
    let output = upload_run(&env, &db, "run-rejected");
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "publish_status is rejected");
    assert_stderr_contains(&output, "rejected by alice at 2026-12-01 10:00:00 UTC");
    let list = ledger(&env, &db, &["list", "--state", "rejected"]);
    assert_exit(&list, 0);
    assert_stdout_contains(&list, "run-rejected\t");
    assert_stdout_contains(&list, "rejected by alice at 2026-12-01 10:00:00 UTC");
    let show = ledger(&env, &db, &["show", "run-rejected"]);
    assert_stdout_contains(&show, "rejected by alice");
    // backfill does not even plan it; listen counts it rejected.
    let output = backfill(&env, &db, &[]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 0, already uploaded 0, failed 0");
    db.review("run-rejected", "blocked", None);
    let channel = channel("rejected");
    let listen = Listen::start(&env, REDIS, &channel, &["--database", &db.url()]);
    let message = worker_message("run-rejected", HONEST);
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(30, "the run to be counted rejected", || {
        listen.metric("auto_upload_uploads_total{outcome=\"rejected\"}") == 1.0
    });
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    // An approval later lets it through, once.
    db.review("run-rejected", "approved", Some("bob"));
    let output = backfill(&env, &db, &[]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 1,");
    assert_honest_accepted(&env);
}

#[test]
fn a_rejection_that_lands_during_the_fetch_stops_the_run_before_debsign() {
    use auto_upload::input::dispatch::{Dispatch, DispatchOrigin};
    use auto_upload::input::verdict::PublishStatus;
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-late", "unstable");
    // What the run row said when the run was taken up...
    let dispatch = Dispatch::new(
        SOURCE,
        "unstable",
        Some(PublishStatus::Unknown),
        DispatchOrigin::RunTable,
    )
    .unwrap();
    // ...and what a reviewer decided while its files were fetched.
    db.review("run-late", "rejected", Some("carol"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (outcome, state) = runtime.block_on(async {
        let database =
            auto_upload::ledger::database::Database::new(&db.url(), "auto_upload").unwrap();
        let config = auto_upload::ledger::LedgerConfig {
            database,
            ledger_database: None,
            policy: Some(auto_upload::ledger::Policy {
                lease: std::time::Duration::from_secs(60),
                max_attempts: Some(3),
                force: false,
            }),
            hosts: auto_upload::input::hosts::Hosts::single(Some(HOST.parse().unwrap())),
            limits: None,
        };
        let opened = config
            .open(1, auto_upload::ledger::Access::Write)
            .await
            .unwrap();
        let run = auto_upload::chain::pipeline::Dispatched {
            dispatch: &dispatch,
            records: &[],
            janitor: Some(&opened.pool),
        };
        let run_id = "run-late".parse().unwrap();
        let ran = auto_upload::chain::upload::upload_run(
            &env.pipeline(),
            opened.ledger.as_ref(),
            &run_id,
            run,
            &tokio_util::sync::CancellationToken::new(),
        )
        .await;
        let outcome = ran.outcome;
        let report = ran.result.unwrap();
        let labels: Vec<&str> = report.changes.iter().map(|c| c.outcome.label()).collect();
        (outcome, labels)
    });
    assert_eq!(
        outcome,
        auto_upload::chain::run_outcome::RunOutcome::Rejected,
        "{state:?}"
    );
    assert_eq!(state.first(), Some(&"rejected"), "{state:?}");
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    let rows = db.sql(
        "SELECT state, attempts, last_error FROM auto_upload.upload WHERE changes <> '' ORDER BY changes",
    );
    assert!(rows.contains("rejected|0|"), "{rows}");
    assert!(rows.contains("rejected by carol"), "{rows}");
}

#[test]
fn a_run_awaiting_review_is_uploaded_once_when_approved() {
    let env = TestEnv::new();
    let db = TestDb::new();
    for run in ["run-rv1", "run-rv2"] {
        db.add_run_in(&env, run, "unstable");
    }
    // Another source: backfill plans the newest build of each.
    db.add_package_run(&env, "run-rv3", "authree", "unstable");
    let channel = channel("review");
    let status_channel = format!("{channel}-status");
    let listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &["--database", &db.url(), "--require-review", "unstable"],
    );
    for run in ["run-rv1", "run-rv2"] {
        let message = runner_message(run, "unstable", "unstable");
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    }
    wait_until(30, "both runs to wait for review", || {
        listen.metric("auto_upload_uploads_total{outcome=\"awaiting_review\"}") == 2.0
    });
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    let list = ledger(&env, &db, &["list", "--state", "awaiting-review"]);
    assert_stdout_contains(&list, "run-rv1\t");
    assert_stdout_contains(&list, "run-rv2\t");
    assert_stdout_contains(&list, "requires review");

    // Approved, announced with either spelling of the key; the second
    // announcement of rv1 uploads nothing more.
    db.review("run-rv1", "approved", Some("dave"));
    db.review("run-rv2", "approved", Some("dave"));
    for (run, key) in [
        ("run-rv1", "publish_status"),
        ("run-rv2", "publish-status"),
        ("run-rv1", "publish_status"),
    ] {
        let message = format!(
            r#"{{"run_id": "{run}", "{key}": "approved", "codebase": "auhello", "campaign": "unstable"}}"#
        );
        assert_eq!(publish(REDIS, &status_channel, message.as_bytes()), 1);
        wait_until(60, "the approved run to be uploaded", || {
            db.sql(&format!(
                "SELECT count(*) FROM auto_upload.upload WHERE run_id = '{run}' AND state = 'uploaded'"
            ))
            .trim()
                == "2"
        });
    }
    wait_until(30, "listen to be idle", || {
        listen.metric("auto_upload_uploads_in_flight") == 0.0
    });
    assert_eq!(listen.metric(UPLOADED), 2.0);
    let uploaded = db.sql("SELECT count(*) FROM auto_upload.upload WHERE state = 'uploaded'");
    assert_eq!(
        uploaded.trim(),
        "4",
        "two .changes of each approved run, once"
    );
    drop(listen);

    // The approval of rv3 was missed: backfill picks it up, and only once
    // it is approved.
    let output = backfill(&env, &db, &["--require-review", "unstable"]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 0,");
    db.review("run-rv3", "approved", Some("erin"));
    let output = backfill(&env, &db, &["--require-review", "unstable"]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 1,");
}

/// A `.deb` of `package` 1.0-1 (arch all) whose control has `extra`.
fn deb(env: &TestEnv, package: &str, extra: &str) -> Vec<u8> {
    let tree = env.path(&format!("deb-{package}-{}", extra.len()));
    fs::create_dir_all(tree.join("DEBIAN")).unwrap();
    fs::write(
        tree.join("DEBIAN/control"),
        format!(
            "Package: {package}\nVersion: 1.0-1\nArchitecture: all\n\
             Maintainer: Auto Upload Test <test@example.com>\n{extra}\
             Description: debug symbols for auhello\n"
        ),
    )
    .unwrap();
    let out = tree.with_extension("deb");
    run(std::process::Command::new("dpkg-deb")
        .args(["--build", "--root-owner-group"])
        .arg(&tree)
        .arg(&out));
    fs::read(out).unwrap()
}

#[test]
fn a_dbgsym_package_must_be_a_debug_package() {
    let env = TestEnv::new();
    let name = "auhello-dbgsym_1.0-1_all.deb";
    for (run_id, content, code) in [
        ("run-fake-dbgsym", deb(&env, "auhello-dbgsym", ""), 5),
        (
            "run-real-dbgsym",
            deb(
                &env,
                "auhello-dbgsym",
                "Auto-Built-Package: debug-symbols\n",
            ),
            0,
        ),
    ] {
        let dir = env.add_run(run_id);
        let changes = dir.join(BINARY_CHANGES);
        list_file(&changes, name, &content);
        edit(&changes, |t| {
            t.replace("Binary: auhello\n", "Binary: auhello auhello-dbgsym\n")
        });
        let output = env.upload_run(run_id).arg("--dry-run").output().unwrap();
        assert_exit(&output, code);
        if code == 5 {
            assert_stderr_contains(&output, "Auto-Built-Package: debug-symbols");
            assert_stderr_contains(&output, name);
        } else {
            assert_stdout_contains(&output, &format!("would-upload\t{BINARY_CHANGES}"));
        }
    }
}
