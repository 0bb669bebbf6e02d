//! The service's settings for every command an operator runs: the
//! `AUTO_UPLOAD_*` lines of an environment file (systemd's
//! `EnvironmentFile=` syntax; `/etc/auto-upload/auto-upload.conf` unless
//! `--settings FILE` or `AUTO_UPLOAD_SETTINGS` names another) become
//! variables before the command line is read, so that `auto-upload ledger
//! list` or `check-config` run by hand use what the units use. A variable
//! already set wins, and flags win over both: flag > environment >
//! credential > settings file > `--config` > built-in default.
//!
//! The settings that hold passwords (the database's and Redis' URLs) may
//! come from credential files instead: `database`, `ledger-database` and
//! `redis` in `/etc/auto-upload/credentials/`, root's alone, which the
//! units are handed by systemd's `LoadCredential=` (as
//! `$CREDENTIALS_DIRECTORY/auto-upload_database`, …); a command run by
//! hand reads that directory itself (`AUTO_UPLOAD_CREDENTIALS`
//! names another). They never reach the tools' environment
//! ([`crate::chain::tool::SECRET_VARIABLES`]).

use std::ffi::OsString;
use std::path::PathBuf;

/// The settings file the packaged units read: made by the package at its
/// first install from a template, and never shipped, so that an upgrade
/// never asks about it.
pub const DEFAULT_SETTINGS: &str = "/etc/auto-upload/auto-upload.conf";

/// Where a command run by hand finds the credentials the units are given.
pub const DEFAULT_CREDENTIALS: &str = "/etc/auto-upload/credentials";

/// The credentials read, and the variable each one sets.
pub const CREDENTIALS: [(&str, &str); 3] = [
    ("database", "AUTO_UPLOAD_DATABASE"),
    ("ledger-database", "AUTO_UPLOAD_LEDGER_DATABASE"),
    ("redis", "AUTO_UPLOAD_REDIS"),
];

/// The settings file named cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the settings file {path}")]
pub struct SettingsFileError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

impl crate::exit_codes::HasExitCode for SettingsFileError {
    fn exit_code(&self) -> crate::exit_codes::ExitCode {
        crate::exit_codes::ExitCode::Usage
    }
}

/// Which file: `--settings FILE` (or `--settings=FILE`) on the command
/// line, else `AUTO_UPLOAD_SETTINGS`, each required to be readable; else
/// [`DEFAULT_SETTINGS`] when it can be read.
fn named(args: &[OsString], environment: Option<OsString>) -> (PathBuf, bool) {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg == "--settings" {
            if let Some(path) = args.next() {
                return (PathBuf::from(path), true);
            }
        }
        if let Some(path) = arg.strip_prefix("--settings=") {
            return (PathBuf::from(path), true);
        }
    }
    match environment {
        Some(path) if !path.is_empty() => (PathBuf::from(path), true),
        _ => (PathBuf::from(DEFAULT_SETTINGS), false),
    }
}

/// The `AUTO_UPLOAD_*` assignments of an environment file: `KEY=VALUE`
/// lines, `#` or `;` comments, a value in single or double quotes taken
/// without them. Other lines and other names are left out.
pub fn assignments(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.starts_with(';'))
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| {
            key.strip_prefix("AUTO_UPLOAD_").is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            })
        })
        .map(|(key, value)| {
            let value = value.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
                .unwrap_or(value);
            (key.to_owned(), unquoted.to_owned())
        })
        .collect()
}

/// Reads the settings file for `args` (the process's arguments) and sets
/// each of its variables that the environment does not have yet.
///
/// Call it before any thread starts: it changes the process environment.
///
/// # Errors
/// A file named by `--settings` or `AUTO_UPLOAD_SETTINGS` that cannot be
/// read (the default one is skipped when absent or unreadable).
pub fn load(args: &[OsString]) -> Result<(), SettingsFileError> {
    let mut filled = Vec::new();
    let loaded = fill(args, &mut filled);
    let _ = FILLED.set(filled);
    loaded
}

/// The variables [`load`] set, each with where its value came from.
static FILLED: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// Where the value of `variable` came from when [`load`] set it (a
/// credential or the settings file), for the log's "from".
pub fn filled_from(variable: &str) -> Option<&'static str> {
    FILLED
        .get()?
        .iter()
        .find(|(key, _)| key == variable)
        .map(|(_, from)| from.as_str())
}

fn fill(args: &[OsString], filled: &mut Vec<(String, String)>) -> Result<(), SettingsFileError> {
    let credentials = std::env::var_os("CREDENTIALS_DIRECTORY")
        .or_else(|| std::env::var_os("AUTO_UPLOAD_CREDENTIALS"))
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_CREDENTIALS), PathBuf::from);
    for (name, key) in CREDENTIALS {
        if std::env::var_os(key).is_none() {
            // The units load the directory whole (LoadCredential=
            // auto-upload:DIR), which names each file auto-upload_NAME.
            let found = [format!("auto-upload_{name}"), name.to_owned()]
                .into_iter()
                .map(|file| credentials.join(file))
                .find_map(|path| credential(&path).map(|value| (path, value)));
            if let Some((path, value)) = found {
                std::env::set_var(key, value);
                filled.push((key.to_owned(), format!("credential {}", path.display())));
            }
        }
    }
    let (path, required) = named(args, std::env::var_os("AUTO_UPLOAD_SETTINGS"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if !required => return Ok(()),
        Err(source) => return Err(SettingsFileError { path, source }),
    };
    // As systemd reads an EnvironmentFile=: a later line beats an earlier.
    let mut settings = std::collections::BTreeMap::new();
    for (key, value) in assignments(&text) {
        settings.insert(key, value);
    }
    for (key, value) in settings {
        if std::env::var_os(&key).is_none() {
            std::env::set_var(&key, value);
            filled.push((key, format!("settings file {}", path.display())));
        }
    }
    Ok(())
}

/// A credential's value: the file's text without its final line break;
/// none when it is absent, unreadable or blank.
fn credential(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = text.trim_end_matches(['\n', '\r']);
    (!value.trim().is_empty()).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_auto_upload_assignments_are_read_unquoted() {
        let text = "# a comment\n; another\nAUTO_UPLOAD_HOST=janitor\n\
                    AUTO_UPLOAD_DATABASE=\"postgresql://u:p@db/j\"\n\
                    AUTO_UPLOAD_KEYID='ABCD'\nPATH=/evil\nAUTO_UPLOAD_=x\n\
                    #AUTO_UPLOAD_REDIS=redis://x\nnot an assignment\n  AUTO_UPLOAD_JOBS = 4\n";
        assert_eq!(
            assignments(text),
            vec![
                ("AUTO_UPLOAD_HOST".into(), "janitor".into()),
                (
                    "AUTO_UPLOAD_DATABASE".into(),
                    "postgresql://u:p@db/j".into()
                ),
                ("AUTO_UPLOAD_KEYID".into(), "ABCD".into()),
            ]
        );
    }

    #[test]
    fn no_credential_reaches_the_tools() {
        for (_, key) in CREDENTIALS {
            assert!(crate::chain::tool::SECRET_VARIABLES.contains(&key), "{key}");
        }
    }

    #[test]
    fn a_credential_is_its_text_without_the_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("database");
        std::fs::write(&path, "postgresql://au:pw@db/janitor\n").unwrap();
        assert_eq!(
            credential(&path).as_deref(),
            Some("postgresql://au:pw@db/janitor")
        );
        std::fs::write(&path, " \n").unwrap();
        assert_eq!(credential(&path), None);
        assert_eq!(credential(&dir.path().join("redis")), None);
    }

    #[test]
    fn the_command_line_names_the_file_before_the_environment() {
        let args = |a: &[&str]| -> Vec<OsString> { a.iter().map(OsString::from).collect() };
        assert_eq!(
            named(
                &args(&["au", "--settings", "/x", "ledger"]),
                Some("/y".into())
            ),
            (PathBuf::from("/x"), true)
        );
        assert_eq!(
            named(&args(&["au", "--settings=/x"]), None),
            (PathBuf::from("/x"), true)
        );
        assert_eq!(
            named(&args(&["au", "ledger"]), Some("/y".into())),
            (PathBuf::from("/y"), true)
        );
        assert_eq!(
            named(&args(&["au", "--", "--settings", "/x"]), None),
            (PathBuf::from(DEFAULT_SETTINGS), false)
        );
    }
}
