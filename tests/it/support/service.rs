//! Helpers for the service tests: a running `auto-upload listen`, Redis
//! publishing, a private redis-server, plain HTTP requests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::env::*;
use super::wait::*;

/// The shared Redis the machine runs; `.ci/setup` starts it when needed.
pub const REDIS: &str = "redis://127.0.0.1:6379";

/// A channel name no other test uses.
pub fn channel(test: &str) -> String {
    format!("auto-upload-test-{test}-{}", std::process::id())
}

/// Publishes `payload` on `channel`; returns how many subscribers got it.
pub fn publish(redis: &str, channel: &str, payload: &[u8]) -> i64 {
    let client = redis::Client::open(redis).unwrap();
    let mut conn = client
        .get_connection()
        .unwrap_or_else(|e| panic!("Redis at {redis} is not reachable ({e}): run .ci/setup"));
    redis::cmd("PUBLISH")
        .arg(channel)
        .arg(payload)
        .query(&mut conn)
        .unwrap()
}

/// Runs a Redis command and returns its reply.
pub fn redis_cmd<T: redis::FromRedisValue>(redis: &str, args: &[&str]) -> T {
    let client = redis::Client::open(redis).unwrap();
    let mut conn = client.get_connection().unwrap();
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query(&mut conn).unwrap()
}

/// A runner-shaped result message for a successful Debian build.
pub fn runner_message(log_id: &str, distribution: &str, campaign: &str) -> String {
    serde_json::json!({
        "log_id": log_id, "code": "success", "description": "Built", "campaign": campaign,
        "codebase": "auhello", "change_set": null, "duration": 512.3,
        "start_time": "2026-11-27T11:51:02.1", "finish_time": "2026-11-27T11:59:34.4",
        "transient": null, "failure_details": null, "failure_stage": null,
        "logfilenames": ["worker.log", "build.log"],
        "target": {"name": "debian", "details": {
            "build_distribution": distribution, "build_version": "1.0-1",
            "changes_filenames": [SOURCE_CHANGES, BINARY_CHANGES],
            "lintian": {"versions": {"lintian": "2.116.3"}}, "binary_packages": ["auhello"]}},
        "codemod": {"command": "lintian-brush"}, "value": 60, "remotes": {},
        "branch_url": "https://salsa.debian.org/x/auhello", "resume": null,
        "branches": [["main", "debian/main", null, "abc"]], "tags": [],
        "revision": "abc", "main_branch_revision": "def"
    })
    .to_string()
}

/// A result message as the Janitor's Rust runner serializes it: `duration`
/// as `{secs, nanos}`, and `target` null when nothing was built (`None`).
pub fn rust_runner_message(log_id: &str, distribution: Option<&str>) -> String {
    let target = distribution.map(|distribution| {
        serde_json::json!({"name": "debian", "details": {
            "build_distribution": distribution, "build_version": "1.0-1",
            "changes_filenames": [SOURCE_CHANGES, BINARY_CHANGES],
            "lintian": null, "binary_packages": ["auhello"]}})
    });
    serde_json::json!({
        "log_id": log_id, "code": if target.is_some() { "success" } else { "nothing-to-do" },
        "description": "Built", "campaign": "unstable", "codebase": "auhello",
        "change_set": "cs-1", "duration": {"secs": 512, "nanos": 300_000_000},
        "start_time": "2026-11-27T11:51:02.1Z", "finish_time": "2026-11-27T11:59:34.4Z",
        "transient": false, "failure_details": null, "failure_stage": null,
        "logfilenames": ["worker.log"], "target": target, "codemod": null, "value": 60,
        "remotes": {"origin": {"url": "https://salsa.debian.org/x/auhello"}},
        "branch_url": "https://salsa.debian.org/x/auhello", "vcs_type": "git",
        "subpath": "", "resume": null, "branches": [["main", "debian/main", null, "abc"]],
        "tags": [], "revision": "abc", "main_branch_revision": "def",
        "target_branch_url": null, "refreshed": false, "worker_name": "worker-1"
    })
    .to_string()
}

/// A running `auto-upload listen`, killed when dropped.
pub struct Listen {
    pub child: Child,
    /// Where its health server answers.
    pub host: String,
    pub port: u16,
    pub log: PathBuf,
}

impl Listen {
    /// Starts `listen` on `channel` of `redis` with this env's store, key and
    /// archive, the health server on a free port, and `extra` arguments.
    pub fn start(env: &TestEnv, redis: &str, channel: &str, extra: &[&str]) -> Self {
        Self::start_with(env, redis, channel, extra, |_| {})
    }

    /// As [`Listen::start`], letting `adjust` change the command first.
    pub fn start_with(
        env: &TestEnv,
        redis: &str,
        channel: &str,
        extra: &[&str],
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        let listen = Self::spawn(env, redis, channel, extra, adjust);
        wait_until(20, "listen to subscribe", || {
            listen.status("/ready") == Some(200)
        });
        listen
    }

    /// As [`Listen::start`] with this env's key and dput.cf but no
    /// `--host`: `extra` names the hosts.
    pub fn start_hosts(env: &TestEnv, redis: &str, channel: &str, extra: &[&str]) -> Self {
        let key = env.key_args();
        let mut args: Vec<&str> = key.iter().map(String::as_str).collect();
        args.extend(extra);
        let listen = Self::spawn_with(
            env,
            env.cmd(),
            "127.0.0.1",
            redis,
            channel,
            &args,
            false,
            |_| {},
        );
        wait_until(20, "listen to subscribe", || {
            listen.status("/ready") == Some(200)
        });
        listen
    }

    /// Starts `listen` as [`Listen::start_with`] does, without waiting
    /// for it to be ready.
    pub fn spawn(
        env: &TestEnv,
        redis: &str,
        channel: &str,
        extra: &[&str],
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        Self::spawn_with(
            env,
            env.cmd(),
            "127.0.0.1",
            redis,
            channel,
            extra,
            true,
            adjust,
        )
    }

    /// Starts `listen` as [`Listen::start_with`] does, run by `command`
    /// (the binary, or a wrapper that runs it) with its health server on
    /// `host`, and waits for it to be ready.
    #[allow(clippy::too_many_arguments)]
    pub fn start_from(
        env: &TestEnv,
        command: Command,
        host: &str,
        redis: &str,
        channel: &str,
        extra: &[&str],
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        let listen = Self::spawn_with(env, command, host, redis, channel, extra, true, adjust);
        wait_until(30, "listen to subscribe", || {
            listen.status("/ready") == Some(200)
        });
        listen
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn_with(
        env: &TestEnv,
        mut command: Command,
        host: &str,
        redis: &str,
        channel: &str,
        extra: &[&str],
        signing: bool,
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        let port = free_port();
        let log = env.path(&format!("listen-{port}.log"));
        command
            .args(["listen", "--redis", redis, "--channel", channel])
            .args(["--status-channel", &format!("{channel}-status")])
            .args(["--health-addr", &format!("{host}:{port}"), "--artifacts"])
            .arg(env.store())
            .args(if signing {
                env.signing_args()
            } else {
                Vec::new()
            })
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        adjust(&mut command);
        let child = command.spawn().unwrap();
        Self {
            child,
            host: host.to_owned(),
            port,
            log,
        }
    }

    /// The HTTP status of `path`.
    pub fn status(&self, path: &str) -> Option<u16> {
        http_get_at(&self.host, self.port, path).map(|(status, _)| status)
    }

    /// The value of one metric line, e.g. `auto_upload_messages_total{outcome="ignored"}`.
    pub fn metric(&self, name: &str) -> f64 {
        let (status, body) = http_get_at(&self.host, self.port, "/metrics").expect("no /metrics");
        assert_eq!(status, 200);
        body.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    /// What the service logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a signal by name (TERM, INT, ...).
    pub fn signal(&self, name: &str) {
        run(Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]));
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A redis-server of the test's own on a free port, killed when dropped.
pub struct OwnRedis {
    pub port: u16,
    child: Child,
}

impl OwnRedis {
    /// Starts one on a free port.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts one on `port`.
    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is not installed: run .ci/setup");
        let redis = Self { port, child };
        wait_until(10, "redis-server to start", || {
            redis::Client::open(redis.url())
                .and_then(|c| c.get_connection())
                .is_ok()
        });
        redis
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it and waits until it is gone.
    pub fn stop(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
