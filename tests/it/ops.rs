//! Running it the way Debian services run: systemd units that verify,
//! readiness and watchdog over a real notification socket, logs the journal
//! and Cloud Logging understand.

use std::fs;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::database::TestDb;
use crate::support::service::*;
use crate::support::*;

/// The unit files, with ExecStart pointing at the binary under test, pass
/// `systemd-analyze verify`, man pages (from man/) included.
#[test]
fn the_systemd_units_verify() {
    let env = TestEnv::new();
    let units = env.path("units");
    let man1 = env.path("man/man1");
    fs::create_dir_all(&units).unwrap();
    fs::create_dir_all(&man1).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names = Vec::new();
    for entry in fs::read_dir(repo.join("dist/systemd")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path)
            .unwrap()
            .replace("/usr/bin/auto-upload", env!("CARGO_BIN_EXE_auto-upload"));
        let name = path.file_name().unwrap().to_owned();
        fs::write(units.join(&name), text).unwrap();
        names.push(units.join(name));
    }
    assert_eq!(names.len(), 5, "{names:?}");
    for entry in fs::read_dir(repo.join("man")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, man1.join(path.file_name().unwrap())).unwrap();
    }
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .args(&names)
        .env("MANPATH", env.path("man"))
        .env("SYSTEMD_LOG_LEVEL", "notice")
        .output()
        .expect("systemd-analyze is not installed: run .ci/setup");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Reads datagrams until one contains `needle` (failing after `seconds`);
/// returns every datagram read, in order.
pub(crate) fn read_until(socket: &UnixDatagram, needle: &str, seconds: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {needle:?} in {seen:?}");
        socket.set_read_timeout(Some(left)).unwrap();
        let Ok(n) = socket.recv(&mut buf) else {
            panic!("no {needle:?} in {seen:?}");
        };
        let datagram = String::from_utf8_lossy(&buf[..n]).into_owned();
        let found = datagram.contains(needle);
        seen.push(datagram);
        if found {
            return seen;
        }
    }
}

#[test]
fn listen_tells_systemd_ready_status_watchdog_and_stopping() {
    let env = TestEnv::new();
    let socket_path = env.path("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    // Redis is not there at start: readiness must not wait for it.
    let redis_port = free_port();
    let health = free_port();
    let mut child = env
        .cmd()
        .args(["listen", "--artifacts"])
        .arg(env.store())
        .args(["--redis", &format!("redis://127.0.0.1:{redis_port}")])
        .args(["--health-addr", &format!("127.0.0.1:{health}")])
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = read_until(&socket, "READY=1", 20);
    assert!(seen[0].contains("READY=1"), "{seen:?}");
    assert!(seen[0].contains("STATUS=redis: connecting"), "{seen:?}");
    // The health server is bound by then.
    assert!(http_get(health, "/health").is_some());
    // Beats every 200 ms, with Redis still away.
    let started = Instant::now();
    let seen = read_until(&socket, "WATCHDOG=1", 5);
    let seen = [seen, read_until(&socket, "WATCHDOG=1", 5)].concat();
    assert!(started.elapsed() < Duration::from_secs(3), "{seen:?}");
    assert!(
        seen.iter().any(|d| d.contains("STATUS=redis: unavailable")),
        "{seen:?}"
    );
    // Redis arrives: the status says so.
    let _redis = OwnRedis::start_on(redis_port);
    let seen = read_until(&socket, "STATUS=redis: subscribed to result", 30);
    assert!(
        seen.last().unwrap().contains("uploads in flight: 0"),
        "{seen:?}"
    );
    // SIGTERM: stopping, with more time asked for the drain.
    run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    let seen = read_until(&socket, "STOPPING=1", 20);
    assert!(
        seen.last()
            .unwrap()
            .contains("EXTEND_TIMEOUT_USEC=330000000"),
        "{seen:?}"
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn logs_carry_journal_priorities_when_stderr_is_the_journal() {
    let env = TestEnv::new();
    let log = env.path("journal.log");
    let file = fs::File::create(&log).unwrap();
    let stat = rustix::fs::fstat(&file).unwrap();
    let stream = format!("{}:{}", stat.st_dev, stat.st_ino);
    let status = env
        .cmd()
        .args(["-v", "sign", "/nonexistent/x.changes"])
        .env("JOURNAL_STREAM", &stream)
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(6));
    let status = env
        .cmd()
        .args([
            "-v",
            "upload-run",
            "no-such-run",
            "--dry-run",
            "--artifacts",
        ])
        .arg(env.store())
        .args(DISPATCH)
        .env("JOURNAL_STREAM", &stream)
        .stderr(fs::OpenOptions::new().append(true).open(&log).unwrap())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
    let text = fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("<3>ERROR"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("<6>") && l.contains("location")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("<3>auto-upload: ") && l.contains("no-such-run")),
        "{text}"
    );
    // No timestamps of our own: the journal adds them.
    assert!(!text.contains("2026-") && !text.contains("Z "), "{text}");

    // A stream inherited and since redirected is not the journal.
    let output = env
        .cmd()
        .args(["-v", "sign", "/nonexistent/x.changes"])
        .env("JOURNAL_STREAM", "1:1")
        .output()
        .unwrap();
    assert!(!stderr(&output).contains("<3>"), "{}", stderr(&output));
}

#[test]
fn json_logs_carry_cloud_logging_severity() {
    let env = TestEnv::new();
    let output = env
        .cmd()
        .args([
            "-v",
            "--log-format",
            "json",
            "sign",
            "/nonexistent/x.changes",
        ])
        .env("AUTO_UPLOAD_ARTIFACTS", env.store())
        .output()
        .unwrap();
    assert_exit(&output, 6);
    let lines: Vec<serde_json::Value> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty(), "{}", stderr(&output));
    for line in &lines {
        let expected = match line["level"].as_str().unwrap() {
            "ERROR" => "ERROR",
            "WARN" => "WARNING",
            "INFO" => "INFO",
            _ => "DEBUG",
        };
        assert_eq!(line["severity"], expected, "{line}");
    }
    assert!(lines.iter().any(|l| l["severity"] == "ERROR"));
}

#[test]
fn a_pause_reason_is_printed_as_data_in_every_log_format() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-forge", "unstable");
    // Anyone with write access to the ledger can set the reason: a forged
    // emergency line, terminal escapes, and 128 KiB.
    let create = env
        .cmd()
        .args([
            "backfill",
            "--limit",
            "0",
            "--database",
            &db.url(),
            "--artifacts",
        ])
        .arg(env.store())
        .args(env.signing_args())
        .output()
        .unwrap();
    assert_exit(&create, 0);
    let pause = env
        .cmd()
        .args([
            "ledger",
            "pause",
            "--reason",
            "set up",
            "--database",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_exit(&pause, 0);
    // Longer than 1 KiB is refused at the command line.
    let long = "x".repeat(2000);
    let refused = env
        .cmd()
        .args([
            "ledger",
            "pause",
            "--reason",
            &long,
            "--database",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_exit(&refused, 2);
    db.sql(
        "UPDATE auto_upload.pause SET reason = 'deploy' || chr(13) || chr(10)
             || '<0>2026-12-04T00:00:00Z  INFO upload finished run_id=forged outcome=uploaded'
             || chr(27) || '[2J' || repeat('x', 131072)",
    );
    let log = env.path("journal.log");
    let file = fs::File::create(&log).unwrap();
    let stat = rustix::fs::fstat(&file).unwrap();
    let stream = format!("{}:{}", stat.st_dev, stat.st_ino);
    for (format, journal) in [("text", false), ("json", false), ("text", true)] {
        let mut command = env.upload_run_recorded("run-forge");
        command
            .args(["--database", &db.url(), "--log-format", format])
            .stderr(Stdio::piped());
        if journal {
            command.env("JOURNAL_STREAM", &stream);
        }
        let output = command.output().unwrap();
        assert_exit(&output, 75);
        let err = stderr(&output);
        for line in err.lines() {
            assert!(
                !line.contains("\u{1b}"),
                "{format}: an escape reached the log"
            );
            assert!(
                !line
                    .trim_start_matches(|c: char| c == '<' || c.is_ascii_digit() || c == '>')
                    .starts_with("2026-12-04T00:00:00Z"),
                "{format}: a forged line: {line}"
            );
            assert!(
                line.len() < 8 * 1024,
                "{format}: a {} byte line",
                line.len()
            );
        }
        // Escaped (in JSON, the escape's backslash is escaped again).
        assert!(
            err.contains("deploy\\u{d}\\u{a}<0>") || err.contains("deploy\\\\u{d}\\\\u{a}<0>"),
            "{format}: {err}"
        );
        assert!(err.contains('…'), "{format}: not capped");
    }
}
