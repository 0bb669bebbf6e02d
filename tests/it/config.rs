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
    // and the file alone, pointing at the wrong store, really is used
    let output = env
        .cmd()
        .arg("--config")
        .arg(&conf)
        .args(dry)
        .output()
        .unwrap();
    assert_exit(&output, 3);
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
