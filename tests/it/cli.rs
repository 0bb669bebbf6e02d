//! Command-line behaviour shared by every subcommand: usage errors, refused
//! values, the exit-code table in --help.

use crate::support::*;

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for args in [
        &["no-such-subcommand"][..],
        &["upload-run"],
        &["find-changes", "d", "--json", "-0"],
        &["sign", "--keyid=-Kevil", "x.changes"],
        &["dput", "--host", "-f", "x.changes"],
        &["fetch-artifacts", "../x", "--artifacts", "/tmp"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_exit(&output, 2);
    }
}

#[test]
fn listen_refuses_bad_settings_before_starting() {
    let env = TestEnv::new();
    for args in [
        &["listen"][..],
        &["listen", "--artifacts", "/srv", "--jobs", "0"],
        &[
            "listen",
            "--artifacts",
            "/srv",
            "--redis",
            "http://localhost",
        ],
        &[
            "listen",
            "--artifacts",
            "/srv",
            "--shutdown-timeout",
            "later",
        ],
        &["listen", "--artifacts", "/srv", "--dput-host", "-x"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_exit(&output, 2);
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
