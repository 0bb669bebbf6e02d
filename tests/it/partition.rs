//! Partitions, as they happen between hosts: the uploader in a network
//! namespace of its own, the database, Redis and the archive each across a
//! veth link that is cut by downing it (support::netns): packets vanish
//! both ways, as when a switch or a route fails, connections made during
//! the cut hang, and TCP is left to find out. `listen` must say 503 within
//! seconds, start no upload it cannot record, be ready again within
//! seconds of the heal, and upload what arrived during the cut exactly
//! once; an upload whose end is not known is never made twice.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::database::{pg_user, TestDb};
use crate::support::netns::{Link, Netns};
use crate::support::service::*;
use crate::support::*;

/// An uploader's host: a namespace reaching PostgreSQL and Redis each over
/// a link of its own, and the probes reaching its health server over a
/// third link that is never cut.
struct Host {
    ns: Netns,
    database: Link,
    redis: Link,
    probes: Link,
    database_url: String,
    redis_url: String,
}

impl Host {
    fn new(db: &TestDb) -> Self {
        let ns = Netns::new();
        let (database, redis, probes) = (ns.link(), ns.link(), ns.link());
        let database_url = format!(
            "postgres://{}@{}:{}/{}",
            pg_user(),
            database.host_ip,
            database.relay_to(5432),
            db.name
        );
        let redis_url = format!("redis://{}:{}", redis.host_ip, redis.relay_to(6379));
        Self {
            ns,
            database,
            redis,
            probes,
            database_url,
            redis_url,
        }
    }
}

#[test]
fn a_replica_on_its_own_host_is_503_within_seconds_of_a_cut_and_ready_within_seconds_of_the_heal() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-n-before", "unstable");
    db.add_package_run(&env, "run-n-db-cut", "auhelpa", "unstable");
    let host = Host::new(&db);
    let dput = env.logging_tool("dput-ns", "exec dput \"$@\"");
    let channel = channel("netns-partition");
    let listen = Listen::start_from(
        &env,
        env.cmd_in(&host.ns),
        &host.probes.ns_ip,
        &host.redis_url,
        &channel,
        &["--database", &host.database_url, "--lease", "15s"],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    let announce = |run_id: &str, source: &str| {
        let message = runner_message(run_id, "unstable", "unstable").replace("auhello", source);
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    };
    announce("run-n-before", "auhello");
    wait_until(60, "the first upload", || env.calls("dput-ns").len() == 2);

    // The database's link: no upload starts that cannot be recorded.
    host.database.cut();
    let cut = Instant::now();
    wait_until(20, "/ready to say 503 after the database cut", || {
        listen.status("/ready") == Some(503)
    });
    let database_noticed = cut.elapsed();
    announce("run-n-db-cut", "auhelpa");
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(env.calls("dput-ns").len(), 2, "dput ran during the cut");
    host.database.heal();
    let healed = Instant::now();
    wait_until(30, "/ready to say 200 after the database heal", || {
        listen.status("/ready") == Some(200)
    });
    let database_back = healed.elapsed();
    wait_until(90, "the run of the database cut to be uploaded", || {
        env.calls("dput-ns").len() >= 4
    });

    // Redis's link: a dead subscription is noticed, what was published
    // meanwhile is lost to pub/sub and caught up from the database.
    db.add_package_run(&env, "run-n-redis-cut", "auhelpb", "unstable");
    host.redis.cut();
    let cut = Instant::now();
    wait_until(20, "/ready to say 503 after the Redis cut", || {
        listen.status("/ready") == Some(503)
    });
    let redis_noticed = cut.elapsed();
    publish(
        REDIS,
        &channel,
        runner_message("run-n-redis-cut", "unstable", "unstable")
            .replace("auhello", "auhelpb")
            .as_bytes(),
    );
    host.redis.heal();
    let healed = Instant::now();
    wait_until(40, "/ready to say 200 after the Redis heal", || {
        listen.status("/ready") == Some(200)
    });
    let redis_back = healed.elapsed();
    wait_until(90, "the run of the Redis cut to be uploaded", || {
        env.calls("dput-ns").len() >= 6
    });
    std::thread::sleep(Duration::from_secs(2));
    let calls = env.calls("dput-ns");
    for source in ["auhello", "auhelpa", "auhelpb"] {
        for changes in [
            format!("{source}_1.0-1_source.changes"),
            format!("{source}_1.0-1_all.changes"),
        ] {
            let n = calls.iter().filter(|c| c.ends_with(&changes)).count();
            assert_eq!(n, 1, "{changes} uploaded {n} times: {calls:?}");
        }
    }
    // Nothing is left "in flight" that is not running.
    assert_eq!(listen.metric("auto_upload_uploads_in_flight"), 0.0);
    eprintln!(
        "netns partition: database cut noticed after {database_noticed:?}, ready {database_back:?} after the heal; \
         Redis cut noticed after {redis_noticed:?}, ready {redis_back:?} after the heal"
    );
}

/// `upload-run RUN_ID` in `host`'s namespace, with its ledger across the
/// database link, a 20 s lease and one `.changes` (the source upload).
fn upload_run_on(env: &TestEnv, host: &Host, run_id: &str, dput: &std::path::Path) -> Command {
    let mut command = env.cmd_in(&host.ns);
    command
        .args(["upload-run", run_id, "--artifacts"])
        .arg(env.store())
        .args(env.signing_args())
        .args([
            "--database",
            &host.database_url,
            "--lease",
            "20s",
            "--source-only",
        ])
        .env("AUTO_UPLOAD_DPUT", dput);
    command
}

/// The `.changes` in the archive's incoming directory.
fn changes_in_incoming(env: &TestEnv) -> usize {
    env.incoming()
        .iter()
        .filter(|f| f.ends_with(".changes"))
        .count()
}

#[test]
fn an_uploader_on_its_own_host_cut_before_during_or_after_dput_uploads_once() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let host = Host::new(&db);
    let (started, ended, go) = (
        env.path("dput-started"),
        env.path("dput-ended"),
        env.path("dput-go-on"),
    );
    // dput says when it starts and when it has uploaded, then waits for
    // the test to cut the link before it exits.
    let dput = env.logging_tool(
        "dput-cuts",
        &format!(
            "touch '{}'\nsleep 2\ndput \"$@\" || exit $?\ntouch '{}'\n\
             while [ ! -e '{}' ]; do sleep 0.05; done",
            started.display(),
            ended.display(),
            go.display()
        ),
    );
    let reset = || {
        for file in [&started, &ended, &go] {
            let _ = std::fs::remove_file(file);
        }
    };

    // Before: cut before the claim. Nothing is claimed, dput never runs,
    // and the run is uploaded once the link is back.
    db.add_built_run(&env, "run-cut-before", SOURCE);
    host.database.cut();
    let output = upload_run_on(&env, &host, "run-cut-before", &dput)
        .output()
        .unwrap();
    host.database.heal();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        env.calls("dput-cuts").is_empty(),
        "dput ran without a claim"
    );
    std::fs::write(&go, "").unwrap();
    let output = upload_run_on(&env, &host, "run-cut-before", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(changes_in_incoming(&env), 1);
    env.process_incoming();

    // During: cut while dput runs, for 6 s; after: cut the moment dput has
    // uploaded, before its end is recorded, for 6 s (ridden out within the
    // lease). Each ends uploaded, once.
    for (run_id, source, moment, marker) in [
        ("run-cut-during", "auhelpa", "dput to start", &started),
        ("run-cut-after", "auhelpb", "dput to upload", &ended),
    ] {
        reset();
        db.add_package_run(&env, run_id, source, "unstable");
        let output = std::thread::scope(|scope| {
            let upload =
                scope.spawn(|| upload_run_on(&env, &host, run_id, &dput).output().unwrap());
            wait_until(60, moment, || marker.exists());
            host.database.cut();
            std::fs::write(&go, "").unwrap();
            std::thread::sleep(Duration::from_secs(6));
            host.database.heal();
            upload.join().unwrap()
        });
        assert_exit(&output, 0);
        assert_eq!(state_of(&db, run_id), "uploaded");
        assert_eq!(changes_in_incoming(&env), 1);
        env.process_incoming();
    }

    // And nothing is due again: a backfill on the healed host uploads
    // nothing.
    let output = env
        .cmd_in(&host.ns)
        .args(["backfill", "--database", &host.database_url, "--artifacts"])
        .arg(env.store())
        .args(env.signing_args())
        .args(["--source-only", "--lease", "20s"])
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let calls = env.calls("dput-cuts");
    assert_eq!(calls.len(), 3, "a .changes reached dput twice: {calls:?}");
}

fn state_of(db: &TestDb, run_id: &str) -> String {
    db.sql(&format!(
        "SELECT state FROM auto_upload.upload WHERE run_id = '{run_id}' AND changes <> ''"
    ))
    .trim()
    .to_owned()
}

/// An archive's upload queue reached over HTTP (dput's `method = http`:
/// one PUT a file, the `.changes` last), storing into `incoming`; once it
/// has stored a `.changes`, it cuts `link` before it answers, as an
/// archive host that fails right after its disk has the upload.
fn http_queue(
    link: &Link,
    incoming: std::path::PathBuf,
    cut_after_changes: Arc<AtomicBool>,
) -> u16 {
    let listener = TcpListener::bind((link.host_ip.as_str(), 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let cut = link.cutter();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let Some(name) = receive_put(&stream, &incoming) else {
                continue;
            };
            if name.ends_with(".changes") && cut_after_changes.swap(false, Ordering::SeqCst) {
                cut();
            }
            let _ = (&stream).write_all(
                b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    port
}

/// Reads one PUT from `stream` and stores its body in `incoming`; the
/// file's name.
fn receive_put(stream: &TcpStream, incoming: &std::path::Path) -> Option<String> {
    use std::io::BufRead;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut reader = std::io::BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let name = path.rsplit('/').next()?.to_owned();
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    assert!(!name.contains(".."), "{name}");
    std::fs::write(incoming.join(&name), body).ok()?;
    Some(name)
}

#[test]
fn an_archive_cut_off_after_it_stored_an_upload_leaves_it_unconfirmed_never_uploaded_twice() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let host = Host::new(&db);
    let archive = host.ns.link();
    let cut_armed = Arc::new(AtomicBool::new(true));
    let port = http_queue(&archive, env.path("archive/incoming"), cut_armed.clone());
    let mut cf = std::fs::read_to_string(env.dput_cf()).unwrap();
    cf.push_str(&format!(
        "\n[queue-over-http]\nmethod = http\nfqdn = {}:{port}\nincoming = /incoming\nallow_unsigned_uploads = 0\n",
        archive.host_ip
    ));
    std::fs::write(env.dput_cf(), cf).unwrap();
    db.add_built_run(&env, "run-stored", SOURCE);
    let dput = env.logging_tool("dput-http", "exec dput \"$@\"");
    let uploader = |subcommand: &[&str]| {
        let mut command = env.cmd_in(&host.ns);
        command
            .args(subcommand)
            .args(["--artifacts"])
            .arg(env.store())
            .args(env.key_args())
            .args(["--host", "queue-over-http"])
            .args(["--database", &host.database_url, "--lease", "15s"])
            .args(["--source-only", "--upload-timeout", "3s"])
            .env("AUTO_UPLOAD_DPUT", &dput);
        command.output().unwrap()
    };
    let output = uploader(&["upload-run", "run-stored"]);
    // The archive has it, dput never heard so: killed at 3 s, unconfirmed.
    assert_exit(&output, 7);
    assert_stderr_contains(&output, "did not finish within 3s");
    assert_eq!(state_of(&db, "run-stored"), "unconfirmed");
    archive.heal();
    assert_eq!(changes_in_incoming(&env), 1);

    // Nothing uploads it blind meanwhile.
    let output = uploader(&["backfill"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-http").len(), 1, "uploaded blind");

    // The archive processes its queue; reconcile finds it there.
    assert_source_accepted(&env.process_incoming());
    let output = env
        .cmd()
        .args(["ledger", "reconcile", "--database", &db.url(), "--archive"])
        .arg(format!("file://{}", env.path("archive").display()))
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(state_of(&db, "run-stored"), "accepted");
    let output = uploader(&["backfill"]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-http").len(), 1, "uploaded twice");
    assert!(
        !cut_armed.load(Ordering::SeqCst),
        "the archive was never cut"
    );
}
