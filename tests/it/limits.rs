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

/// A GET of `path` from 127.0.0.1: how long a 200 took, or `None` when
/// the server closed, refused or did not answer within 5 s. (The time is
/// reported, not asserted: this machine is shared.)
fn probe(port: u16, path: &str) -> Option<Duration> {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(5),
    )
    .ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .starts_with("HTTP/1.1 200")
        .then(|| started.elapsed())
}

#[test]
fn probes_are_answered_while_a_peer_holds_and_reopens_hundreds_of_sockets() {
    let env = TestEnv::new();
    let channel = channel("starve");
    let listen = Listen::start(&env, REDIS, &channel, &[]);
    let port = listen.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The peer, from another loopback address: 200 sockets that send
    // nothing, each reopened as soon as the server closes it.
    let attacker = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let open = move || async move {
                    let socket = tokio::net::TcpSocket::new_v4().ok()?;
                    socket.bind("127.0.0.2:0".parse().unwrap()).ok()?;
                    socket
                        .connect(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
                        .await
                        .ok()
                };
                let mut tasks = Vec::new();
                for _ in 0..200 {
                    let stop = stop.clone();
                    tasks.push(tokio::spawn(async move {
                        let mut reopened = 0u64;
                        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                            let Some(mut stream) = open().await else {
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            };
                            let mut buf = [0u8; 64];
                            let _ = tokio::time::timeout(
                                Duration::from_secs(30),
                                tokio::io::AsyncReadExt::read(&mut stream, &mut buf),
                            )
                            .await;
                            reopened += 1;
                        }
                        reopened
                    }));
                }
                let mut reopened = 0;
                for task in tasks {
                    reopened += task.await.unwrap_or(0);
                }
                reopened
            })
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let mut answered = Vec::new();
    for i in 0..20 {
        let path = ["/health", "/ready"][i % 2];
        answered.extend(probe(port, path));
        std::thread::sleep(Duration::from_millis(250));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reopened = attacker.join().unwrap();
    assert!(
        reopened > 200,
        "the peer never had its sockets closed: {reopened}"
    );
    // Without the per-peer cap the peer held every slot and no probe was
    // answered at all.
    assert_eq!(
        answered.len(),
        20,
        "{} of 20 probes answered",
        answered.len()
    );
    let slowest = answered.iter().max().unwrap();
    eprintln!(
        "probes: 20 of 20 answered while a peer held and reopened 200 sockets; slowest {slowest:?}"
    );
}
