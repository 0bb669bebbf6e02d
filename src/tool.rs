//! Running debsign and dput: no shell, stdin from /dev/null so they never
//! wait on a prompt, stdout and stderr captured so ours stays clean, and the
//! child killed if the caller gives up (Ctrl-C, shutdown timeout).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// How many of a tool's last output lines an error carries.
const TAIL_LINES: usize = 12;

/// A run of an external tool that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The program could not be started.
    #[error("cannot run {program}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The program ran and failed.
    #[error("{program} exited with {status}{}", tail_suffix(.tail))]
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The last lines it printed (stderr, or stdout when stderr was empty).
        tail: String,
    },
}

fn tail_suffix(tail: &str) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        format!(": {tail}")
    }
}

/// An external program, by name (looked up in PATH) or by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    program: PathBuf,
}

impl Tool {
    /// The program `program`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }

    /// Runs the program with `args` in `dir`.
    ///
    /// # Errors
    /// [`ToolError::Spawn`] when it cannot start, [`ToolError::Failed`] when
    /// it exits unsuccessfully.
    pub async fn run(&self, args: &[OsString], dir: &Path) -> Result<(), ToolError> {
        let program = self.program.display().to_string();
        tracing::debug!(%program, ?args, dir = %dir.display(), "running");
        let output = tokio::process::Command::new(&self.program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|source| ToolError::Spawn {
                program: program.clone(),
                source,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        tracing::debug!(%program, status = %output.status, %stdout, %stderr, "finished");
        if output.status.success() {
            return Ok(());
        }
        let source = if stderr.trim().is_empty() {
            &stdout
        } else {
            &stderr
        };
        Err(ToolError::Failed {
            program,
            status: output.status,
            tail: tail(source, TAIL_LINES),
        })
    }
}

/// The last `n` non-empty lines of `text`, joined with " | ".
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(tail("", 3), "");
    }

    #[tokio::test]
    async fn failure_carries_status_and_output() {
        let tool = Tool::new("sh");
        let args: Vec<OsString> = ["-c", "echo out; echo err >&2; read x; exit 3"]
            .iter()
            .map(OsString::from)
            .collect();
        let err = tool.run(&args, Path::new("/")).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("exit status: 3"), "{message}");
        assert!(message.ends_with(": err"), "{message}");
    }

    #[tokio::test]
    async fn missing_program() {
        let err = Tool::new("/nonexistent/debsign")
            .run(&[], Path::new("/"))
            .await
            .unwrap_err();
        assert!(matches!(err, ToolError::Spawn { .. }), "{err}");
    }
}
