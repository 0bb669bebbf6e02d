//! The drop-in for the Janitor: its deployment's command line through a
//! `janitor-auto-upload` link, `janitor.conf` read strictly against the
//! real schema, the ledger where the operator wants it, no catch-up without
//! a ledger, silence on success.

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::database::{pg_host, pg_user, psql, TestDb};
use crate::support::service::*;
use crate::support::*;

/// A janitor.conf setting every field the Janitor's `janitor.conf.example`
/// sets, in the same shapes (enums, a oneof, repeated strings, nested
/// blocks, comments), with this env's store and the given Redis and
/// database.
fn full_janitor_conf(env: &TestEnv, redis: &str, database: &str) -> String {
    format!(
        r#"# Every field the Janitor's example configuration sets.
logs_location: "https://logs.example.org"
artifact_location: "{store}"
bzr_location: "file:///srv/vcs/bzr"
git_location: "file:///srv/vcs/git"
database_location: "{database}"
redis_location: "{redis}"
#zipkin_address: "https://zipkin.example.org:9411/api/v2/spans"
committer: "Test Janitor <janitor@example.org>"
origin: "janitor.example.org"
user_agent: "Test Janitor"

bugtracker {{
  kind: gitlab
  url: "https://salsa.example.org/team/project"
  name: "project"
}}

distribution {{
  name: "unstable"
  archive_mirror_uri: "http://deb.example.org/debian"
  component: "main"
  chroot: "unstable-amd64-sbuild"
  lintian_profile: "debian"
  lintian_suppress_tag: "bad-distribution-in-changes-file"
  lintian_suppress_tag: "no-nmu-in-changelog"
  build_command: "sbuild -Asv"
  vendor: "debian"
}}

campaign {{
  name: "lintian-fixes"
  command: "lintian-brush"
  branch_name: "lintian-fixes"
  force_build: false
  skip_setup_validation: false
  default_empty: false
  debian_build {{
    build_distribution: "lintian-fixes"
    build_suffix: "jan+lint"
    base_distribution: "unstable"
    build_command: "sbuild -Asv"
  }}
  bugtracker {{
    kind: debian
    url: "https://bugs.example.org/lintian-brush"
    name: "lintian-brush"
  }}
}}

# The campaign the tests' runs are dispatched in.
campaign {{
  name: "unstable"
  debian_build {{
  }}
}}
campaign {{
  name: "upstream-unchanged"
  branch_name: "upstream-unchanged"
  generic_build {{
    chroot: "unstable-amd64-sbuild"
  }}
}}

oauth2_provider {{
  client_id: "client"
  client_secret: "secret"
  base_url: "https://gitlab.example.org"
  qa_reviewer_group: "team/qa"
  admin_group: "team/admins"
}}

apt_repository {{
  name: "lintian-fixes"
  description: "Builds of lintian fixes"
  base: "unstable"
  select {{
    campaign: "lintian-fixes"
  }}
}}
"#,
        store = env.store().display()
    )
}

#[test]
fn the_dockerfile_command_line_uploads_through_a_janitor_auto_upload_link() {
    let env = TestEnv::new();
    // The Janitor's database (trust authentication: the password is there
    // to be hidden), which dispatched the run.
    let db = TestDb::new();
    db.add_run_in(&env, "run-drop-in", "unstable");
    let link = env.path("janitor-auto-upload");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_auto-upload"), &link).unwrap();
    // janitor.conf in the working directory, as in the Janitor's image.
    fs::write(
        env.path("work/janitor.conf"),
        full_janitor_conf(&env, REDIS, &db.url().replacen('@', ":s3cret@", 1)),
    )
    .unwrap();
    let channel = channel("drop-in");
    let log = env.path("drop-in.log");
    let mut child = env
        .command(&link)
        .env_remove("AUTO_UPLOAD_CONFIG")
        .args(["--port=9933", "--listen-address=0.0.0.0"])
        .env("AUTO_UPLOAD_CHANNEL", &channel)
        .env("AUTO_UPLOAD_NO_LEDGER", "true")
        .env("AUTO_UPLOAD_KEYID", &fixture().fingerprint)
        .env("AUTO_UPLOAD_HOST", HOST)
        .env("AUTO_UPLOAD_DPUT_CONFIG", env.dput_cf())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _kill = KillOnDrop(&mut child);
    wait_until(20, "the drop-in to be ready on 9933", || {
        http_get(9933, "/ready").is_some_and(|(status, _)| status == 200)
    });
    // Nothing built (the Rust runner's null target): ignored.
    publish(
        REDIS,
        &channel,
        rust_runner_message("run-nothing", None).as_bytes(),
    );
    publish(
        REDIS,
        &channel,
        rust_runner_message("run-drop-in", Some("unstable")).as_bytes(),
    );
    wait_until(60, "both uploads", || env.incoming().len() >= 8);
    assert_source_accepted(&env.process_incoming());
    let logs = fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains(&format!(
            "artifacts {} (file janitor.conf)",
            env.store().display()
        )),
        "{logs}"
    );
    assert!(
        logs.contains("redis redis://127.0.0.1:6379 (file janitor.conf)"),
        "{logs}"
    );
    assert!(!logs.contains("s3cret"), "{logs}");
}

#[test]
fn the_drop_in_takes_the_environment_where_the_python_flags_leave_defaults() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-env-drop-in", "unstable");
    let link = env.path("janitor-auto-upload");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_auto-upload"), &link).unwrap();
    let conf = env.path("elsewhere.conf");
    fs::write(
        &conf,
        full_janitor_conf(&env, REDIS, &db.url().replacen('@', ":s3cret@", 1)),
    )
    .unwrap();
    let channel = channel("env-drop-in");
    let port = free_port();
    // No flag at all: AUTO_UPLOAD_PORT over 9933, and the variables the
    // Janitor's Rust auto-upload reads for the configuration, the dput
    // host and the key.
    let mut child = env
        .command(&link)
        .env("AUTO_UPLOAD_PORT", port.to_string())
        .env_remove("AUTO_UPLOAD_CONFIG")
        .env("JANITOR_CONFIG", &conf)
        .env("DPUT_HOST", HOST)
        .env("DEBSIGN_KEYID", &fixture().fingerprint)
        .env("AUTO_UPLOAD_CHANNEL", &channel)
        .env("AUTO_UPLOAD_NO_LEDGER", "true")
        .env("AUTO_UPLOAD_DPUT_CONFIG", env.dput_cf())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _kill = KillOnDrop(&mut child);
    wait_until(20, "the drop-in to be ready on AUTO_UPLOAD_PORT", || {
        http_get(port, "/ready").is_some_and(|(status, _)| status == 200)
    });
    publish(
        REDIS,
        &channel,
        rust_runner_message("run-env-drop-in", Some("unstable")).as_bytes(),
    );
    wait_until(60, "the upload", || env.incoming().len() >= 8);
    assert_source_accepted(&env.process_incoming());
}

/// Kills a child process when the test ends, however it ends.
struct KillOnDrop<'a>(&'a mut std::process::Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_drop_in_without_janitor_conf_exits_2() {
    let env = TestEnv::new();
    let link = env.path("janitor-auto-upload");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_auto-upload"), &link).unwrap();
    let output = env
        .command(&link)
        .env_remove("AUTO_UPLOAD_CONFIG")
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "janitor.conf does not exist");
    // Python's flags only: ours are refused under that name.
    let output = env.command(&link).arg("--jobs=3").output().unwrap();
    assert_exit(&output, 2);
}

#[test]
fn every_field_of_the_example_configuration_is_accepted_and_locations_are_logged() {
    let env = TestEnv::new();
    // The database the environment names is read (the run's record): a
    // real one, with a password that must never be printed.
    let db = TestDb::new();
    env.add_run("run-full-conf");
    let conf = env.path("janitor.conf");
    fs::write(
        &conf,
        full_janitor_conf(
            &env,
            REDIS,
            "postgresql://janitor:s3cret@127.0.0.1:1/janitor",
        ),
    )
    .unwrap();
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .args(["-v", "upload-run", "run-full-conf", "--dry-run"])
        .args(DISPATCH)
        .env(
            "AUTO_UPLOAD_DATABASE",
            db.url().replacen("@", ":hidden@", 1),
        )
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let logs = stderr(&output);
    assert!(logs.contains("from=file "), "{logs}");
    assert!(
        logs.contains("from=environment AUTO_UPLOAD_DATABASE"),
        "{logs}"
    );
    assert!(
        !logs.contains("hidden") && !logs.contains("s3cret"),
        "{logs}"
    );
}

#[test]
fn configuration_errors_name_file_line_column_and_field() {
    let env = TestEnv::new();
    let cases = [
        // A misspelt field no longer falls back to a default.
        (
            "artifact_location: \"/srv\"\nredis_locaton: \"redis://prod\"\n",
            ":2:1: redis_locaton:",
        ),
        ("artifact_location: 42\n", ":1:20: artifact_location:"),
        (
            "artifact_location: \"/a\"\nartifact_location: \"/b\"\n",
            ":2:20: artifact_location:",
        ),
        (
            "bugtracker {\n  kind: gitlabb\n}\n",
            ":2:9: bugtracker.kind:",
        ),
        (
            "campaign {\n  debian_build {\n    archive_description: \"x\"\n  }\n}\n",
            ":3:5: campaign.debian_build.archive_description:",
        ),
    ];
    for (text, expected) in cases {
        let conf = env.path("bad.conf");
        fs::write(&conf, text).unwrap();
        let output = env
            .cmd()
            .arg("--config")
            .arg(&conf)
            .args(["upload-run", "r1", "--dry-run"])
            .args(DISPATCH)
            .output()
            .unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, &format!("{}{expected}", conf.display()));
    }
}

#[test]
fn a_deployment_schema_replaces_the_built_in_one() {
    let env = TestEnv::new();
    env.add_run("run-schema");
    let conf = env.path("janitor.conf");
    fs::write(
        &conf,
        format!(
            "artifact_location: \"{}\"\nnew_location: \"x\"\n\
             campaign {{ name: \"unstable\" debian_build {{ }} }}\n",
            env.store().display()
        ),
    )
    .unwrap();
    let dry = [
        "upload-run",
        "run-schema",
        "--dry-run",
        "--codebase",
        SOURCE,
        "--campaign",
        "unstable",
    ];
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "new_location");

    let schema = env.path("config.proto");
    fs::write(
        &schema,
        "syntax = \"proto2\";\npackage janitor;\nmessage Config {\n  \
         optional string artifact_location = 10;\n  optional string new_location = 99;\n  \
         repeated Campaign campaign = 4;\n}\n\
         message Campaign {\n  optional string name = 1;\n  optional DebianBuild debian_build = 3;\n}\n\
         message DebianBuild {\n  optional string build_distribution = 6;\n}\n",
    )
    .unwrap();
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .arg("--config-schema")
        .arg(&schema)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .env("AUTO_UPLOAD_CONFIG_SCHEMA", &schema)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 0);

    fs::write(&schema, "syntax = \"proto2\";\nmessage {\n").unwrap();
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .arg("--config-schema")
        .arg(&schema)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "config.proto");
}

#[test]
fn without_a_ledger_listen_never_catches_up_and_backfill_at_start_needs_force() {
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_built_run(&env, "run-once", "once");
    let dput = env.logging_tool("dput-once", "exit 0");
    let output = env
        .cmd()
        .args(["listen", "--artifacts"])
        .arg(env.store())
        .args(["--database", &db.url(), "--no-ledger", "--backfill"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "--force");

    let redis = OwnRedis::start();
    let channel = channel("no-ledger");
    let listen = Listen::start_with(
        &env,
        &redis.url(),
        &channel,
        &["--database", &db.url(), "--no-ledger"],
        |c| {
            c.env("AUTO_UPLOAD_DPUT", &dput);
        },
    );
    publish(
        &redis.url(),
        &channel,
        runner_message("run-once", "unstable", "unstable").as_bytes(),
    );
    wait_until(30, "the upload", || env.calls("dput-once").len() == 2);
    let mut redis = redis;
    for _ in 0..2 {
        let port = redis.stop();
        wait_until(20, "/ready to turn 503", || {
            listen.status("/ready") == Some(503)
        });
        redis = OwnRedis::start_on(port);
        wait_until(30, "listen to subscribe again", || {
            listen.status("/ready") == Some(200)
        });
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(env.calls("dput-once").len(), 2, "an upload was repeated");
    assert!(!listen.logs().contains("catch"), "{}", listen.logs());
}

/// A login role of the test's own, dropped when the test ends (after the
/// databases that grant it anything: declare it first).
struct Role(String);

impl Role {
    fn read_only(db: &TestDb) -> Self {
        let name = format!("au_ro_{}", std::process::id());
        psql(
            "postgres",
            &format!("DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN"),
        );
        db.sql(&format!(
            "GRANT USAGE ON SCHEMA public TO {name};
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name};"
        ));
        Self(name)
    }

    /// A role set up by README's own SQL ("Deploy it", step 3), run
    /// verbatim but for the role's name, the database's and the password.
    fn as_readme_says(db: &TestDb) -> Self {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let sql = readme
            .split("```sql")
            .skip(1)
            .filter_map(|block| block.split_once("```").map(|(sql, _)| sql))
            .find(|sql| sql.contains("CREATE ROLE auto_upload"))
            .expect("README has no ```sql block creating the auto_upload role");
        let name = format!("au_readme_{}", std::process::id());
        let sql = sql
            .replace("ROLE auto_upload", &format!("ROLE {name}"))
            .replace("TO auto_upload", &format!("TO {name}"))
            .replace(
                "AUTHORIZATION auto_upload",
                &format!("AUTHORIZATION {name}"),
            )
            .replace("DATABASE janitor", &format!("DATABASE {}", db.name))
            .replace("PASSWORD '…'", "PASSWORD 'pw'");
        psql("postgres", &format!("DROP ROLE IF EXISTS {name}"));
        let (cluster, database): (Vec<&str>, Vec<&str>) = sql
            .lines()
            .partition(|l| l.trim_start().starts_with("CREATE ROLE"));
        psql("postgres", &cluster.join("\n"));
        db.sql(&database.join("\n"));
        Self(name)
    }

    fn url(&self, db: &TestDb) -> String {
        let url = db.url();
        let database = url
            .split_once("@localhost/")
            .and_then(|(_, rest)| rest.split_once('?'))
            .map(|(database, _)| database.to_owned())
            .unwrap();
        format!(
            "postgres://{}@localhost/{database}?host={}",
            self.0,
            pg_host()
        )
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", &pg_host(), "-U", &pg_user(), "-d", "postgres", "-c"])
            .arg(format!("DROP ROLE IF EXISTS {}", self.0))
            .output();
    }
}

#[test]
fn a_read_only_role_is_told_the_ways_out_and_the_ledger_can_live_elsewhere() {
    let role;
    let db = TestDb::new();
    let elsewhere = TestDb::new();
    role = Role::read_only(&db);
    let env = TestEnv::new();
    db.add_built_run(&env, "run-ro", "readonly");
    let dput = env.logging_tool("dput-ro", "exit 0");
    let backfill = |extra: &[&str]| {
        env.cmd()
            .args([
                "backfill",
                "-v",
                "--database",
                &role.url(&db),
                "--artifacts",
            ])
            .arg(env.store())
            .args(env.signing_args())
            .args(extra)
            .env("AUTO_UPLOAD_DPUT", &dput)
            .output()
            .unwrap()
    };
    // A missing privilege is a configuration error: exit 2 (under systemd,
    // RestartPreventExitStatus=2: no restart loop).
    let output = backfill(&[]);
    assert_exit(&output, 2);
    for needle in [
        "permission denied",
        "CREATE",
        "--ledger-database",
        "--no-ledger",
    ] {
        assert_stderr_contains(&output, needle);
    }
    assert!(env.calls("dput-ro").is_empty(), "uploaded before failing");
    // listen says the same at start, before any upload.
    let output = env
        .cmd()
        .args(["listen", "--artifacts"])
        .arg(env.store())
        .args(["--database", &role.url(&db), "--redis", REDIS])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "--ledger-database");

    // The ledger in a database of its own: uploaded once, then nothing due.
    let output = backfill(&["--ledger-database", &elsewhere.url()]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-ro").len(), 2);
    assert_eq!(
        elsewhere
            .sql("SELECT count(*) FROM auto_upload.upload WHERE state = 'uploaded'")
            .trim(),
        "2"
    );
    let output = backfill(&["--ledger-database", &elsewhere.url()]);
    assert_exit(&output, 0);
    assert_eq!(env.calls("dput-ro").len(), 2);
}

#[test]
fn a_slow_successful_backfill_prints_nothing() {
    let env = TestEnv::new();
    let db = TestDb::new();
    env.add_run("run-slow");
    db.add_build("run-slow", "unstable", SOURCE, VERSION);
    let dput = env.logging_tool("dput-slow", "sleep 1.5; exec dput \"$@\"");
    let output = env
        .backfill(&db.url())
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
    assert_eq!(stdout(&output), "");
    assert_eq!(env.calls("dput-slow").len(), 2);
    assert_source_accepted(&env.process_incoming());
}

#[test]
fn the_source_changes_is_uploaded_first() {
    let env = TestEnv::new();
    env.add_run("run-order");
    let dput = env.logging_tool("dput-order", "exec dput \"$@\"");
    let output = env
        .upload_run("run-order")
        .env("AUTO_UPLOAD_DPUT", &dput)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let calls = env.calls("dput-order");
    assert_eq!(calls.len(), 2);
    assert!(calls[0].ends_with(SOURCE_CHANGES), "{calls:?}");
    assert!(calls[1].ends_with(BINARY_CHANGES), "{calls:?}");
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert!(lines[0].contains(SOURCE_CHANGES), "{lines:?}");
}

#[test]
fn readmes_own_database_set_up_works_as_written() {
    let role;
    let env = TestEnv::new();
    let db = TestDb::new();
    db.add_run_in(&env, "run-readme-role", "unstable");
    role = Role::as_readme_says(&db);
    let output = env
        .cmd()
        .args([
            "backfill",
            "-v",
            "--database",
            &role.url(&db),
            "--artifacts",
        ])
        .arg(env.store())
        .args(env.signing_args())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stderr_contains(&output, "uploaded 1,");
    // A role without a grant it needs is a configuration error: exit 2.
    db.sql(&format!(
        "REVOKE SELECT ON run, debian_build FROM {}",
        role.0
    ));
    let output = env
        .cmd()
        .args([
            "upload-run",
            "run-readme-role",
            "--database",
            &role.url(&db),
            "--artifacts",
        ])
        .arg(env.store())
        .args(env.signing_args())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "permission denied for table run");
}
