//! Upload policy: dput's DELAYED queue, and the switch that pauses every
//! uploader sharing a ledger (listen replicas, backfill, upload-run).

use std::fs;

use crate::support::database::{ledger, TestDb};
use crate::support::service::{channel, publish, runner_message, Listen, REDIS};
use crate::support::*;

#[test]
fn delayed_uploads_go_to_the_delayed_queue_of_their_suite_and_the_ledger_says_so() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-unstable", "unstable");
    db.add_run_in(&env, "run-experimental", "experimental");
    // dput's local method writes into incoming/DELAYED/N-day, as an
    // archive's upload queue lays it out.
    for days in ["3", "7"] {
        fs::create_dir_all(env.path(&format!("archive/incoming/DELAYED/{days}-day"))).unwrap();
    }
    let delays = ["--delayed", "7", "--delayed", "unstable=3"];
    for run in ["run-unstable", "run-experimental"] {
        let output = env
            .upload_run_recorded(run)
            .args(["--database", &db.url()])
            .args(delays)
            .output()
            .unwrap();
        assert_exit(&output, 0);
    }
    // Nothing at the top of the queue: unstable waits 3 days (its own),
    // experimental 7 (the plain number).
    assert_eq!(env.incoming(), vec!["DELAYED"]);
    let three = list_dir(&env.path("archive/incoming/DELAYED/3-day"));
    let seven = list_dir(&env.path("archive/incoming/DELAYED/7-day"));
    for (files, what) in [(&three, "3-day"), (&seven, "7-day")] {
        assert!(
            files.contains(&SOURCE_CHANGES.to_owned()),
            "{what}: {files:?}"
        );
        assert!(
            files.contains(&BINARY_CHANGES.to_owned()),
            "{what}: {files:?}"
        );
    }
    let shown = stdout(&ledger(&env, &db, &["show", "run-unstable"]));
    assert_eq!(shown.matches("to DELAYED/3-day").count(), 2, "{shown}");
    let shown = stdout(&ledger(&env, &db, &["show", "run-experimental"]));
    assert_eq!(shown.matches("to DELAYED/7-day").count(), 2, "{shown}");

    // dput takes 0 to 15 days; anything else is refused before any work.
    for bad in ["16", "unstable=x", "=3"] {
        let output = env
            .upload_run("run-unstable")
            .args(["--delayed", bad])
            .output()
            .unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, "--delayed");
    }
}

#[test]
fn a_pause_stops_every_uploader_and_resume_lets_the_runs_through() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let channel = channel("pause");
    db.add_built_run(&env, "run-p1", "auhello");
    db.add_built_run(&env, "run-p2", "auhelpa");
    // Two listen replicas sharing the ledger; the ledger exists once the
    // first has started.
    let database = ["--database", &db.url()];
    // The first tells systemd its status (a watchdog beat every 200 ms).
    let socket_path = env.path("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    let first = Listen::start_with(&env, REDIS, &channel, &database, |command| {
        command
            .env("NOTIFY_SOCKET", &socket_path)
            .env("WATCHDOG_USEC", "400000");
    });
    let second = Listen::start(&env, REDIS, &channel, &database);
    assert_eq!(first.metric("auto_upload_paused"), 0.0);

    let output = ledger(&env, &db, &["pause", "--reason", "archive migration"]);
    assert_exit(&output, 0);
    for listen in [&first, &second] {
        wait_until(20, "listen to see the pause", || {
            listen.metric("auto_upload_paused") == 1.0
        });
        // Still ready: a pause is the operators' choice, not a fault.
        assert_eq!(listen.status("/ready"), Some(200));
    }
    crate::ops::read_until(
        &socket,
        "STATUS=paused: archive migration; redis: subscribed",
        20,
    );

    // A message, upload-run and backfill while paused: nothing is uploaded.
    let message = runner_message("run-p1", "unstable", "lintian-fixes");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 2);
    wait_until(20, "both replicas to leave run-p1 due", || {
        first.logs().contains("the ledger is paused: left due")
            && second.logs().contains("the ledger is paused: left due")
    });
    let output = env
        .upload_run_recorded("run-p2")
        .args(["--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 75);
    assert_stdout_contains(&output, "paused\t");
    let output = env.backfill(&db.url()).output().unwrap();
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "the ledger is paused");
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());

    // ledger list says so first (stderr), and the runs are still due.
    let output = ledger(&env, &db, &["list"]);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "archive migration");
    let output = ledger(&env, &db, &["pause", "--reason", "  "]);
    assert_exit(&output, 2);

    // Resume: the replicas catch up with both runs, each uploaded once.
    assert_exit(&ledger(&env, &db, &["resume"]), 0);
    // Both .changes of both runs, each once (the ledger's rows are keyed
    // by .changes: a second upload would be a second attempt).
    let uploaded = || {
        db.sql(
            "SELECT count(*) || ' ' || coalesce(max(attempts), 0) FROM auto_upload.upload
              WHERE state = 'uploaded' AND changes <> ''",
        )
        .trim()
        .to_owned()
    };
    wait_until(60, "the catch-up to upload both runs", || {
        uploaded() == "4 1"
    });
    for listen in [&first, &second] {
        wait_until(20, "listen to see the resume", || {
            listen.metric("auto_upload_paused") == 0.0
        });
    }
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert!(listing.contains("auhelpa"), "{listing}");
}

#[test]
fn an_upload_in_flight_when_the_ledger_is_paused_finishes() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-f", "auhello");
    // dput waits for the pause before it uploads.
    let gate = env.path("gate");
    let dput = env.script(
        "dput-waits",
        &format!(
            "touch '{}.started'\nwhile [ ! -e '{}' ]; do sleep 0.1; done\nexec dput \"$@\"",
            gate.display(),
            gate.display()
        ),
    );
    let upload = env
        .upload_run_recorded("run-f")
        .args(["--database", &db.url(), "--source-only"])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = env.path("gate.started");
    wait_until(60, "dput to start", || started.exists());
    assert_exit(&ledger(&env, &db, &["pause", "--reason", "stop now"]), 0);
    fs::write(&gate, "").unwrap();
    let output = upload.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "uploaded\t");
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

/// A connection to the shared Redis, for a subscription (`as_pubsub`: the
/// subscription lasts as long as the `PubSub` it gives).
fn redis_connection() -> redis::Connection {
    redis::Client::open(REDIS)
        .unwrap()
        .get_connection()
        .unwrap_or_else(|e| panic!("Redis at {REDIS} is not reachable ({e}): run .ci/setup"))
}

/// The next message of a subscription within `seconds`, if any.
fn next_message(pubsub: &mut redis::PubSub<'_>, seconds: u64) -> Option<String> {
    pubsub
        .set_read_timeout(Some(std::time::Duration::from_secs(seconds)))
        .unwrap();
    match pubsub.get_message() {
        Ok(message) => Some(message.get_payload().unwrap()),
        Err(e) if e.is_timeout() => None,
        Err(e) => panic!("reading the subscription: {e}"),
    }
}

/// Validates `message` against the shipped JSON Schema with Debian's
/// python3-jsonschema (a validator that is not ours).
fn assert_valid_outcome(env: &TestEnv, message: &str) {
    let file = env.path("message.json");
    fs::write(&file, message).unwrap();
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/dist/schema/upload-outcome.schema.json"
    );
    let output = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.Draft202012Validator.check_schema(schema)\n\
             jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))",
            schema,
        ])
        .arg(&file)
        .output()
        .expect("python3 is not installed: run .ci/setup");
    assert!(
        output.status.success(),
        "{message} does not validate (python3-jsonschema from .ci/setup): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn each_changes_outcome_is_published_once_in_the_schemas_shape() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let channel = channel("outcomes");
    let outcomes = channel.replace("outcomes", "outcomes-published");
    db.add_built_run(&env, "run-o", "auhello");
    let mut connection = redis_connection();
    let mut subscriber = connection.as_pubsub();
    subscriber.subscribe(&outcomes).unwrap();
    let listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &[
            "--database",
            &db.url(),
            "--publish-channel",
            &outcomes,
            "--delayed",
            "unstable=2",
        ],
    );
    fs::create_dir_all(env.path("archive/incoming/DELAYED/2-day")).unwrap();
    let message = runner_message("run-o", "unstable", "lintian-fixes");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    let mut told = Vec::new();
    for _ in 0..2 {
        let message = next_message(&mut subscriber, 60)
            .unwrap_or_else(|| panic!("no outcome message: {}", listen.logs()));
        assert_valid_outcome(&env, &message);
        told.push(serde_json::from_str::<serde_json::Value>(&message).unwrap());
    }
    told.sort_by_key(|m| m["changes"].as_str().unwrap().to_owned());
    assert_eq!(told[0]["changes"], BINARY_CHANGES);
    assert_eq!(told[1]["changes"], SOURCE_CHANGES);
    for m in &told {
        assert_eq!(m["run_id"], "run-o");
        assert_eq!(m["outcome"], "uploaded");
        assert_eq!(m["source"], SOURCE);
        assert_eq!(m["version"], VERSION);
        assert_eq!(m["suite"], "unstable");
        assert_eq!(m["host"], HOST);
        assert_eq!(m["delayed"], 2);
    }
    drop(listen);

    // The same run again: the ledger shows it done, nothing is told.
    let output = env
        .upload_run_recorded("run-o")
        .args(["--database", &db.url(), "--publish-channel", &outcomes])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "already-uploaded\t");
    assert_eq!(next_message(&mut subscriber, 1), None);

    // A failure is told too, and validates.
    db.add_run_in(&env, "run-o2", "experimental");
    let refusing = env.logging_tool("dput-refuses", "echo refused >&2; exit 1");
    let output = env
        .upload_run_recorded("run-o2")
        .args(["--database", &db.url(), "--publish-channel", &outcomes])
        .env("AUTO_UPLOAD_DPUT", &refusing)
        .output()
        .unwrap();
    assert_exit(&output, 7);
    let message = next_message(&mut subscriber, 10).expect("an outcome message for the failure");
    assert_valid_outcome(&env, &message);
    let failed: serde_json::Value = serde_json::from_str(&message).unwrap();
    assert_eq!(failed["outcome"], "upload-failed");
    assert_eq!(failed["delayed"], serde_json::Value::Null);
}

#[test]
fn a_failure_to_publish_never_fails_the_upload() {
    let env = TestEnv::new();
    env.add_run("run-np");
    let nobody = format!("redis://127.0.0.1:{}", free_port());
    let output = env
        .upload_run("run-np")
        .args(["--publish-channel", "outcomes", "--publish-redis", &nobody])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "uploaded\t");
    assert_stderr_contains(&output, "the outcome was not published");
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

/// A second reprepro archive beside `env`'s, accepting the same key, as
/// dput host `second-archive` in `env`'s dput.cf.
fn second_archive(env: &TestEnv) -> std::path::PathBuf {
    let archive = env.path("archive2");
    for dir in ["conf", "incoming", "tmp"] {
        fs::create_dir_all(archive.join(dir)).unwrap();
    }
    for file in ["distributions", "incoming", "uploaders"] {
        fs::copy(
            env.path(&format!("archive/conf/{file}")),
            archive.join("conf").join(file),
        )
        .unwrap();
    }
    let mut dput_cf = fs::read_to_string(env.dput_cf()).unwrap();
    dput_cf.push_str(&format!(
        "\n[second-archive]\nmethod = local\nincoming = {}\nallow_unsigned_uploads = 0\n",
        archive.join("incoming").display()
    ));
    fs::write(env.dput_cf(), dput_cf).unwrap();
    archive
}

#[test]
fn each_suite_goes_to_its_host_and_a_suite_without_one_is_refused() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let second = second_archive(&env);
    db.add_package_run(&env, "run-unstable", "auhello", "unstable");
    db.add_package_run(&env, "run-experimental", "auhelpa", "experimental");
    db.add_package_run(&env, "run-elsewhere", "auhelpb", "bookworm-backports");
    let hosts = [
        "--host",
        &format!("unstable={HOST}"),
        "--host",
        "experimental=second-archive",
    ];
    // upload-run of a suite no --host names: refused before anything is
    // fetched or signed, and nothing is recorded.
    let output = env
        .cmd()
        .args(["upload-run", "run-elsewhere", "--artifacts"])
        .arg(env.store())
        .args(env.key_args())
        .args(hosts)
        .args(["--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "no dput host for suite bookworm-backports");

    // backfill: each run to its suite's archive; the third counted, left due.
    let output = env
        .cmd()
        .args(["backfill", "--database", &db.url(), "--artifacts"])
        .arg(env.store())
        .args(env.key_args())
        .args(hosts)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "no dput host for suite bookworm-backports");
    let first = env.process_incoming();
    assert!(first.contains("auhello"), "{first}");
    assert!(!first.contains("auhelpa"), "{first}");
    let archive2 = run(std::process::Command::new("reprepro")
        .env("GNUPGHOME", &fixture().gnupghome)
        .arg("-b")
        .arg(&second)
        .args(["processincoming", "default"]));
    assert!(archive2.status.success());
    let listing = stdout(&run(std::process::Command::new("reprepro")
        .arg("-b")
        .arg(&second)
        .args(["list", "experimental"])));
    assert!(listing.contains("auhelpa"), "{listing}");
    assert!(!listing.contains("auhello"), "{listing}");

    // The ledger keys each run by its host; nothing for the refused one,
    // which a dry run still shows as due.
    let rows = db.sql(
        "SELECT run_id || ' ' || host FROM auto_upload.upload WHERE changes <> ''
          GROUP BY run_id, host ORDER BY run_id",
    );
    assert_eq!(
        rows.trim(),
        format!("run-experimental second-archive\nrun-unstable {HOST}")
    );
    let output = env
        .cmd()
        .args(["backfill", "--dry-run", "--database", &db.url()])
        .args(hosts)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    assert_stdout_contains(&output, "run-elsewhere");

    // listen: logged and counted, left due.
    let channel = channel("routes");
    let url = db.url();
    let mut extra = vec!["--database", &url];
    extra.extend(hosts);
    let listen = Listen::start_hosts(&env, REDIS, &channel, &extra);
    let message = runner_message("run-elsewhere", "bookworm-backports", "backports");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    let counted = || listen.metric(r#"auto_upload_uploads_total{outcome="unrouted"}"#) == 1.0;
    wait_until(30, "the unrouted run to be counted", counted);
    assert!(counted(), "not counted unrouted: {}", listen.logs());
    assert!(listen
        .logs()
        .contains("no dput host for suite bookworm-backports"));
    drop(listen);
    let rows = db.sql("SELECT count(*) FROM auto_upload.upload WHERE run_id = 'run-elsewhere'");
    assert_eq!(rows.trim(), "0");

    // A plain --host takes every other suite.
    let output = env
        .cmd()
        .args(["upload-run", "run-elsewhere", "--artifacts"])
        .arg(env.store())
        .args(["--codebase", "auhelpb", "--campaign", "bookworm-backports"])
        .args(env.key_args())
        .args(hosts)
        .args(["--host", "second-archive", "--source-only", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\tauhelpb_1.0-1_source.changes");
}

#[test]
fn an_upload_budget_is_shared_by_replicas_and_backfill_and_what_it_defers_follows() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let channel = channel("budget");
    let sources = ["auhello", "auhelpa", "auhelpb", "auhelpc", "auhelpd"];
    for (i, source) in sources.iter().enumerate() {
        db.add_built_run(&env, &format!("run-b{i}"), source);
    }
    // Two uploads per 10 s window (an hour, shortened), one .changes a run.
    let url = db.url();
    let budget = [
        "--max-uploads-per-hour",
        "2",
        "--rate-window",
        "10s",
        "--source-only",
        "--database",
        &url,
    ];
    let first = Listen::start(&env, REDIS, &channel, &budget);
    let second = Listen::start(&env, REDIS, &channel, &budget);
    let backfill = || {
        env.cmd()
            .args(["backfill", "--artifacts"])
            .arg(env.store())
            .args(env.signing_args())
            .args(budget)
            .output()
            .unwrap()
    };
    let count = |state: &str| {
        db.sql(&format!(
            "SELECT count(*) FROM auto_upload.upload WHERE state = '{state}' AND changes <> ''"
        ))
        .trim()
        .parse::<u32>()
        .unwrap()
    };
    // Three runs announced to both replicas, and a backfill for the rest.
    for i in 0..3 {
        let message = runner_message(&format!("run-b{i}"), "unstable", "lintian-fixes");
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 2);
    }
    let output = backfill();
    assert_exit(&output, 0);
    // Two uploads in the window; the rest deferred (still due, no attempt).
    wait_until(30, "two uploads", || count("uploaded") == 2);
    wait_until(30, "the rest deferred", || count("deferred") >= 1);
    assert_eq!(count("uploaded"), 2);
    let output = env
        .cmd()
        .args(["ledger", "list", "--state", "deferred", "--database", &url])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("\tdeferred\t0\t"),
        "{}",
        stdout(&output)
    );
    let attempts = db
        .sql("SELECT coalesce(max(attempts), 0) FROM auto_upload.upload WHERE state = 'deferred'");
    assert_eq!(attempts.trim(), "0");
    // The replicas try their runs again as the window moves; the next
    // backfill takes what only it had found. Every run is uploaded once.
    wait_until(60, "the replicas' runs", || {
        let done = db.sql(
            "SELECT count(*) FROM auto_upload.upload WHERE state = 'uploaded'
               AND run_id IN ('run-b0', 'run-b1', 'run-b2')",
        );
        done.trim() == "3"
    });
    wait_until(60, "the backfills to upload the rest", || {
        assert!(backfill().status.success());
        count("uploaded") == 5
    });
    // Never more than two dput starts in any 10 s.
    let starts = db.sql(
        "SELECT extract(epoch FROM started_at) FROM auto_upload.upload
          WHERE started_at IS NOT NULL ORDER BY started_at",
    );
    let starts: Vec<f64> = starts.lines().map(|l| l.trim().parse().unwrap()).collect();
    assert_eq!(starts.len(), 5, "{starts:?}");
    for pair in starts.windows(3) {
        assert!(
            pair[2] - pair[0] >= 10.0,
            "three starts within 10 s: {starts:?}"
        );
    }
    let deferred: f64 = [&first, &second]
        .iter()
        .map(|l| l.metric(r#"auto_upload_uploads_total{outcome="deferred"}"#))
        .sum();
    assert!(deferred >= 1.0, "{deferred}");
    let logs = first.logs() + &second.logs();
    assert!(logs.contains("over the upload budget: deferred"), "{logs}");
}

#[test]
fn without_a_ledger_each_process_keeps_its_own_budget() {
    let env = TestEnv::new();
    let channel = channel("local-budget");
    env.add_run("run-l1");
    env.add_run_of("run-l2", &package("auhelpa", VERSION, "unstable"));
    let listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &[
            "--max-uploads-per-hour",
            "1",
            "--rate-window",
            "4s",
            "--source-only",
        ],
    );
    for run in ["run-l1", "run-l2"] {
        let mut message: serde_json::Value =
            serde_json::from_str(&runner_message(run, "unstable", "lintian-fixes")).unwrap();
        if run == "run-l2" {
            message["target"]["details"]["changes_filenames"] =
                serde_json::json!(["auhelpa_1.0-1_source.changes", "auhelpa_1.0-1_all.changes"]);
            message["codebase"] = serde_json::json!("auhelpa");
        }
        assert_eq!(publish(REDIS, &channel, message.to_string().as_bytes()), 1);
    }
    wait_until(20, "the first upload", || {
        env.incoming()
            .iter()
            .any(|f| f.ends_with("_source.changes"))
    });
    let first = std::time::Instant::now();
    wait_until(30, "the deferred run, once the window moved", || {
        env.incoming()
            .iter()
            .filter(|f| f.ends_with("_source.changes"))
            .count()
            == 2
    });
    assert!(
        first.elapsed() >= std::time::Duration::from_secs(2),
        "{:?}",
        first.elapsed()
    );
    assert!(
        listen.logs().contains("over the upload budget: deferred"),
        "{}",
        listen.logs()
    );
}

#[test]
fn a_stop_never_waits_on_the_upload_budget() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let channel = channel("budget-stop");
    for (i, source) in ["auhello", "auhelpa", "auhelpb"].iter().enumerate() {
        db.add_built_run(&env, &format!("run-s{i}"), source);
    }
    let url = db.url();
    let mut listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &[
            "--max-uploads-per-hour",
            "1",
            "--source-only",
            "--database",
            &url,
            "--shutdown-timeout",
            "5m",
        ],
    );
    for i in 0..3 {
        let message = runner_message(&format!("run-s{i}"), "unstable", "unstable");
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    }
    let deferred = || {
        db.sql("SELECT count(*) FROM auto_upload.upload WHERE state = 'deferred'")
            .trim()
            .parse::<u32>()
            .unwrap()
    };
    wait_until(60, "one upload and two deferred runs", || {
        deferred() == 2 && listen.metric("auto_upload_uploads_in_flight") == 0.0
    });
    let stopped = std::time::Instant::now();
    listen.signal("TERM");
    let status = loop {
        if let Some(status) = listen.child.try_wait().unwrap() {
            break status;
        }
        // Generous for a shared machine: before, it waited for the 5 min
        // shutdown timeout.
        assert!(
            stopped.elapsed() < std::time::Duration::from_secs(30),
            "still running 30 s after SIGTERM: {}",
            listen.logs()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    eprintln!(
        "stop: exited {:?} after SIGTERM with two deferred runs",
        stopped.elapsed()
    );
    // The deferred runs stay due for the next start.
    assert_eq!(deferred(), 2);
}

#[test]
fn every_outcome_kind_published_validates_against_the_schema() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let outcomes = channel("every-outcome");
    let mut connection = redis_connection();
    let mut subscriber = connection.as_pubsub();
    subscriber.subscribe(&outcomes).unwrap();
    let told = |subscriber: &mut redis::PubSub<'_>, kind: &str| {
        let message =
            next_message(subscriber, 30).unwrap_or_else(|| panic!("no {kind} outcome message"));
        assert_valid_outcome(&env, &message);
        let value: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(value["outcome"], kind, "{message}");
    };
    let publish = ["--publish-channel", outcomes.as_str(), "--source-only"];

    // superseded: the archive has a newer version.
    env.add_run("run-e-sup");
    let newer = crate::archive::archive_with(&env, "newer", "9.0-1");
    let output = env
        .upload_run("run-e-sup")
        .args(publish)
        .args(["--archive", &newer])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    told(&mut subscriber, "superseded");

    // sign-failed: a key debsign does not have.
    env.add_run("run-e-sign");
    let output = env
        .upload_run_as(
            "run-e-sign",
            "0123456789ABCDEF0123456789ABCDEF01234567",
            HOST,
        )
        .args(DISPATCH)
        .args(publish)
        .output()
        .unwrap();
    assert_exit(&output, 6);
    told(&mut subscriber, "sign-failed");

    // bad-signature: the keyring does not hold the signing key.
    env.add_run("run-e-bad");
    let output = env
        .upload_run("run-e-bad")
        .args(publish)
        .env("AUTO_UPLOAD_KEYRING", crate::integrity::other_keyring(&env))
        .output()
        .unwrap();
    assert_exit(&output, 6);
    told(&mut subscriber, "bad-signature");

    // upload-failed: dput says it failed.
    env.add_run("run-e-up");
    let refusing = env.logging_tool("dput-e", "echo refused >&2; exit 1");
    let output = env
        .upload_run("run-e-up")
        .args(publish)
        .env("AUTO_UPLOAD_DPUT", &refusing)
        .output()
        .unwrap();
    assert_exit(&output, 7);
    told(&mut subscriber, "upload-failed");

    // claim-lost: another process takes the claim over while debsign runs.
    db.add_built_run(&env, "run-e-lost", SOURCE);
    let signing = env.path("signing");
    let debsign = env.script(
        "slow-debsign",
        &format!(
            "touch '{}'; sleep 4; exec debsign \"$@\"",
            signing.display()
        ),
    );
    let child = env
        .upload_run_recorded("run-e-lost")
        .args(publish)
        .args([
            "--database",
            &db.url(),
            "--lease",
            "1s",
            "--debsign-program",
        ])
        .arg(&debsign)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until(60, "debsign to start", || signing.exists());
    db.sql("UPDATE auto_upload.upload SET claimed_by = 'thief:1', claimed_at = now()");
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 1);
    told(&mut subscriber, "claim-lost");
    assert_eq!(next_message(&mut subscriber, 1), None);
}
