//! Command-line behaviour shared by every subcommand: usage errors, refused
//! values, the exit-code table in --help.

use crate::support::*;

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for (args, says) in [
        (&["no-such-subcommand"][..], "unrecognized subcommand"),
        (&["upload-run"], "required arguments"),
        (
            &["find-changes", "d", "--json", "-0"],
            "cannot be used with",
        ),
        (
            &["sign", "--keyid=-Kevil", "x.changes"],
            "not a valid key id",
        ),
        (
            &["dput", "--host", "-f", "x.changes"],
            "invalid --host \"-f\"",
        ),
        (
            &["fetch-artifacts", "../x", "--artifacts", "/tmp"],
            "invalid run id",
        ),
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, says);
    }
}

#[test]
fn listen_refuses_bad_settings_before_starting() {
    let env = TestEnv::new();
    for (args, says) in [
        (&["listen"][..], "no artifact location"),
        (&["listen", "--artifacts", "/srv", "--jobs", "0"], "--jobs"),
        (
            &[
                "listen",
                "--artifacts",
                "/srv",
                "--redis",
                "http://localhost",
            ],
            "Redis URL",
        ),
        (
            &[
                "listen",
                "--artifacts",
                "/srv",
                "--shutdown-timeout",
                "later",
            ],
            "--shutdown-timeout",
        ),
        (
            &["listen", "--artifacts", "/srv", "--dput-host", "-x"],
            "invalid --host \"-x\"",
        ),
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_exit(&output, 2);
        assert_stderr_contains(&output, says);
    }
}

#[test]
fn help_shows_the_exit_codes() {
    let env = TestEnv::new();
    let output = env.cmd().args(["upload-run", "--help"]).output().unwrap();
    assert_exit(&output, 0);
    let help = stdout(&output);
    for needle in [
        "Exit codes",
        "5    verification failed",
        "7    upload failed",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn every_man_page_renders_without_warnings_and_names_only_pages_that_exist() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/man"));
    let pages: Vec<String> = list_dir(dir);
    assert!(pages.len() > 10, "{pages:?}");
    for page in &pages {
        let output = std::process::Command::new("man")
            .args(["--warnings", "-l"])
            .arg(dir.join(page))
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .output()
            .expect("man is needed: run .ci/setup");
        assert!(output.status.success(), "{page}");
        let warnings = stderr(&output);
        assert!(warnings.trim().is_empty(), "{page}: {warnings}");
        let text = stdout(&output);
        assert!(
            !text.contains("\\-") && !text.contains("\\e"),
            "{page}: a literal escape"
        );
        // Every auto-upload page named is one that exists.
        for word in text.split(|c: char| c.is_whitespace() || c == ',') {
            let Some(name) = word.strip_suffix("(1)") else {
                continue;
            };
            if name.starts_with("auto-upload") || name.starts_with("janitor-auto-upload") {
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{page} names {name}(1), which does not exist"
                );
            }
        }
    }
}

#[test]
fn boolean_variables_take_what_systemd_takes() {
    let env = TestEnv::new();
    for (value, ledger) in [
        ("1", false),
        ("yes", false),
        ("on", false),
        ("0", true),
        ("off", true),
    ] {
        let db = crate::support::database::TestDb::new();
        let output = env
            .cmd()
            .args(["backfill", "--database", &db.url(), "--artifacts"])
            .arg(env.store())
            .env("AUTO_UPLOAD_NO_LEDGER", value)
            .output()
            .unwrap();
        assert_exit(&output, 0);
        let schema = db.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'auto_upload'");
        assert_eq!(
            schema.trim() == "1",
            ledger,
            "AUTO_UPLOAD_NO_LEDGER={value}"
        );
    }
}
