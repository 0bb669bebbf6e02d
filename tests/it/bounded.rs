//! Never starved, never silenced: what the health port receives, a closed
//! stderr, a hostile or slow mirror, a database that does not answer: the
//! uploads go on and every wait has a limit.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::service::*;
use crate::support::*;

/// A Python HTTP server on 127.0.0.1 running `script` (which reads its
/// port as `PORT` and may use `ROOT`), killed when dropped.
struct PyServer {
    child: Child,
    port: u16,
}

impl PyServer {
    fn start(script: &str, root: &Path, envs: &[(&str, String)]) -> Self {
        let port = free_port();
        let child = Command::new("python3")
            .args(["-c", script])
            .env("PORT", port.to_string())
            .env("ROOT", root)
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for the HTTP servers");
        wait_until(10, "the HTTP server", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Self { child, port }
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves ROOT, asking for basic auth `user:s3cret-pw` when AUTH is set,
/// answering every GET with a redirect to REDIRECT when that is set.
const SERVE: &str = r#"
import base64, functools, http.server, os
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def check(self):
        if os.environ.get("REDIRECT"):
            self.send_response(302)
            self.send_header("Location", os.environ["REDIRECT"] + self.path)
            self.end_headers()
            return False
        if os.environ.get("AUTH"):
            want = "Basic " + base64.b64encode(b"user:s3cret-pw").decode()
            if self.headers.get("Authorization") != want:
                self.send_response(401)
                self.end_headers()
                return False
        return True
    def do_GET(self):
        if self.check(): super().do_GET()
    def do_HEAD(self):
        if self.check(): super().do_HEAD()
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])),
    functools.partial(H, directory=os.environ["ROOT"])).serve_forever()
"#;

/// Answers every request with headers and then one byte a second.
const TRICKLE: &str = r#"
import http.server, os, time
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(100000):
            self.wfile.write(b"x"); self.wfile.flush(); time.sleep(1)
    do_HEAD = do_GET
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
"#;

/// A hand-made archive in `dir` whose unstable Sources lists our source
/// at `version`.
fn archive_in(dir: &Path, version: &str) {
    let sources = dir.join("dists/unstable/main/source");
    fs::create_dir_all(&sources).unwrap();
    fs::write(
        sources.join("Sources"),
        format!("Package: {SOURCE}\nVersion: {version}\n\n"),
    )
    .unwrap();
}

#[test]
fn idle_connections_to_the_health_port_never_stop_an_upload() {
    let env = TestEnv::new();
    env.add_run("run-idle");
    // This test holds more sockets than systemd's default 1,024.
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    rustix::process::setrlimit(
        rustix::process::Resource::Nofile,
        rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    )
    .unwrap();
    let channel = channel("idle");
    let listen = Listen::start_with(&env, REDIS, &channel, &[], |c| {
        // systemd's default: a soft and hard limit of 1,024 descriptors.
        unsafe {
            c.pre_exec(|| {
                let limit = rustix::process::Rlimit {
                    current: Some(1024),
                    maximum: Some(1024),
                };
                rustix::process::setrlimit(rustix::process::Resource::Nofile, limit)
                    .map_err(std::io::Error::from)
            });
        }
    });
    let idle: Vec<TcpStream> = (0..1100)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", listen.port)).ok())
        .collect();
    assert!(idle.len() > 1024, "only {} connections", idle.len());
    let message = runner_message("run-idle", "unstable", "unstable");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the upload", || env.incoming().len() == 8);
    // The server closed every idle connection within its timeouts.
    for mut stream in idle {
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut buf = [0u8; 16];
        assert!(
            matches!(stream.read(&mut buf), Ok(0) | Err(_)),
            "an idle connection stayed open"
        );
    }
    assert_eq!(listen.status("/health"), Some(200));
    let logs = listen.logs();
    assert!(!logs.contains("Too many open files"), "{logs}");
}

#[test]
fn a_header_sent_a_byte_at_a_time_is_cut_off() {
    let env = TestEnv::new();
    let listen = Listen::start(&env, REDIS, &channel("slowloris"), &[]);
    let mut stream = TcpStream::connect(("127.0.0.1", listen.port)).unwrap();
    let started = Instant::now();
    let mut closed = false;
    for byte in b"GET /health HTTP/1.1\r\nX-Slow: ".iter().cycle().take(30) {
        if stream.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        stream
            .set_read_timeout(Some(Duration::from_millis(1)))
            .unwrap();
        let mut buf = [0u8; 256];
        if stream.read(&mut buf).is_ok() {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "a slow header was served for {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(12));
    assert_eq!(listen.status("/health"), Some(200));
}

#[test]
fn a_closed_stderr_neither_stops_uploads_nor_shutdown() {
    let env = TestEnv::new();
    // Closed before the first message, and after it.
    for (n, close_after_first) in [(1, false), (2, true)] {
        let first = format!("run-deaf-{n}a");
        let second = format!("run-deaf-{n}b");
        let (a, b) = (format!("deaf{n}a"), format!("deaf{n}b"));
        env.add_run_of(&first, &package(&a, VERSION, "unstable"));
        env.add_run_of(&second, &package(&b, VERSION, "unstable"));
        let channel = channel(&format!("deaf-{n}"));
        let port = free_port();
        let mut child = env
            .cmd()
            .args(["listen", "--redis", REDIS, "--channel", &channel])
            .args(["--health-addr", &format!("127.0.0.1:{port}"), "--artifacts"])
            .arg(env.store())
            .args(env.signing_args())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        wait_until(20, "listen to be ready", || {
            http_get(port, "/ready").is_some_and(|(status, _)| status == 200)
        });
        let mut buf = [0u8; 64];
        assert!(stderr.read(&mut buf).unwrap() > 0, "it logged nothing");
        let before = env.incoming().len();
        let publish_run = |run_id: &str, source: &str| {
            let message = runner_message(run_id, "unstable", "unstable").replace("auhello", source);
            assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
        };
        if close_after_first {
            publish_run(&first, &a);
            wait_until(60, "the first upload", || {
                env.incoming().len() == before + 8
            });
            // Whatever read stderr goes away after the first message.
            drop(stderr);
        } else {
            // Whatever read stderr goes away before the first message.
            drop(stderr);
            publish_run(&first, &a);
        }
        publish_run(&second, &b);
        wait_until(60, "both uploads", || env.incoming().len() == before + 16);
        run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{status}");
    }

    // backfill -v whose reader closes early exits as it would have.
    let output = env
        .shell(r#""$AU" backfill -v --dry-run --database postgres://nobody@127.0.0.1:1/x --connect-timeout 1s 2>&1 | head -c 1; exit "${PIPESTATUS[0]}""#)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_slow_mirror_delays_no_upload_past_the_deadline() {
    let env = TestEnv::new();
    let trickle = PyServer::start(TRICKLE, env.root.path(), &[]);
    env.add_campaigns(&["suite-a", "suite-b", "suite-c"]);
    for suite in ["suite-a", "suite-b", "suite-c"] {
        env.add_run_of(&format!("run-{suite}"), &package(SOURCE, VERSION, suite));
    }
    let dput = env.logging_tool("dput-trickle", "exit 0");
    let channel = channel("trickle");
    let archive = format!("http://127.0.0.1:{}/", trickle.port);
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &[
            "--archive",
            &archive,
            "--archive-timeout",
            "2s",
            "--jobs",
            "3",
        ],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    let started = Instant::now();
    for suite in ["suite-a", "suite-b", "suite-c"] {
        let message = runner_message(&format!("run-{suite}"), suite, suite);
        assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    }
    wait_until(60, "three uploads", || env.calls("dput-trickle").len() == 6);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    // One check per run (its two .changes share source and suite, and the
    // epoch's suite is the same): three, each given up at the deadline.
    assert_eq!(
        listen.metric("auto_upload_archive_checks_skipped_total{reason=\"timeout\"}"),
        3.0
    );
    assert!(listen
        .logs()
        .contains("did not answer within --archive-timeout"));
}

#[test]
fn the_mirror_is_reached_only_where_it_is_and_never_sees_a_password_printed() {
    let env = TestEnv::new();
    let newer = env.path("newer");
    archive_in(&newer, "9.0-1");
    // Basic auth from the URL, which no output shows.
    let guarded = PyServer::start(SERVE, &newer, &[("AUTH", "1".into())]);
    env.add_run("run-auth");
    let url = format!("http://user:s3cret-pw@127.0.0.1:{}/", guarded.port);
    let output = env
        .upload_run("run-auth")
        .args(["--source-only", "--archive", &url])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "superseded\t");
    for text in [stdout(&output), stderr(&output)] {
        assert!(!text.contains("s3cret-pw"), "{text}");
    }
    // A wrong password: a warning without it, and the upload goes ahead.
    let wrong = format!("http://user:wr0ng-pw@127.0.0.1:{}/", guarded.port);
    let output = env
        .upload_run("run-auth")
        .args(["--source-only", "--archive", &wrong, "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    assert!(!stderr(&output).contains("wr0ng-pw"), "{}", stderr(&output));
    // An invalid URL with a password: exit 2, the password masked.
    let output = env
        .upload_run("run-auth")
        .args(["--archive", "ftp://user:s3cret-pw@x/"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        !stderr(&output).contains("s3cret-pw"),
        "{}",
        stderr(&output)
    );

    // A redirect to another port (where an archive would supersede the
    // upload) is not followed.
    let other = PyServer::start(SERVE, &newer, &[]);
    let redirecting = PyServer::start(
        SERVE,
        &newer,
        &[("REDIRECT", format!("http://127.0.0.1:{}", other.port))],
    );
    env.add_run("run-redirect");
    let output = env
        .upload_run("run-redirect")
        .args(["--source-only", "--dry-run", "--archive"])
        .arg(format!("http://127.0.0.1:{}/", redirecting.port))
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    assert_stderr_contains(&output, "another scheme, host or port");
}

#[test]
fn a_fifo_at_the_cache_files_name_never_hangs_an_upload() {
    let env = TestEnv::new();
    let mirror = env.path("mirror");
    archive_in(&mirror, "0.1-1");
    let url = format!("file://{}", mirror.display());
    let cache = env.path("cache");
    fs::create_dir(&cache).unwrap();
    fs::set_permissions(&cache, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let file = auto_upload::archive::index_cache::file(&cache, &url, &"unstable".parse().unwrap());
    run(Command::new("mkfifo").arg(&file));
    env.add_run("run-fifo-cache");
    let started = Instant::now();
    let output = env
        .upload_run("run-fifo-cache")
        .args(["--source-only", "--dry-run", "--archive", &url])
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_database_that_never_answers_is_given_up_and_sigterm_is_heard() {
    let env = TestEnv::new();
    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://nobody@127.0.0.1:{}/x",
        silent.local_addr().unwrap().port()
    );
    let started = Instant::now();
    let output = env
        .cmd()
        .args([
            "ledger",
            "list",
            "--database",
            &url,
            "--connect-timeout",
            "2s",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // With the default timeout, SIGTERM ends the wait at once.
    let child = env
        .cmd()
        .args([
            "ledger",
            "list",
            "--database",
            &url,
            "--connect-timeout",
            "60s",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let signalled = Instant::now();
    run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(signalled.elapsed() < Duration::from_secs(5));
}

#[test]
fn help_never_prints_a_secret_from_the_environment() {
    let env = TestEnv::new();
    for subcommand in ["upload-run", "listen", "backfill"] {
        let output = env
            .cmd()
            .args([subcommand, "--help"])
            .env("AUTO_UPLOAD_DATABASE", "postgres://u:db-s3cret@h/d")
            .env("AUTO_UPLOAD_REDIS", "redis://:redis-s3cret@h/")
            .env("AUTO_UPLOAD_ARCHIVE", "http://u:mirror-s3cret@h/")
            .output()
            .unwrap();
        assert_exit(&output, 0);
        assert!(!stdout(&output).contains("s3cret"), "{subcommand}");
    }
}

#[test]
fn a_decompression_bomb_is_skipped_in_bounded_memory() {
    let env = TestEnv::new();
    // 300 MiB of one paragraph, gzipped to about half a megabyte. (The
    // 512 MiB cap itself is a unit test and .ci/bench-bounded's: a debug
    // build inflates too slowly to reach it here; what is checked is that
    // memory stays bounded while it inflates and the upload goes ahead.)
    let index = env.path("bomb/dists/unstable/main/source");
    fs::create_dir_all(&index).unwrap();
    run(Command::new("sh").arg("-c").arg(format!(
        "yes 'Package: a\nVersion: 1\n' | head -c 300M | gzip -1 > '{}'",
        index.join("Sources.gz").display()
    )));
    env.add_run("run-bomb");
    let output = Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(env!("CARGO_BIN_EXE_auto-upload"))
        .env("AUTO_UPLOAD_CONFIG", env.janitor_conf())
        .args([
            "upload-run",
            "run-bomb",
            "--codebase",
            SOURCE,
            "--campaign",
            "unstable",
            "--source-only",
            "--dry-run",
            "--archive-timeout",
            "5s",
        ])
        .arg("--artifacts")
        .arg(env.store())
        .arg("--archive")
        .arg(format!("file://{}", env.path("bomb").display()))
        .arg("--cache-dir")
        .arg(env.path("cache"))
        .env("GNUPGHOME", &fixture().gnupghome)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    assert_stderr_contains(&output, "uploading without the check");
    let peak_kb: u64 = stderr(&output)
        .lines()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|v| v.trim().parse().ok())
        .expect("time(1) printed no peak");
    assert!(peak_kb < 128 * 1024, "peak RSS {peak_kb} KB");
}

#[test]
fn a_secret_in_a_mirror_urls_query_is_never_printed() {
    let env = TestEnv::new();
    env.add_run("run-token");
    let port = free_port();
    for archive in [
        format!("http://127.0.0.1:{port}/debian?token=S3CR3T&suite=x"),
        format!("http://u:S3CR3T@127.0.0.1:{port}/debian?X-Amz-Signature=S3CR3T"),
    ] {
        let output = env
            .upload_run("run-token")
            .args([
                "-v",
                "--dry-run",
                "--archive",
                &archive,
                "--archive-timeout",
                "2s",
            ])
            .output()
            .unwrap();
        assert_exit(&output, 0);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains("S3CR3T"), "{all}");
        assert!(all.contains("****"), "the archive was never named: {all}");
    }
}

/// A mirror whose Sources indices do not come until `release` is set:
/// every other file is absent (404).
fn stalling_mirror(release: std::sync::Arc<std::sync::atomic::AtomicBool>) -> u16 {
    use std::io::BufRead;
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let release = release.clone();
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let mut stream = &stream;
                if request.contains("/source/Sources") {
                    while !release.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

#[test]
fn a_result_is_never_held_back_by_an_index_being_read() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let env = TestEnv::new();
    env.add_run("run-during-read");
    let release = std::sync::Arc::new(AtomicBool::new(false));
    let port = stalling_mirror(release.clone());
    let dput = env.logging_tool("dput-read", "exit 0");
    let channel = channel("during-read");
    let archive = format!("http://127.0.0.1:{port}/");
    // The index of unstable is read at start, and the read does not end
    // until the test says; a check would wait for it up to 10 minutes.
    let listen = Listen::start_with(
        &env,
        REDIS,
        &channel,
        &[
            "--archive",
            &archive,
            "--archive-timeout",
            "600s",
            "--distribution",
            "unstable",
        ],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    let message = runner_message("run-during-read", "unstable", "unstable");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the upload, while the index is being read", || {
        env.calls("dput-read").len() == 2
    });
    assert!(!release.load(Ordering::SeqCst));
    // Counted as a check skipped, the index unreadable for now.
    assert!(
        listen.metric("auto_upload_archive_checks_skipped_total{reason=\"unreadable\"}") >= 1.0
    );
    release.store(true, Ordering::SeqCst);
}
