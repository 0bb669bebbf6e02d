//! Exactly once when the uploader dies: kill -9 or SIGSTOP of the uploader
//! while dput runs, and a database refusing connections as dput ends, never
//! lead to a second successful dput; the `.changes` ends `uploaded`, or
//! `unconfirmed` for an operator or the archive to resolve.

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::database::TestDb;
use crate::support::service::*;
use crate::support::*;

/// A dput stand-in: logs `start NAME`, waits `pause` seconds, runs the real
/// dput (which dies with this script), then logs `ok NAME`; each line
/// written under flock to `<root>/dput.log`.
pub fn slow_dput(env: &TestEnv, pause: &str) -> PathBuf {
    let log = env.path("dput.log");
    let log = log.display();
    env.script(
        "dput-slow",
        &format!(
            "for last; do :; done\nname=$(basename \"$last\")\n\
             flock '{log}' sh -c 'echo \"start $0\" >> \"$1\"' \"$name\" '{log}'\n\
             sleep {pause}\n\
             setpriv --pdeathsig KILL dput \"$@\" || exit $?\n\
             flock '{log}' sh -c 'echo \"ok $0\" >> \"$1\"' \"$name\" '{log}'"
        ),
    )
}

/// The lines of the stand-in's log that start with `what` (`start`, `ok`).
pub fn logged(env: &TestEnv, what: &str) -> Vec<String> {
    fs::read_to_string(env.path("dput.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{what} ")).map(str::to_owned))
        .collect()
}

/// `SUBCOMMAND` against this env's store, key and archive, `db`'s ledger,
/// a 2 s lease and `dput` (source uploads only: one `.changes` a run).
fn with_ledger(env: &TestEnv, db: &TestDb, dput: &PathBuf, subcommand: &[&str]) -> Command {
    with_lease(env, db, dput, subcommand, "2s")
}

/// As [`with_ledger`], with another lease.
fn with_lease(
    env: &TestEnv,
    db: &TestDb,
    dput: &PathBuf,
    subcommand: &[&str],
    lease: &str,
) -> Command {
    let mut command = env.cmd();
    command
        .args(subcommand)
        .args(["--database", &db.url(), "--artifacts"])
        .arg(env.store())
        .args(env.signing_args())
        .args(["--source-only", "--lease", lease])
        .env("AUTO_UPLOAD_DPUT", dput);
    if subcommand.first() == Some(&"upload-run") {
        command.args(DISPATCH);
    }
    command
}

fn state(db: &TestDb, run_id: &str) -> String {
    db.sql(&format!(
        "SELECT state FROM auto_upload.upload WHERE run_id = '{run_id}' AND changes <> ''"
    ))
    .trim()
    .to_owned()
}

/// `ledger retry RUN_ID --archive` this env's archive (exported, so that
/// its indices exist even before its first upload), its upload queue
/// known from this env's dput.cf.
fn retry_looking(env: &TestEnv, db: &TestDb, run_id: &str) -> std::process::Output {
    run(Command::new("reprepro")
        .arg("-b")
        .arg(env.path("archive"))
        .arg("export"));
    let archive = format!("file://{}", env.path("archive").display());
    env.cmd()
        .args(["-v", "ledger", "retry", run_id, "--database", &db.url()])
        .args(["--archive", &archive, "--dput-config"])
        .arg(env.dput_cf())
        .output()
        .unwrap()
}

fn signal(child: &Child, name: &str) {
    run(Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string()));
}

#[test]
fn kill_9_while_dput_runs_never_uploads_twice() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-k9", SOURCE);
    let dput = slow_dput(&env, "3");
    let mut first = with_ledger(&env, &db, &dput, &["upload-run", "run-k9"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until(60, "dput to start", || !logged(&env, "start").is_empty());
    signal(&first, "KILL");
    first.wait().unwrap();
    assert_eq!(state(&db, "run-k9"), "uploading");
    // The claim expires; another process must not upload blind.
    std::thread::sleep(Duration::from_secs(3));
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(logged(&env, "start").len(), 1, "dput ran again");
    assert!(logged(&env, "ok").is_empty(), "dput outlived its parent");
    assert!(env.incoming().is_empty(), "{:?}", env.incoming());
    assert_eq!(state(&db, "run-k9"), "unconfirmed");

    // The operator resolves it: retry (which looks in the archive first:
    // it does not have it), and the next backfill uploads once.
    let output = env
        .cmd()
        .args(["ledger", "retry", "run-k9", "--database", &db.url()])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "no archive to look in");
    let output = retry_looking(&env, &db, "run-k9");
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "not in the archive: reset");
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "ok"), vec![SOURCE_CHANGES.to_owned()]);
    assert_eq!(state(&db, "run-k9"), "uploaded");
}

#[test]
fn an_uploader_stopped_past_the_lease_while_dput_runs_never_uploads_twice() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-stop", SOURCE);
    let dput = slow_dput(&env, "1");
    let first = with_ledger(&env, &db, &dput, &["upload-run", "run-stop"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(60, "dput to start", || !logged(&env, "start").is_empty());
    signal(&first, "STOP");
    // dput finishes meanwhile (its own process group); the claim expires.
    wait_until(30, "dput to finish", || !logged(&env, "ok").is_empty());
    std::thread::sleep(Duration::from_secs(3));
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(state(&db, "run-stop"), "unconfirmed");
    signal(&first, "CONT");
    let output = first.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "start").len(), 1, "dput ran again");
    assert_eq!(logged(&env, "ok"), vec![SOURCE_CHANGES.to_owned()]);
    // What dput did is known to the first process: it records it.
    assert_eq!(state(&db, "run-stop"), "uploaded");
}

/// A successful dput, then the database refusing connections for
/// `refused` seconds from its end, under a lease of `lease`: the upload
/// is recorded once the database is back, and dput ran once.
fn refusal_from_dputs_end_is_ridden_out(run_id: &str, refused: u64, lease: &str) {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, run_id, SOURCE);
    let dput = env.logging_tool(
        "dput-refuse",
        &format!(
            "dput \"$@\" || exit 1\n{}\nexit 0",
            db.refusal_script(refused)
        ),
    );
    let output = with_lease(&env, &db, &dput, &["upload-run", run_id], lease)
        .output()
        .unwrap();
    db.wait_for_connections(refused + 10);
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "trying again");
    assert_eq!(env.calls("dput-refuse").len(), 1);
    assert_eq!(state(&db, run_id), "uploaded");
}

#[test]
fn a_database_refusing_connections_as_dput_ends_is_waited_for_until_the_lease() {
    // 4 s: more than a third of the 9 s lease.
    refusal_from_dputs_end_is_ridden_out("run-refuse", 4, "9s");
}

/// A number from the environment, or `default`.
fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A dput stand-in for the soak: a random pause (up to 0.9 s), one call in
/// ten fails, otherwise the real dput (dying with this script), each
/// success logged as `ok NAME` under flock.
fn flaky_dput(env: &TestEnv) -> PathBuf {
    let log = env.path("dput.log");
    let log = log.display();
    env.script(
        "dput-flaky",
        &format!(
            "for last; do :; done\nname=$(basename \"$last\")\n\
             flock '{log}' sh -c 'echo \"start $0\" >> \"$1\"' \"$name\" '{log}'\n\
             r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')\n\
             sleep 0.$((r % 10))\n\
             [ $((r % 10)) -eq 7 ] && {{ echo 'flaky dput: refused' >&2; exit 1; }}\n\
             setpriv --pdeathsig KILL dput \"$@\" || exit $?\n\
             flock '{log}' sh -c 'echo \"ok $0\" >> \"$1\"' \"$name\" '{log}'"
        ),
    )
}

/// The database refuses new connections and ends its sessions for
/// `seconds`, then takes them again (in the background).
fn refuse_connections(db: &TestDb, seconds: u64) {
    run(Command::new("sh").arg("-c").arg(db.refusal_script(seconds)));
}

/// Faults injected, by kind.
#[derive(Default)]
struct Faults {
    killed: u32,
    stopped: u32,
    stopped_in_dput: u32,
    redis_restarts: u32,
    database_refusals: u32,
}

/// The soak: RUNS runs (`AUTO_UPLOAD_SOAK_RUNS`, default 24) published
/// over SECONDS (`AUTO_UPLOAD_SOAK_SECONDS`, default 20) to three `listen`
/// replicas sharing one ledger with a 3 s lease and a 2 s upload timeout,
/// a flaky slow dput, and faults meanwhile: kill -9 of a replica
/// (restarted), SIGSTOP of a replica past the lease, SIGSTOP of every
/// replica for 2.5 s just as a dput starts (past the upload timeout,
/// within the lease), Redis restarted, the database refusing connections.
/// Then a drain (backfill until nothing is due, reprepro, ledger
/// reconcile) and the promise checked: no `.changes` reached a successful
/// dput twice; each ends uploaded or accepted, or unconfirmed with no
/// successful dput, which `ledger retry` then uploads once.
#[test]
fn a_fault_soak_never_uploads_a_changes_twice() {
    let runs = from_env("AUTO_UPLOAD_SOAK_RUNS", 24) as usize;
    let seconds = from_env("AUTO_UPLOAD_SOAK_SECONDS", 20);
    let env = TestEnv::new();
    let db = TestDb::new();
    for i in 0..runs {
        db.add_built_run(&env, &format!("soak-{i}"), &format!("soak{i}"));
    }
    let dput = flaky_dput(&env);
    let mut redis = Some(OwnRedis::start());
    let redis_url = redis.as_ref().unwrap().url();
    let channel = channel("soak");
    let url = db.url();
    let args = [
        "--database",
        &url,
        "--lease",
        "3s",
        "--upload-timeout",
        "2s",
        "--jobs",
        "2",
        "--source-only",
    ];
    let replica = || {
        Listen::start_with(&env, &redis_url, &channel, &args, |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        })
    };
    let mut replicas: Vec<Listen> = (0..3).map(|_| replica()).collect();
    let mut faults = Faults::default();
    let pause = Duration::from_millis(seconds * 1000 / runs.max(1) as u64);
    for i in 0..runs {
        let message = runner_message(&format!("soak-{i}"), "unstable", "unstable");
        let _ = redis::Client::open(redis_url.as_str())
            .and_then(|c| c.get_connection())
            .and_then(|mut c| {
                redis::cmd("PUBLISH")
                    .arg(&channel)
                    .arg(&message)
                    .query::<i64>(&mut c)
            });
        // Faults at fixed points of the run, so each kind happens.
        match (i * 6) / runs.max(1) {
            1 if faults.killed == 0 => {
                replicas[0].signal("KILL");
                replicas[0] = replica();
                faults.killed += 1;
            }
            2 if faults.stopped == 0 => {
                // Every replica, as soon as the dput of the run just
                // published starts: stopped past the upload timeout while
                // dput runs, within the lease.
                let before = logged(&env, "start").len();
                wait_until(10, "a dput to start", || {
                    logged(&env, "start").len() > before
                });
                for listen in &replicas {
                    listen.signal("STOP");
                }
                std::thread::sleep(Duration::from_millis(2500));
                for listen in &replicas {
                    listen.signal("CONT");
                }
                faults.stopped_in_dput += 1;
                // Then one replica past the lease.
                replicas[1].signal("STOP");
                std::thread::sleep(Duration::from_secs(4));
                replicas[1].signal("CONT");
                faults.stopped += 1;
            }
            3 if faults.redis_restarts == 0 => {
                let port = redis.take().unwrap().stop();
                std::thread::sleep(Duration::from_secs(1));
                redis = Some(OwnRedis::start_on(port));
                faults.redis_restarts += 1;
            }
            4 if faults.database_refusals == 0 => {
                refuse_connections(&db, 2);
                faults.database_refusals += 1;
            }
            5 if faults.killed == 1 => {
                replicas[2].signal("KILL");
                replicas[2] = replica();
                faults.killed += 1;
            }
            _ => {}
        }
        std::thread::sleep(pause);
    }
    std::thread::sleep(Duration::from_secs(5));
    for listen in &replicas {
        listen.signal("TERM");
    }
    drop(replicas);

    // Drain: backfill until nothing is due (the claims of the killed
    // replicas expire after the lease), then the archive and reconcile.
    std::thread::sleep(Duration::from_secs(4));
    let backfill = || {
        env.backfill(&url)
            .args(["--source-only", "--lease", "3s", "--max-attempts", "50"])
            .env("AUTO_UPLOAD_DPUT", &dput)
            .output()
            .unwrap()
    };
    for _ in 0..10 {
        let due = env
            .cmd()
            .args(["backfill", "--dry-run", "--database", &url, "--host", HOST])
            .args(["--max-attempts", "50", "--lease", "3s"])
            .output()
            .unwrap();
        if stdout(&due).is_empty() {
            break;
        }
        backfill();
    }
    env.process_incoming();
    let archive = format!("file://{}", env.path("archive").display());
    let output = env
        .cmd()
        .args([
            "ledger",
            "reconcile",
            "--archive",
            &archive,
            "--database",
            &url,
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);

    let ok = logged(&env, "ok");
    let mut seen = std::collections::HashSet::new();
    for name in &ok {
        assert!(
            seen.insert(name.clone()),
            "{name} reached dput twice: {ok:?}"
        );
    }
    let rows: Vec<(String, String)> = db
        .sql(
            "SELECT changes || ' ' || state FROM auto_upload.upload WHERE changes <> '' ORDER BY 1",
        )
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(c, s)| (c.to_owned(), s.to_owned()))
        .collect();
    assert_eq!(rows.len(), runs, "{rows:?}");
    let count = |state: &str| rows.iter().filter(|(_, s)| s == state).count();
    let unconfirmed: Vec<&String> = rows
        .iter()
        .filter(|(_, s)| s == "unconfirmed")
        .map(|(c, _)| c)
        .collect();
    for (changes, state) in &rows {
        match state.as_str() {
            "uploaded" | "accepted" => {}
            "unconfirmed" => assert!(
                !seen.contains(changes),
                "{changes} unconfirmed though dput succeeded"
            ),
            other => panic!("{changes} ended {other}"),
        }
    }
    // The operator resolves each unconfirmed upload, the archive looked
    // at first (none of them is there): uploaded once.
    for changes in &unconfirmed {
        let run_id = changes
            .strip_suffix("_1.0-1_source.changes")
            .and_then(|s| s.strip_prefix("soak"))
            .map(|n| format!("soak-{n}"))
            .unwrap();
        let output = retry_looking(&env, &db, &run_id);
        assert_exit(&output, 0);
    }
    if !unconfirmed.is_empty() {
        for _ in 0..5 {
            backfill();
        }
        let after = logged(&env, "ok");
        for changes in &unconfirmed {
            assert_eq!(
                after.iter().filter(|n| n == changes).count(),
                1,
                "{changes} after ledger retry: {after:?}"
            );
        }
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "soak: {runs} runs over {seconds} s, 3 replicas, lease 3 s, upload timeout 2 s; \
         faults: kill -9 {}, SIGSTOP past the lease {}, SIGSTOP past the upload timeout \
         during dput {}, Redis restarts {}, database refusing connections {}; \
         outcomes: uploaded {}, accepted {}, unconfirmed {} (each then retried and uploaded once); \
         successful dputs {} for {} .changes, none twice",
        faults.killed,
        faults.stopped,
        faults.stopped_in_dput,
        faults.redis_restarts,
        faults.database_refusals,
        count("uploaded"),
        count("accepted"),
        unconfirmed.len(),
        ok.len(),
        seen.len(),
    );
}

#[test]
fn listen_exports_the_unconfirmed_uploads_as_a_gauge() {
    let env = TestEnv::new();
    let db = TestDb::new();
    // The ledger exists, with one unconfirmed upload on this host.
    let dput = slow_dput(&env, "0");
    assert_exit(
        &with_ledger(&env, &db, &dput, &["backfill"])
            .output()
            .unwrap(),
        0,
    );
    db.sql(&format!(
        "INSERT INTO auto_upload.upload (host, run_id, changes, state, attempts)
         VALUES ('{HOST}', 'run-u', '{SOURCE_CHANGES}', 'unconfirmed', 1)"
    ));
    let listen = Listen::start(
        &env,
        REDIS,
        &channel("unconfirmed"),
        &["--database", &db.url()],
    );
    wait_until(20, "the gauge", || {
        listen.metric("auto_upload_unconfirmed") == 1.0
    });
}

/// `SUBCOMMAND` as [`with_lease`] with a 15 s lease and `--upload-timeout
/// 3s`: shorter than the stops below.
fn with_short_timeout(env: &TestEnv, db: &TestDb, dput: &PathBuf, subcommand: &[&str]) -> Command {
    let mut command = with_lease(env, db, dput, subcommand, "15s");
    command.args(["--upload-timeout", "3s"]);
    command
}

/// A dput stand-in that logs `start NAME`, then after 0.5 s either runs
/// the real dput and logs `ok NAME`, or (`fails`) logs `fail NAME` and
/// exits 1 without uploading.
fn quick_dput(env: &TestEnv, fails: bool) -> PathBuf {
    let log = env.path("dput.log");
    let log = log.display();
    let then = if fails {
        format!("flock '{log}' sh -c 'echo \"fail $0\" >> \"$1\"' \"$name\" '{log}'; exit 1")
    } else {
        format!(
            "setpriv --pdeathsig KILL dput \"$@\" || exit $?\n\
             flock '{log}' sh -c 'echo \"ok $0\" >> \"$1\"' \"$name\" '{log}'"
        )
    };
    env.script(
        if fails { "dput-fails" } else { "dput-quick" },
        &format!(
            "for last; do :; done\nname=$(basename \"$last\")\n\
             flock '{log}' sh -c 'echo \"start $0\" >> \"$1\"' \"$name\" '{log}'\n\
             sleep 0.5\n{then}"
        ),
    )
}

/// Stops `child` 0.1 s after dput starts, for 6 s: longer than its 3 s
/// upload timeout, shorter than its 15 s lease; dput ends meanwhile.
fn stop_while_dput_runs(env: &TestEnv, child: &Child) {
    wait_until(60, "dput to start", || !logged(env, "start").is_empty());
    std::thread::sleep(Duration::from_millis(100));
    signal(child, "STOP");
    std::thread::sleep(Duration::from_secs(6));
    signal(child, "CONT");
}

#[test]
fn a_deadline_passed_while_stopped_never_hides_a_successful_dput() {
    // Each uploader, repeated: the race this guards against (the deadline
    // seen before the exit) was lost 4 times in 10 before the fix.
    let repeats = from_env("AUTO_UPLOAD_TEST_STOP_REPEATS", 2);
    for round in 0..repeats {
        for uploader in ["upload-run", "backfill", "listen"] {
            let env = TestEnv::new();
            let db = TestDb::new();
            db.add_built_run(&env, "run-sc", SOURCE);
            let dput = quick_dput(&env, false);
            if uploader == "listen" {
                let channel = channel(&format!("stopped-{round}"));
                let listen = Listen::start_with(
                    &env,
                    REDIS,
                    &channel,
                    &["--database", &db.url(), "--source-only", "--lease", "15s"],
                    |c| {
                        c.args(["--upload-timeout", "3s"])
                            .env("AUTO_UPLOAD_DPUT", &dput);
                    },
                );
                let message = runner_message("run-sc", "unstable", "unstable");
                assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
                stop_while_dput_runs(&env, &listen.child);
                wait_until(30, "the upload to be recorded", || {
                    state(&db, "run-sc") == "uploaded"
                });
            } else {
                let subcommand: &[&str] = if uploader == "backfill" {
                    &["backfill"]
                } else {
                    &["upload-run", "run-sc"]
                };
                let child = with_short_timeout(&env, &db, &dput, subcommand)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                stop_while_dput_runs(&env, &child);
                let output = child.wait_with_output().unwrap();
                assert_exit(&output, 0);
                assert_eq!(state(&db, "run-sc"), "uploaded", "{uploader}");
            }
            assert_eq!(logged(&env, "ok"), vec![SOURCE_CHANGES.to_owned()]);
            // Nothing is due: no second dput.
            let output = with_short_timeout(&env, &db, &dput, &["backfill"])
                .output()
                .unwrap();
            assert_exit(&output, 0);
            assert_eq!(
                logged(&env, "start").len(),
                1,
                "{uploader}, round {round}: dput ran again"
            );
        }
    }
}

#[test]
fn a_dput_that_failed_while_its_uploader_was_stopped_is_retried_once() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-sf", SOURCE);
    let fails = quick_dput(&env, true);
    let child = with_short_timeout(&env, &db, &fails, &["upload-run", "run-sf"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    stop_while_dput_runs(&env, &child);
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "exited with exit status: 1");
    assert_eq!(state(&db, "run-sf"), "failed");
    // dput said it failed: retried, once.
    let works = quick_dput(&env, false);
    let output = with_short_timeout(&env, &db, &works, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "start").len(), 2);
    assert_eq!(logged(&env, "ok"), vec![SOURCE_CHANGES.to_owned()]);
    assert_eq!(state(&db, "run-sf"), "uploaded");
}

#[test]
fn a_dput_killed_at_its_deadline_is_unconfirmed_never_failed() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-dl", SOURCE);
    // dput hangs after it may have sent the upload: killed at 3 s.
    let hangs = env.script("dput-hangs", "sleep 60");
    let output = with_short_timeout(&env, &db, &hangs, &["upload-run", "run-dl"])
        .output()
        .unwrap();
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "did not finish within 3s");
    assert_eq!(state(&db, "run-dl"), "unconfirmed");
    // Never uploaded again blind.
    let dput = quick_dput(&env, false);
    let output = with_short_timeout(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(logged(&env, "start").is_empty(), "uploaded blind");
    assert_eq!(state(&db, "run-dl"), "unconfirmed");
}

#[test]
fn a_database_refusing_connections_for_10_s_from_dputs_end_is_ridden_out() {
    refusal_from_dputs_end_is_ridden_out("run-ride", 10, "15s");
}

#[test]
fn retry_of_an_unconfirmed_run_looks_in_the_archive_first() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-landed", SOURCE);
    let dput = quick_dput(&env, false);
    let output = with_ledger(&env, &db, &dput, &["upload-run", "run-landed"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_source_accepted(&env.process_incoming());
    // As if its uploader had stopped before recording dput's success.
    db.sql("UPDATE auto_upload.upload SET state = 'unconfirmed' WHERE run_id = 'run-landed'");
    let output = retry_looking(&env, &db, "run-landed");
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "accepted\trun-landed\t1");
    assert_eq!(state(&db, "run-landed"), "accepted");
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "start").len(), 1, "uploaded twice");

    // --force resets without looking.
    db.sql("UPDATE auto_upload.upload SET state = 'unconfirmed' WHERE run_id = 'run-landed'");
    let output = env
        .cmd()
        .args([
            "ledger",
            "retry",
            "run-landed",
            "--force",
            "--database",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(state(&db, "run-landed"), "failed");
}

#[test]
fn retry_of_an_unconfirmed_run_still_in_the_upload_queue_resets_nothing() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-queued", SOURCE);
    let dput = quick_dput(&env, false);
    let output = with_ledger(&env, &db, &dput, &["upload-run", "run-queued"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    // In the queue (incoming), not yet in the archive; its uploader did not
    // record dput's success.
    db.sql("UPDATE auto_upload.upload SET state = 'unconfirmed' WHERE run_id = 'run-queued'");
    let output = retry_looking(&env, &db, "run-queued");
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "in the upload queue of test-archive");
    assert_eq!(state(&db, "run-queued"), "unconfirmed");
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "start").len(), 1, "uploaded twice");
    // Once the archive has processed its queue, retry finds it there.
    assert_source_accepted(&env.process_incoming());
    let output = retry_looking(&env, &db, "run-queued");
    assert_exit(&output, 0);
    assert_eq!(state(&db, "run-queued"), "accepted");
}

#[test]
fn retry_of_an_unconfirmed_run_whose_dput_never_ran_uploads_it_once() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-never", SOURCE);
    let fails = quick_dput(&env, true);
    let output = with_ledger(&env, &db, &fails, &["upload-run", "run-never"])
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));
    // As if its uploader had died as dput was to start.
    db.sql("UPDATE auto_upload.upload SET state = 'unconfirmed' WHERE run_id = 'run-never'");
    let output = retry_looking(&env, &db, "run-never");
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "reset\trun-never\t1");
    let dput = quick_dput(&env, false);
    let output = with_ledger(&env, &db, &dput, &["backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(logged(&env, "ok").len(), 1);
    assert_eq!(state(&db, "run-never"), "uploaded");
    assert_source_accepted(&env.process_incoming());
}
