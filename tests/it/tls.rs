//! TLS to Redis (`rediss://`) and PostgreSQL (`sslmode=verify-full`) with
//! the system's trust store: a throwaway CA, servers of the test's own
//! with a certificate it signed, trusted through `SSL_CERT_FILE` (read by
//! rustls-native-certs, as the system's store would be) and refused
//! without it.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::database::JANITOR_SCHEMA;
use crate::support::service::*;
use crate::support::*;

/// A CA made for one test and a certificate it signed for localhost and
/// 127.0.0.1.
struct Ca {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null()));
}

impl Ca {
    fn new(dir: &Path) -> Self {
        fs::create_dir_all(dir).unwrap();
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=auto-upload test CA",
            ],
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        }
    }
}

/// A child killed when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn rediss_is_verified_against_the_trust_store() {
    let env = TestEnv::new();
    env.add_run("run-tls");
    let ca = Ca::new(&env.path("tls"));
    let port = free_port();
    let _redis = Server(
        Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--tls-cert-file")
            .arg(&ca.cert)
            .arg("--tls-key-file")
            .arg(&ca.key)
            .arg("--tls-ca-cert-file")
            .arg(&ca.ca)
            .args([
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is not installed: run .ci/setup"),
    );
    let cli = |args: &[&str]| {
        Command::new("redis-cli")
            .args(["--tls", "--cacert"])
            .arg(&ca.ca)
            .args(["-h", "localhost", "-p", &port.to_string()])
            .args(args)
            .output()
            .unwrap()
    };
    wait_until(10, "the TLS redis-server", || {
        String::from_utf8_lossy(&cli(&["ping"]).stdout).trim() == "PONG"
    });
    let url = format!("rediss://localhost:{port}/");
    let channel = channel("tls");

    // Not trusted: never subscribed, and the log says why.
    let untrusted = Listen::spawn(&env, &url, &channel, &[], |_| {});
    wait_until(30, "the refused certificate to be logged", || {
        let logs = untrusted.logs();
        logs.contains("certificate") || logs.contains("UnknownIssuer")
    });
    assert_eq!(untrusted.status("/ready"), Some(503));
    let logs = untrusted.logs();
    assert!(
        logs.contains("certificate") || logs.contains("UnknownIssuer"),
        "{logs}"
    );
    drop(untrusted);

    // Trusted through SSL_CERT_FILE: subscribed, and an upload lands.
    let listen = Listen::start_with(&env, &url, &channel, &[], |c| {
        c.env("SSL_CERT_FILE", &ca.ca);
    });
    let message = runner_message("run-tls", "unstable", "unstable");
    let published = cli(&["PUBLISH", &channel, &message]);
    assert_eq!(String::from_utf8_lossy(&published.stdout).trim(), "1");
    wait_until(60, "the upload", || {
        listen.metric("auto_upload_uploads_total{outcome=\"uploaded\"}") == 1.0
    });
    assert_source_accepted(&env.process_incoming());
}

/// A PostgreSQL server of the test's own, with TLS, run as the `postgres`
/// user (the test runs as root, as CI does).
fn postgres_with_tls(env: &TestEnv, ca: &Ca, port: u16) -> Server {
    let bin = fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: run .ci/setup")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .max()
        .expect("no initdb: run .ci/setup");
    let uid: u32 =
        String::from_utf8_lossy(&run(Command::new("id").args(["-u", "postgres"])).stdout)
            .trim()
            .parse()
            .unwrap();
    let gid: u32 =
        String::from_utf8_lossy(&run(Command::new("id").args(["-g", "postgres"])).stdout)
            .trim()
            .parse()
            .unwrap();
    let data = env.path("pgdata");
    let files = env.path("pgtls");
    fs::create_dir_all(&files).unwrap();
    fs::copy(&ca.cert, files.join("server.pem")).unwrap();
    fs::copy(&ca.key, files.join("server.key")).unwrap();
    let chown = |path: &Path| {
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path));
    };
    // The test's root directory must let postgres through.
    run(Command::new("chmod").arg("755").arg(env.path("")));
    chown(&files);
    run(Command::new("chmod")
        .arg("600")
        .arg(files.join("server.key")));
    fs::create_dir(&data).unwrap();
    chown(&data);
    run(Command::new("chmod").arg("700").arg(&data));
    let as_postgres = |program: PathBuf| {
        let mut command = Command::new(program);
        command
            .uid(uid)
            .gid(gid)
            .env("HOME", "/tmp")
            .current_dir("/tmp");
        command
    };
    run(as_postgres(bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "root", "--no-sync"])
        .stdout(Stdio::null()));
    let server = Server(
        as_postgres(bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&data)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "ssl=on",
                "-c",
                "fsync=off",
            ])
            .arg("-c")
            .arg(format!(
                "ssl_cert_file={}",
                files.join("server.pem").display()
            ))
            .arg("-c")
            .arg(format!(
                "ssl_key_file={}",
                files.join("server.key").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let psql = |sql: &str| {
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&data)
            .args([
                "-p",
                &port.to_string(),
                "-U",
                "root",
                "-d",
                "postgres",
                "-c",
                sql,
            ])
            .output()
            .unwrap()
    };
    wait_until(20, "the TLS PostgreSQL server", || {
        psql("SELECT 1").status.success()
    });
    let created = psql(JANITOR_SCHEMA);
    assert!(created.status.success(), "{created:?}");
    let added = psql(
        "INSERT INTO codebase (name) VALUES ('tls-vcs');
         INSERT INTO change_set (id, campaign) VALUES ('run-pg-tls', 'unstable');
         INSERT INTO run (id, result_code, suite, logfilenames, change_set, codebase)
              VALUES ('run-pg-tls', 'success', 'unstable', '{}', 'run-pg-tls', 'tls-vcs');
         INSERT INTO debian_build (run_id, version, distribution, source)
              VALUES ('run-pg-tls', '1.0-1', 'unstable', 'tls')",
    );
    assert!(added.status.success(), "{added:?}");
    server
}

#[test]
fn postgres_tls_is_verified_against_the_trust_store() {
    assert_eq!(
        rustix::process::geteuid().as_raw(),
        0,
        "this test starts PostgreSQL as the postgres user: run it as root, as CI does"
    );
    let env = TestEnv::new();
    let ca = Ca::new(&env.path("tls"));
    let port = free_port();
    let _postgres = postgres_with_tls(&env, &ca, port);
    let url = format!("postgres://root@localhost:{port}/postgres?sslmode=verify-full");
    let dry = |trust: Option<&Path>| {
        let mut command = env.cmd();
        command.args(["backfill", "--dry-run", "--database", &url]);
        if let Some(ca) = trust {
            command.env("SSL_CERT_FILE", ca);
        }
        command.output().unwrap()
    };
    let output = dry(None);
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "certificate");
    let output = dry(Some(&ca.ca));
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "run-pg-tls\tunstable\ttls\t1.0-1\n");
}
