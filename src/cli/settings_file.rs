//! The service's settings for every command an operator runs: the
//! `AUTO_UPLOAD_*` lines of an environment file (systemd's
//! `EnvironmentFile=` syntax; `/etc/default/auto-upload` unless
//! `--settings FILE` or `AUTO_UPLOAD_SETTINGS` names another) become
//! variables before the command line is read, so that `auto-upload ledger
//! list` or `check-config` run by hand use what the units use. A variable
//! already set wins, and flags win over both: flag > environment > settings
//! file > `--config` > built-in default.

use std::ffi::OsString;
use std::path::PathBuf;

/// The settings file the packaged units read.
pub const DEFAULT_SETTINGS: &str = "/etc/default/auto-upload";

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
    let (path, required) = named(args, std::env::var_os("AUTO_UPLOAD_SETTINGS"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if !required => return Ok(()),
        Err(source) => return Err(SettingsFileError { path, source }),
    };
    for (key, value) in assignments(&text) {
        if std::env::var_os(&key).is_none() {
            std::env::set_var(key, value);
        }
    }
    Ok(())
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
