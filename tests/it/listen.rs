//! `listen` against real Redis: uploads that reach the archive, bad
//! messages, reconnects, SIGTERM, the health endpoints and metrics.

use std::fs;
use std::sync::Arc;
use std::time::Duration;

use auto_upload::input::message::{Decision, MessageFilter};

use crate::support::service::*;
use crate::support::*;

const UPLOADED: &str = "auto_upload_uploads_total{outcome=\"uploaded\"}";
const ACCEPTED: &str = "auto_upload_messages_total{outcome=\"accepted\"}";
const IGNORED: &str = "auto_upload_messages_total{outcome=\"ignored\"}";
const MALFORMED: &str = "auto_upload_messages_total{outcome=\"malformed\"}";

fn has_both_uploads(env: &TestEnv) -> bool {
    let incoming = env.incoming();
    incoming.contains(&SOURCE_CHANGES.to_owned()) && incoming.contains(&BINARY_CHANGES.to_owned())
}

#[test]
fn runner_messages_are_uploaded_into_the_archive() {
    let env = TestEnv::new();
    env.add_run("run-l1");
    let channel = channel("upload");
    let listen = Listen::start(&env, REDIS, &channel, &[]);
    assert_eq!(listen.status("/health"), Some(200));
    assert_eq!(listen.metric("auto_upload_redis_connected"), 1.0);

    let message = runner_message("run-l1", "unstable", "lintian-fixes");
    assert_eq!(publish(REDIS, &channel, message.as_bytes()), 1);
    wait_until(60, "the upload", || listen.metric(UPLOADED) == 1.0);
    assert!(has_both_uploads(&env), "{:?}", env.incoming());
    assert_eq!(listen.metric(ACCEPTED), 1.0);
    assert!(listen.metric("auto_upload_upload_duration_seconds_count") >= 1.0);
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_eq!(listen.metric("debsign_failed_total"), 0.0);
}

#[test]
fn bad_and_irrelevant_messages_are_counted_and_change_nothing() {
    let env = TestEnv::new();
    env.add_run("run-l2");
    let channel = channel("bad");
    let listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &["--distribution", "unstable", "--campaign", "lintian-fixes"],
    );
    let garbage = vec![b'{'; 1 << 20];
    let malformed: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"{}".to_vec(),
        br#"{"log_id": 7, "code": "success"}"#.to_vec(),
        br#"{"log_id": "run-l2", "code": "success", "target": "debian"}"#.to_vec(),
        garbage,
    ];
    let ignored: Vec<String> = vec![
        r#"{"log_id": "run-l2", "code": "success", "target": {}}"#.into(),
        runner_message("run-l2", "unstable", "lintian-fixes")
            .replace("\"success\"", "\"build-failed\""),
        runner_message("run-l2", "unstable", "lintian-fixes").replace("\"debian\"", "\"generic\""),
        runner_message("run-l2", "experimental", "lintian-fixes"),
        runner_message("run-l2", "unstable", "fresh-releases"),
    ];
    for payload in &malformed {
        publish(REDIS, &channel, payload);
    }
    for payload in &ignored {
        publish(REDIS, &channel, payload.as_bytes());
    }
    wait_until(20, "every message to be counted", || {
        listen.metric(MALFORMED) == malformed.len() as f64
            && listen.metric(IGNORED) == ignored.len() as f64
    });
    assert_eq!(listen.metric(ACCEPTED), 0.0);
    assert!(env.incoming().is_empty());
    assert_eq!(listen.status("/health"), Some(200));
    assert_eq!(listen.status("/ready"), Some(200));
    let logs = listen.logs();
    assert!(logs.contains("malformed message"), "{logs}");
    assert!(
        logs.lines().all(|l| l.len() < 2000),
        "a log line quoted too much of a message"
    );

    // Still serving: the next good message is uploaded.
    publish(
        REDIS,
        &channel,
        runner_message("run-l2", "unstable", "lintian-fixes").as_bytes(),
    );
    wait_until(60, "the upload", || listen.metric(UPLOADED) == 1.0);
    assert!(has_both_uploads(&env));
}

#[test]
fn reconnects_after_client_kill_and_redis_restart() {
    let env = TestEnv::new();
    env.add_run("run-r1");
    env.add_run("run-r2");
    let redis = OwnRedis::start();
    let url = redis.url();
    let channel = channel("reconnect");
    let listen = Listen::start(&env, &url, &channel, &[]);

    // The server drops the subscription: the service subscribes again.
    let killed: i64 = redis_cmd(&url, &["CLIENT", "KILL", "TYPE", "pubsub"]);
    assert_eq!(killed, 1);
    wait_until(20, "a new subscription", || {
        let subs: (String, i64) = redis_cmd(&url, &["PUBSUB", "NUMSUB", &channel]);
        subs.1 == 1
    });
    publish(
        &url,
        &channel,
        runner_message("run-r1", "unstable", "unstable").as_bytes(),
    );
    wait_until(60, "the first upload", || listen.metric(UPLOADED) == 1.0);

    // Redis goes away: not ready, gauge 0, the service stays up.
    let port = redis.stop();
    wait_until(20, "/ready to turn 503", || {
        listen.status("/ready") == Some(503)
    });
    assert_eq!(listen.status("/health"), Some(200));
    assert_eq!(listen.metric("auto_upload_redis_connected"), 0.0);

    // Redis comes back on the same port: subscribed again, uploads go on.
    let redis = OwnRedis::start_on(port);
    wait_until(60, "/ready to turn 200", || {
        listen.status("/ready") == Some(200)
    });
    assert_eq!(
        publish(
            &redis.url(),
            &channel,
            runner_message("run-r2", "unstable", "unstable").as_bytes()
        ),
        1
    );
    wait_until(60, "the second upload", || listen.metric(UPLOADED) == 2.0);
    let logs = listen.logs();
    assert!(logs.contains("reconnecting"), "{logs}");
    // Two reconnects (the kill, the restart); nothing in flight; the last
    // upload's time; the process metrics the Python service exported.
    assert_eq!(listen.metric("auto_upload_redis_reconnects_total"), 2.0);
    assert_eq!(listen.metric("auto_upload_uploads_in_flight"), 0.0);
    assert!(listen.metric("auto_upload_last_upload_timestamp_seconds") > 1.7e9);
    assert!(listen.metric("process_resident_memory_bytes") > 1e6);
    assert!(listen.metric("process_open_fds") > 3.0);
    assert_eq!(
        listen.metric(&format!(
            "auto_upload_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
}

#[test]
fn sigterm_lets_the_upload_in_flight_finish() {
    let env = TestEnv::new();
    env.add_run("run-term");
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let marker = env.path("dput-started");
    let slow_dput = env.script(
        "slow-dput",
        &format!("touch '{}'\nsleep 2\nexec dput \"$@\"", marker.display()),
    );
    let channel = channel("term");
    let mut listen = Listen::start_with(&env, REDIS, &channel, &["--source-only"], |c| {
        c.env("TMPDIR", &tmp).env("AUTO_UPLOAD_DPUT", &slow_dput);
    });
    publish(
        REDIS,
        &channel,
        runner_message("run-term", "unstable", "unstable").as_bytes(),
    );
    wait_until(30, "dput to start", || marker.exists());
    listen.signal("TERM");
    let status = wait_for_exit(&mut listen.child, 30);
    assert_eq!(status.code(), Some(0), "{}", listen.logs());
    assert!(
        env.incoming().contains(&SOURCE_CHANGES.to_owned()),
        "{:?}",
        env.incoming()
    );
    assert_empty_dir(&tmp);
    assert!(listen.logs().contains("stopping"), "{}", listen.logs());
}

#[test]
fn shutdown_timeout_aborts_and_cleans_up() {
    let env = TestEnv::new();
    env.add_run("run-stuck");
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let marker = env.path("dput-started");
    let stuck_dput = env.script(
        "stuck-dput",
        &format!("touch '{}'\nexec sleep 600", marker.display()),
    );
    let channel = channel("stuck");
    let mut listen =
        Listen::start_with(&env, REDIS, &channel, &["--shutdown-timeout", "1s"], |c| {
            c.env("TMPDIR", &tmp).env("AUTO_UPLOAD_DPUT", &stuck_dput);
        });
    publish(
        REDIS,
        &channel,
        runner_message("run-stuck", "unstable", "unstable").as_bytes(),
    );
    wait_until(30, "dput to start", || marker.exists());
    let started = std::time::Instant::now();
    listen.signal("INT");
    let status = wait_for_exit(&mut listen.child, 30);
    assert_eq!(status.code(), Some(0), "{}", listen.logs());
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_empty_dir(&tmp);
    assert!(env.incoming().is_empty());
}

#[test]
fn json_logs_carry_the_run_id() {
    let env = TestEnv::new();
    env.add_run("run-json-log");
    let channel = channel("jsonlog");
    let listen = Listen::start(
        &env,
        REDIS,
        &channel,
        &["--log-format", "json", "--source-only"],
    );
    publish(
        REDIS,
        &channel,
        runner_message("run-json-log", "unstable", "unstable").as_bytes(),
    );
    wait_until(60, "the upload", || listen.metric(UPLOADED) == 1.0);
    let logs = listen.logs();
    let about_upload: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .filter(|v: &serde_json::Value| {
            let m = v["message"].as_str().unwrap_or_default();
            ["accepted", "signed", "uploaded", "upload finished"].contains(&m)
        })
        .collect();
    assert!(about_upload.len() >= 4, "{logs}");
    for line in about_upload {
        let text = line.to_string();
        assert!(
            text.contains(r#""run_id":"run-json-log""#),
            "no run id in {text}"
        );
    }
}

#[test]
fn the_step_function_can_be_called_directly() {
    let env = TestEnv::new();
    env.add_run("run-step");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let metrics = Arc::new(auto_upload::service::metrics::Metrics::new());
        let listener = auto_upload::service::listen::Listener::new(
            env.pipeline(),
            MessageFilter::default(),
            2,
            metrics.clone(),
        );
        let message = runner_message("run-step", "unstable", "unstable");
        assert!(matches!(
            listener.handle_message(message.as_bytes()),
            Decision::Upload(run_id, _, _) if run_id.as_str() == "run-step"
        ));
        // The same run while it is in flight is not started twice.
        assert!(matches!(
            listener.handle_message(message.as_bytes()),
            Decision::Ignore(_)
        ));
        assert!(matches!(
            listener.handle_message(b"{"),
            Decision::Malformed(_)
        ));
        // A stop leaves a run that has not taken a job yet due: the upload
        // is waited for before draining.
        let uploaded = "auto_upload_uploads_total{outcome=\"uploaded\"} 1";
        for _ in 0..600 {
            if metrics.render().contains(uploaded) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(listener.drain(Duration::from_secs(60)).await);
        let text = metrics.render();
        assert!(
            text.contains("auto_upload_uploads_total{outcome=\"uploaded\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("auto_upload_messages_total{outcome=\"ignored\"} 1"),
            "{text}"
        );
    });
    assert!(has_both_uploads(&env));
}

fn wait_for_exit(child: &mut std::process::Child, seconds: u64) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "did not exit in {seconds}s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
