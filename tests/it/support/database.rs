//! A fresh PostgreSQL database per test, with the debversion extension and
//! the Janitor's `debian_build` table (without its `run` foreign key).
//! Connects over the Unix socket as the current user (PGHOST and PGUSER
//! override), the way `.ci/setup` prepares the server.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::env::{run, TestEnv};

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

/// Runs SQL in `db` with psql, stopping at the first error; returns stdout.
pub fn psql(db: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
        .args(["-h", &pg_host(), "-U", &pg_user(), "-d", db, "-c", sql])
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
        psql(
            &name,
            "CREATE EXTENSION IF NOT EXISTS debversion;
             CREATE TABLE debian_build (
                 run_id text not null,
                 version debversion not null,
                 distribution text not null,
                 source text not null,
                 binary_packages text[],
                 lintian_result json
             );
             CREATE INDEX ON debian_build (distribution, source, version);",
        );
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

    /// Adds a build.
    pub fn add_build(&self, run_id: &str, distribution: &str, source: &str, version: &str) {
        psql(
            &self.name,
            &format!(
                "INSERT INTO debian_build (run_id, version, distribution, source) \
                 VALUES ('{run_id}', '{version}', '{distribution}', '{source}')"
            ),
        );
    }

    /// A run in `env`'s store that `debian_build` lists as the unstable
    /// build 1.0-1 of `source`.
    pub fn add_built_run(&self, env: &TestEnv, run_id: &str, source: &str) {
        env.add_run(run_id);
        self.add_build(run_id, "unstable", source, "1.0-1");
    }

    /// Runs SQL in this database.
    pub fn sql(&self, sql: &str) -> String {
        psql(&self.name, sql)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-h",
                &pg_host(),
                "-U",
                &pg_user(),
                "-d",
                "postgres",
                "-c",
            ])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}
