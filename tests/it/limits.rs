//! `listen` under pressure: a flood of runs beyond `--max-queued`, and the
//! ledger's database going away and coming back.

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::support::database::{pg_host, pg_user, TestDb};
use crate::support::service::*;
use crate::support::*;

/// Resident memory of a process, in kB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("no VmRSS")
}

#[test]
fn runs_beyond_max_queued_are_dropped_and_memory_stays_bounded() {
    let env = TestEnv::new();
    env.add_run("run-busy");
    let started = env.path("busy");
    let dput = env.logging_tool(
        "dput",
        &format!("touch '{}'; sleep 30; exit 0", started.display()),
    );
    let channel = channel("flood");
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &["--jobs", "1", "--max-queued", "50"],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    publish(
        REDIS,
        &channel,
        runner_message("run-busy", "unstable", "unstable").as_bytes(),
    );
    wait_until(60, "the one job to be busy in dput", || started.exists());
    let before = rss_kb(listen.child.id());
    let client = redis::Client::open(REDIS).unwrap();
    let mut conn = client.get_connection().unwrap();
    let flood = 20_000;
    let mut pipe = redis::pipe();
    for i in 0..flood {
        pipe.cmd("PUBLISH")
            .arg(&channel)
            .arg(runner_message(
                &format!("run-flood-{i}"),
                "unstable",
                "unstable",
            ))
            .ignore();
    }
    let () = pipe.query(&mut conn).unwrap();
    // The busy run holds the one job; 50 wait; the rest are dropped.
    let dropped = f64::from(flood - 50);
    wait_until(60, "the flood to be dropped", || {
        listen.metric("auto_upload_dropped_total") == dropped
    });
    assert_eq!(listen.status("/health"), Some(200));
    let after = rss_kb(listen.child.id());
    assert!(
        after < before + 30_000,
        "RSS grew from {before} kB to {after} kB for {flood} runs"
    );
}

/// A TCP port that forwards to PostgreSQL's Unix socket and can be cut
/// off and restored: the ledger's database going away, for real.
struct PgProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl PgProxy {
    fn start() -> Self {
        let mut proxy = Self {
            port: free_port(),
            stop: Arc::default(),
            connections: Arc::default(),
            acceptor: None,
        };
        proxy.up();
        proxy
    }

    /// Accepts and forwards connections.
    fn up(&mut self) {
        self.stop.store(false, Ordering::SeqCst);
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let (stop, connections) = (self.stop.clone(), self.connections.clone());
        let socket = format!("{}/.s.PGSQL.5432", pg_host());
        self.acceptor = Some(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = UnixStream::connect(&socket) else {
                    continue;
                };
                connections
                    .lock()
                    .unwrap()
                    .push(client.try_clone().unwrap());
                let (mut c_in, mut s_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c_in, &mut s_out);
                    let _ = s_out.shutdown(Shutdown::Both);
                });
                let (mut s_in, mut c_out) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_in, &mut c_out);
                    let _ = c_out.shutdown(Shutdown::Both);
                });
            }
        }));
    }

    /// Refuses new connections and cuts the open ones.
    fn down(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().unwrap();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }

    fn url(&self, db: &TestDb) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{}",
            pg_user(),
            self.port,
            db.name
        )
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.down();
    }
}

#[test]
fn ready_says_503_while_the_ledger_database_is_down_and_its_failures_are_caught_up() {
    let env = TestEnv::new();
    let db = TestDb::new();
    let mut proxy = PgProxy::start();
    let dput = env.logging_tool("dput", "exec dput \"$@\"");
    let channel = channel("db-down");
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &["--database", &proxy.url(&db)],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    proxy.down();
    wait_until(30, "/ready to turn 503", || {
        listen.status("/ready") == Some(503)
    });
    let (_, body) = http_get(listen.port, "/ready").unwrap();
    assert!(body.contains("database"), "{body}");
    assert_eq!(listen.metric("auto_upload_database_up"), 0.0);
    // A build lands and is announced while the ledger cannot be reached.
    db.add_built_run(&env, "run-while-down", "auhello");
    publish(
        REDIS,
        &channel,
        runner_message("run-while-down", "unstable", "unstable").as_bytes(),
    );
    wait_until(60, "the upload to fail", || {
        listen.metric("auto_upload_uploads_total{outcome=\"failed\"}") == 1.0
    });
    assert!(env.calls("dput").is_empty());
    proxy.up();
    wait_until(30, "/ready to turn 200", || {
        listen.status("/ready") == Some(200)
    });
    wait_until(60, "the catch-up upload", || {
        listen.metric("auto_upload_uploads_total{outcome=\"uploaded\"}") == 1.0
    });
    assert_eq!(env.calls("dput").len(), 2);
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_binary_accepted(&listing);
    let mut logs = String::new();
    std::fs::File::open(&listen.log)
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("catching up"), "{logs}");
}
