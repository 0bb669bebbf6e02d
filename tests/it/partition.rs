//! Partitions: the database or Redis link cut the way a dead network cuts it (bytes
//! stop flowing both ways, sockets stay open, connections made during the
//! cut hang), by a blackhole proxy between `listen` and PostgreSQL, then
//! healed with every connection of before the cut left dead. `listen`
//! must say 503 within seconds, start no upload it cannot record, be
//! ready again within seconds of the heal, and upload what arrived during
//! the cut exactly once.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::database::{pg_user, TestDb};
use crate::support::service::*;
use crate::support::*;

/// A TCP relay to a service on 127.0.0.1 that can be cut.
struct Blackhole {
    port: u16,
    /// The generation of the link: a connection relays only while the
    /// generation it was made in is the current one and the link is up.
    generation: Arc<AtomicU64>,
    up: Arc<AtomicBool>,
}

impl Blackhole {
    /// A relay to PostgreSQL (127.0.0.1:5432).
    fn start() -> Self {
        Self::to(5432)
    }

    /// A relay to `target` on 127.0.0.1.
    fn to(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let generation = Arc::new(AtomicU64::new(0));
        let up = Arc::new(AtomicBool::new(true));
        let (g, u) = (generation.clone(), up.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (g, u) = (g.clone(), u.clone());
                std::thread::spawn(move || relay(client, target, g, u));
            }
        });
        Self {
            port,
            generation,
            up,
        }
    }

    /// Cuts the link: nothing flows, on old or new connections.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
    }

    /// Heals it for new connections; those made before stay dead.
    fn heal(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Relays one connection while its generation is the link's and the link
/// is up; otherwise holds the sockets open and moves nothing.
fn relay(client: TcpStream, target: u16, generation: Arc<AtomicU64>, up: Arc<AtomicBool>) {
    let born = generation.load(Ordering::SeqCst);
    let alive = move || up.load(Ordering::SeqCst) && generation.load(Ordering::SeqCst) == born;
    // A connection made during a cut waits for nothing: it never relays.
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
        return;
    };
    let pump = |mut from: TcpStream, mut to: TcpStream, alive: Box<dyn Fn() -> bool + Send>| {
        from.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut buf = [0u8; 16 * 1024];
        let mut dead_since: Option<Instant> = None;
        loop {
            if !alive() {
                // Dead: hold the sockets, read nothing, for at most 10 min.
                let since = *dead_since.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(600) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if alive() && to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    };
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let alive2 = alive.clone();
    let up_thread = std::thread::spawn(move || pump(c2, s2, Box::new(alive2)));
    pump(server, client, Box::new(alive));
    let _ = up_thread.join();
}

#[test]
fn a_cut_database_link_is_503_at_once_and_ready_again_within_seconds_of_the_heal() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-before", "unstable");
    db.add_package_run(&env, "run-during", "auhelpa", "unstable");
    let hole = Blackhole::start();
    let url = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        pg_user(),
        hole.port,
        db.name
    );
    let dput = env.logging_tool("dput-part", "exec dput \"$@\"");
    let channel = channel("partition");
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &["--database", &url, "--lease", "15s"],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    let message = runner_message("run-before", "unstable", "unstable");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the first upload", || env.calls("dput-part").len() == 2);

    hole.cut();
    let cut = Instant::now();
    wait_until(15, "/ready to say 503", || {
        listen.status("/ready") == Some(503)
    });
    let noticed = cut.elapsed();
    // A run announced during the cut: nothing is started that cannot be
    // recorded.
    let message =
        runner_message("run-during", "unstable", "unstable").replace("auhello", "auhelpa");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(env.calls("dput-part").len(), 2, "dput ran during the cut");

    hole.heal();
    let healed = Instant::now();
    wait_until(20, "/ready to say 200 again", || {
        listen.status("/ready") == Some(200)
    });
    let back = healed.elapsed();
    // What arrived during the cut is caught up, once.
    wait_until(90, "the run of the cut to be uploaded", || {
        env.calls("dput-part").len() == 4
    });
    std::thread::sleep(Duration::from_secs(2));
    let calls = env.calls("dput-part");
    for changes in [
        SOURCE_CHANGES,
        BINARY_CHANGES,
        "auhelpa_1.0-1_source.changes",
        "auhelpa_1.0-1_all.changes",
    ] {
        let n = calls.iter().filter(|c| c.ends_with(changes)).count();
        assert_eq!(n, 1, "{changes} uploaded {n} times: {calls:?}");
    }
    assert_eq!(listen.metric("auto_upload_uploads_in_flight"), 0.0);
    eprintln!("partition: 503 after {noticed:?}, ready again {back:?} after the heal");
}

#[test]
fn a_link_cut_while_dput_runs_still_records_the_upload_once_healed() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-mid", "unstable");
    let hole = Blackhole::start();
    let url = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        pg_user(),
        hole.port,
        db.name
    );
    let started = env.path("dput-started");
    let dput = env.script(
        "dput-mid",
        &format!("touch '{}'; sleep 2; exec dput \"$@\"", started.display()),
    );
    let output = std::thread::scope(|scope| {
        let upload = scope.spawn(|| {
            env.upload_run_recorded("run-mid")
                .args(["--database", &url, "--lease", "20s", "--source-only"])
                .env("AUTO_UPLOAD_DPUT", &dput)
                .output()
                .unwrap()
        });
        wait_until(60, "dput to start", || started.exists());
        // Cut while dput runs: its end cannot be recorded until the heal,
        // and the connections of before the cut never come back.
        hole.cut();
        std::thread::sleep(Duration::from_secs(8));
        hole.heal();
        upload.join().unwrap()
    });
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "trying again");
    let state =
        db.sql("SELECT state FROM auto_upload.upload WHERE run_id = 'run-mid' AND changes <> ''");
    assert_eq!(state.trim(), "uploaded");
    assert_eq!(
        env.incoming()
            .iter()
            .filter(|f| f.ends_with(".changes"))
            .count(),
        1
    );
}

#[test]
fn a_cut_redis_link_is_noticed_and_ready_again_after_the_heal() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-r-during", "unstable");
    let redis = OwnRedis::start();
    let hole = Blackhole::to(redis.port);
    let via = format!("redis://127.0.0.1:{}", hole.port);
    let channel = channel("redis-partition");
    let dput = env.logging_tool("dput-rp", "exec dput \"$@\"");
    let listen = Listen::start_with(&env, &via, &channel, &["--database", &db.url()], |c| {
        c.env("AUTO_UPLOAD_DPUT", &dput);
    });
    hole.cut();
    let cut = Instant::now();
    wait_until(15, "/ready to say 503", || {
        listen.status("/ready") == Some(503)
    });
    let noticed = cut.elapsed();
    // Published while the link is cut: lost to pub/sub, caught up after
    // the reconnect from the database.
    publish(
        &redis.url(),
        &channel,
        runner_message("run-r-during", "unstable", "unstable").as_bytes(),
    );
    hole.heal();
    let healed = Instant::now();
    wait_until(40, "/ready to say 200 again", || {
        listen.status("/ready") == Some(200)
    });
    let back = healed.elapsed();
    wait_until(60, "the run of the cut to be uploaded", || {
        env.calls("dput-rp").len() == 2
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(env.calls("dput-rp").len(), 2, "uploaded twice");
    eprintln!("redis partition: 503 after {noticed:?}, ready again {back:?} after the heal");
}
