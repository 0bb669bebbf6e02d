//! `--config` (a janitor.conf) and the precedence flag > environment > file.

use std::fs;

use crate::support::*;

fn janitor_conf(env: &TestEnv, artifact_location: &str) -> std::path::PathBuf {
    let path = env.path("janitor.conf");
    fs::write(
        &path,
        format!(
            r#"# A valid Janitor configuration, with much that auto-upload ignores.
logs_location: "/srv/logs"
artifact_location: "{artifact_location}"
redis_location: "redis://127.0.0.1:6379"
committer: "Janitor <janitor@example.com>"
distribution {{
  name: "unstable"
  archive_mirror_uri: "http://deb.debian.org/debian"
  component: "main"
  lintian_suppress_tag: "bad-distribution-in-changes-file"
}}
campaign {{
  name: "lintian-fixes"
  debian_build {{
    build_distribution: "lintian-fixes"
    build_suffix: "jan+lint"
  }}
  bugtracker {{ kind: debian url: "https://bugs.debian.org" }}
}}
campaign {{ name: "unstable" debian_build {{ }} }}
"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn artifact_location_from_the_config_file() {
    let env = TestEnv::new();
    env.add_run("run-conf");
    let conf = janitor_conf(&env, &env.store().display().to_string());
    let output = env
        .cmd()
        .args(["--config"])
        .arg(&conf)
        .args(["upload-run", "run-conf", "--dry-run", "--source-only"])
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload");

    // The same through AUTO_UPLOAD_CONFIG.
    let output = env
        .cmd()
        .env("AUTO_UPLOAD_CONFIG", &conf)
        .args(["upload-run", "run-conf", "--dry-run"])
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 0);
}

#[test]
fn flag_beats_environment_beats_file() {
    let env = TestEnv::new();
    env.add_run("run-prec");
    let good = env.store().display().to_string();
    let bad = env.path("empty-store").display().to_string();
    let conf = janitor_conf(&env, &bad);
    let dry = [
        "upload-run",
        "run-prec",
        "--dry-run",
        "--codebase",
        SOURCE,
        "--campaign",
        "unstable",
    ];

    // env over file
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .env("AUTO_UPLOAD_ARTIFACTS", &good)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    // flag over env
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .env("AUTO_UPLOAD_ARTIFACTS", &bad)
        .args(dry)
        .args(["--artifacts", &good])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "would-upload\t");
    // and the file alone, pointing at the wrong store, really is used
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 3);
    assert_stderr_contains(&output, "run-prec");
    // a flag beats the environment for the key id too
    let output = env
        .upload_run("run-prec")
        .env("AUTO_UPLOAD_KEYID", "0123456789ABCDEF")
        .output()
        .unwrap();
    assert_exit(&output, 0); // the flag --keyid (from upload_run) wins over the env
}

#[test]
fn unreadable_config_exits_2_naming_the_path() {
    let env = TestEnv::new();
    let missing = env.path("no-such.conf");
    let output = env
        .cmd()
        .arg("--config")
        .arg(&missing)
        .args(["upload-run", "r1"])
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, &missing.display().to_string());

    let broken = env.path("broken.conf");
    fs::write(&broken, "distribution {\n name: \"unstable\"\n").unwrap();
    let output = env
        .cmd()
        .arg("--config")
        .arg(&broken)
        .args(["upload-run", "r1"])
        .args(DISPATCH)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "broken.conf");
}

#[test]
fn host_and_key_from_the_environment() {
    let env = TestEnv::new();
    env.add_run("run-envs");
    let output = env
        .cmd()
        .args(["upload-run", "run-envs", "--source-only", "--artifacts"])
        .arg(env.store())
        .args(DISPATCH)
        .env("AUTO_UPLOAD_KEYID", &fixture().fingerprint)
        .env("AUTO_UPLOAD_HOST", HOST)
        .env("AUTO_UPLOAD_DPUT_CONFIG", env.dput_cf())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(env.incoming().contains(&SOURCE_CHANGES.to_owned()));
}

#[test]
fn check_config_is_green_when_everything_works_and_names_each_broken_item() {
    let env = TestEnv::new();
    let db = crate::support::database::TestDb::new();
    let output = check_config_with(&env, &db, "", &["--host", HOST]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    for item in [
        "signing key",
        "dput hosts",
        "artifact store",
        "database",
        "redis",
        "archive",
    ] {
        assert!(out.contains(&format!("ok\t{item}\t")), "{item}: {out}");
    }
    assert!(!out.contains("FAIL"), "{out}");
    // The timers' file of figures: only said when given.
    assert!(!out.contains("metrics file"), "{out}");
    let writable = env.path("figures.prom").display().to_string();
    let output = check_config_with(
        &env,
        &db,
        "",
        &["--host", HOST, "--metrics-file", &writable],
    );
    assert_exit(&output, 0);
    assert_stdout_contains(&output, "ok\tmetrics file\t");

    let broken: [(&str, Vec<String>, &str); 6] = [
        (
            "dput hosts",
            vec!["--host".into(), "no-such-host".into()],
            "no-such-host",
        ),
        (
            "signing key",
            vec![
                "--host".into(),
                HOST.into(),
                "--keyid".into(),
                "0123456789ABCDEF0123456789ABCDEF01234567".into(),
            ],
            "gpg cannot sign",
        ),
        (
            "artifact store",
            vec![
                "--host".into(),
                HOST.into(),
                "--artifacts".into(),
                env.path("no-store").display().to_string(),
            ],
            "no-store",
        ),
        (
            "database",
            vec![
                "--host".into(),
                HOST.into(),
                "--database".into(),
                db.url().replace(&db.name, "au_no_such_database"),
            ],
            "does not exist",
        ),
        (
            "redis",
            vec![
                "--host".into(),
                HOST.into(),
                "--redis".into(),
                format!("redis://127.0.0.1:{}", free_port()),
            ],
            "cannot connect",
        ),
        (
            "metrics file",
            vec![
                "--host".into(),
                HOST.into(),
                "--metrics-file".into(),
                env.path("no-such-dir/figures.prom").display().to_string(),
            ],
            "cannot write in",
        ),
    ];
    for (item, args, detail) in broken {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = check_config_with(&env, &db, item, &args);
        assert_exit(&output, 2);
        let out = stdout(&output);
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("FAIL\t{item}\t")))
            .unwrap_or_else(|| panic!("{item} not failed: {out}"));
        assert!(line.contains(detail), "{item}: {line}");
    }

    // A dput.cf that does not exist.
    let output = env
        .cmd()
        .args([
            "check-config",
            "--redis",
            crate::support::service::REDIS,
            "--artifacts",
        ])
        .arg(env.store())
        .args([
            "--keyid",
            &fixture().fingerprint,
            "--host",
            HOST,
            "--dput-config",
        ])
        .arg(env.path("no-dput.cf"))
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stdout_contains(
        &output,
        "FAIL\tdput hosts\tdput cannot read its configuration",
    );

    // listen --check refuses to start with one of them broken.
    let output = env
        .cmd()
        .args([
            "listen",
            "--check",
            "--redis",
            crate::support::service::REDIS,
            "--artifacts",
        ])
        .arg(env.store())
        .args([
            "--keyid",
            &fixture().fingerprint,
            "--host",
            "no-such-host",
            "--dput-config",
        ])
        .arg(env.dput_cf())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "the configuration cannot upload: dput hosts");

    // A Redis that does not answer (yet) may come back: exit 1, which
    // systemd restarts, rather than 2, which it leaves failed.
    let output = env
        .cmd()
        .args(["listen", "--check", "--redis"])
        .arg(format!("redis://127.0.0.1:{}", free_port()))
        .arg("--artifacts")
        .arg(env.store())
        .args(["--keyid", &fixture().fingerprint, "--host", HOST])
        .arg("--dput-config")
        .arg(env.dput_cf())
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert_stderr_contains(
        &output,
        "the configuration cannot upload: redis: cannot connect",
    );

    // backfill --check likewise, before it plans anything; no Redis item.
    let output = env
        .cmd()
        .args([
            "backfill",
            "--check",
            "--database",
            &db.url(),
            "--artifacts",
        ])
        .arg(env.store())
        .args(["--keyid", &fixture().fingerprint, "--host", "no-such-host"])
        .arg("--dput-config")
        .arg(env.dput_cf())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_stderr_contains(&output, "the configuration cannot upload: dput hosts");
    assert!(!stderr(&output).contains("redis"), "{}", stderr(&output));
}

/// `check-config` with this env's key, dput.cf, store, `db` and Redis,
/// less the option that `item` breaks (none for `""`), and `args`.
fn check_config_with(
    env: &TestEnv,
    db: &crate::support::database::TestDb,
    item: &str,
    args: &[&str],
) -> std::process::Output {
    let url = db.url();
    let store = env.store().display().to_string();
    let cf = env.dput_cf().display().to_string();
    let fingerprint = fixture().fingerprint.clone();
    let mut base: Vec<&str> = vec!["check-config"];
    if item != "redis" {
        base.extend(["--redis", crate::support::service::REDIS]);
    }
    if item != "artifact store" {
        base.extend(["--artifacts", &store]);
    }
    if item != "signing key" {
        base.extend(["--keyid", &fingerprint]);
    }
    if item != "database" {
        base.extend(["--database", &url]);
    }
    base.extend(["--dput-config", &cf]);
    env.cmd().args(base).args(args).output().unwrap()
}
