//! A fresh PostgreSQL database per test, with the debversion extension and
//! the Janitor's `run` and `debian_build` tables (with the foreign key).
//! Connects over the Unix socket as the current user (PGHOST and PGUSER
//! override), the way `.ci/setup` prepares the server.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::env::{package, run, TestEnv, SOURCE, VERSION};

/// The Janitor's tables as auto-upload meets them: `debian_build` with its
/// foreign key to `run`, what `run` itself needs (its codebase and change
/// set), and the reviewers' `review`, in the shapes of the Janitor's
/// `state.sql` and `debian.sql`.
pub const JANITOR_SCHEMA: &str = "
    CREATE EXTENSION IF NOT EXISTS debversion;
    CREATE DOMAIN codebase_name AS TEXT CHECK (value SIMILAR TO '[a-z0-9][a-z0-9+-.]+');
    CREATE DOMAIN suite_name AS TEXT CHECK (value SIMILAR TO '[a-z0-9][a-z0-9+-.]+');
    CREATE DOMAIN campaign_name AS TEXT CHECK (value SIMILAR TO '[a-z0-9][a-z0-9+-.]+');
    CREATE TABLE codebase (
        name codebase_name UNIQUE,
        branch_url text,
        url text,
        branch text,
        subpath text,
        value int,
        inactive boolean NOT NULL DEFAULT false
    );
    CREATE TYPE change_set_state AS ENUM ('created', 'working', 'ready', 'publishing', 'done');
    CREATE TABLE change_set (
        id text NOT NULL PRIMARY KEY,
        campaign campaign_name NOT NULL,
        state change_set_state DEFAULT 'created' NOT NULL
    );
    CREATE TYPE publish_status AS ENUM
        ('unknown', 'blocked', 'needs-manual-review', 'rejected', 'approved', 'ignored');
    CREATE TABLE run (
        id text NOT NULL PRIMARY KEY,
        command text,
        description text,
        start_time timestamp,
        finish_time timestamp,
        duration interval GENERATED ALWAYS AS (finish_time - start_time) STORED,
        result_code text NOT NULL,
        context text,
        main_branch_revision text,
        revision text,
        result json,
        suite suite_name NOT NULL,
        branch_url text,
        logfilenames text[] NOT NULL,
        publish_status publish_status NOT NULL DEFAULT 'unknown',
        value integer,
        worker_link text,
        subpath text,
        failure_stage text,
        failure_details json,
        target_branch_url text,
        failure_transient boolean,
        resume_from text REFERENCES run (id) ON DELETE SET NULL,
        change_set text NOT NULL REFERENCES change_set (id),
        codebase text NOT NULL REFERENCES codebase (name),
        CHECK (finish_time >= start_time)
    );
    CREATE TYPE verdict AS ENUM ('approved', 'rejected', 'abstained');
    CREATE TABLE review (
        run_id text NOT NULL REFERENCES run (id),
        comment text,
        reviewer text,
        verdict verdict NOT NULL,
        reviewed_at timestamp NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX ON review (run_id, reviewer);
    CREATE TABLE debian_build (
        run_id text NOT NULL REFERENCES run (id),
        version debversion NOT NULL,
        distribution text NOT NULL,
        source text NOT NULL,
        binary_packages text[],
        lintian_result json,
        UNIQUE (run_id)
    );
    CREATE INDEX ON debian_build (distribution, source, version);
";

/// A database of the test's own, dropped when the test ends.
pub struct TestDb {
    pub name: String,
}

pub fn pg_host() -> String {
    std::env::var("PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into())
}

pub fn pg_user() -> String {
    std::env::var("PGUSER").unwrap_or_else(|_| {
        let out = run(Command::new("id").arg("-un"));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    })
}

/// `psql` connected to `db` as the tests connect, running `sql`.
fn psql_command(db: &str, sql: &str) -> Command {
    let mut command = Command::new("psql");
    command
        .args(["-X", "-q", "-h", &pg_host(), "-U", &pg_user(), "-d", db])
        .args(["-c", sql]);
    command
}

/// Runs SQL in `db` with psql, stopping at the first error; returns stdout.
pub fn psql(db: &str, sql: &str) -> String {
    let output = psql_command(db, sql)
        .args(["-t", "-A", "-v", "ON_ERROR_STOP=1"])
        .output()
        .expect("psql is not installed: run .ci/setup");
    assert!(
        output.status.success(),
        "psql failed on {sql:?} (is PostgreSQL running? run .ci/setup): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl TestDb {
    /// Creates the database, the extension and the table.
    pub fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "au_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        psql("postgres", &format!("CREATE DATABASE {name}"));
        psql(&name, JANITOR_SCHEMA);
        Self { name }
    }

    /// Its URL, for --database.
    pub fn url(&self) -> String {
        format!(
            "postgres://{}@localhost/{}?host={}",
            pg_user(),
            self.name,
            pg_host()
        )
    }

    /// Adds a build, dispatched as codebase `source` in campaign
    /// `distribution` (a one-letter source gets a codebase of its own: the
    /// Janitor's codebase_name needs two characters).
    pub fn add_build(&self, run_id: &str, distribution: &str, source: &str, version: &str) {
        let codebase = if source.len() < 2 {
            format!("{source}-codebase")
        } else {
            source.to_owned()
        };
        psql(
            &self.name,
            &format!(
                "INSERT INTO codebase (name) VALUES ('{codebase}') ON CONFLICT DO NOTHING;
                 INSERT INTO change_set (id, campaign) VALUES ('{run_id}', '{distribution}');
                 INSERT INTO run (id, command, result_code, suite, logfilenames, change_set,
                                  codebase, start_time, finish_time, description)
                      VALUES ('{run_id}', 'lintian-brush', 'success', '{distribution}',
                              ARRAY['worker.log', 'build.log'], '{run_id}', '{codebase}',
                              now() - interval '5 minutes', now(), 'Built');
                 INSERT INTO debian_build (run_id, version, distribution, source, binary_packages)
                      VALUES ('{run_id}', '{version}', '{distribution}', '{source}',
                              ARRAY['{source}'])"
            ),
        );
    }

    /// A run the runner dispatched as `codebase` in `campaign` (its `run`
    /// row), whose worker stored a build of `source` `version` for
    /// `distribution` (its `debian_build` row, derived from the worker's
    /// files as the runner derives it).
    pub fn add_dispatched(
        &self,
        run_id: &str,
        (codebase, campaign): (&str, &str),
        (source, version, distribution): (&str, &str, &str),
    ) {
        psql(
            &self.name,
            &format!(
                "INSERT INTO codebase (name) VALUES ('{codebase}') ON CONFLICT DO NOTHING;
                 INSERT INTO change_set (id, campaign) VALUES ('{run_id}', '{campaign}');
                 INSERT INTO run (id, command, result_code, suite, logfilenames, change_set,
                                  codebase, start_time, finish_time, description, revision)
                      VALUES ('{run_id}', 'lintian-brush', 'success', '{campaign}',
                              ARRAY['worker.log', 'build.log'], '{run_id}', '{codebase}',
                              now() - interval '5 minutes', now(), 'Built', 'rev-{run_id}');
                 INSERT INTO debian_build (run_id, version, distribution, source, binary_packages)
                      VALUES ('{run_id}', '{version}', '{distribution}', '{source}',
                              ARRAY['{source}'])"
            ),
        );
    }

    /// Sets the reviewers' verdict on a run: its `publish_status`, and a
    /// `review` row by `reviewer` when one is given.
    pub fn review(&self, run_id: &str, status: &str, reviewer: Option<&str>) {
        let mut sql = format!("UPDATE run SET publish_status = '{status}' WHERE id = '{run_id}';");
        if let Some(reviewer) = reviewer {
            let verdict = if status == "approved" {
                "approved"
            } else {
                "rejected"
            };
            sql.push_str(&format!(
                "INSERT INTO review (run_id, reviewer, verdict, comment, reviewed_at)
                      VALUES ('{run_id}', '{reviewer}', '{verdict}', 'not this one',
                              '2026-12-01 10:00:00')"
            ));
        }
        psql(&self.name, &sql);
    }

    /// A run in `env`'s store, a real package of `source` 1.0-1 for
    /// unstable, that `debian_build` lists as such.
    pub fn add_built_run(&self, env: &TestEnv, run_id: &str, source: &str) {
        self.add_package_run(env, run_id, source, "unstable");
    }

    /// A run in `env`'s store, auhello 1.0-1 built for `distribution`,
    /// that `debian_build` lists as such.
    pub fn add_run_in(&self, env: &TestEnv, run_id: &str, distribution: &str) {
        self.add_package_run(env, run_id, SOURCE, distribution);
    }

    /// A run in `env`'s store, `source` 1.0-1 built for `distribution`,
    /// that `debian_build` lists as such.
    pub fn add_package_run(&self, env: &TestEnv, run_id: &str, source: &str, distribution: &str) {
        env.add_run_of(run_id, &package(source, VERSION, distribution));
        self.add_build(run_id, distribution, source, VERSION);
    }

    /// A shell command that makes this database refuse new connections and
    /// end its sessions, then take connections again `seconds` later (in
    /// the background): a database away, for a dput stand-in to run.
    pub fn refusal_script(&self, seconds: u64) -> String {
        let (host, user, name) = (pg_host(), pg_user(), &self.name);
        let psql = format!("psql -X -q -h '{host}' -U '{user}' -d postgres");
        format!(
            "{psql} -c 'ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false' \
               -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'\" >/dev/null\n\
             setsid sh -c \"sleep {seconds}; {psql} -c 'ALTER DATABASE \\\"{name}\\\" ALLOW_CONNECTIONS true'\" </dev/null >/dev/null 2>&1 &"
        )
    }

    /// Waits (at most `seconds`) until the database takes connections
    /// again after a [`TestDb::refusal_script`].
    pub fn wait_for_connections(&self, seconds: u64) {
        super::wait::wait_until(seconds, "the database to take connections again", || {
            psql_command(&self.name, "SELECT 1")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    }

    /// Runs SQL in this database.
    pub fn sql(&self, sql: &str) -> String {
        psql(&self.name, sql)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = psql_command("postgres", &drop).output();
    }
}

/// `auto-upload ledger ARGS` on `db`.
pub fn ledger(env: &TestEnv, db: &TestDb, args: &[&str]) -> std::process::Output {
    env.cmd()
        .arg("ledger")
        .args(args)
        .args(["--database", &db.url()])
        .output()
        .unwrap()
}
