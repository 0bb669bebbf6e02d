//! Running debsign and dput: no shell, stdin from /dev/null so they never
//! wait on a prompt, a deadline, a process group of their own that is
//! killed whole when the deadline passes or the caller gives up (Ctrl-C,
//! shutdown timeout), and only the last 64 KiB of their output kept.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::process::{Pid, Signal};
use tokio::io::{AsyncRead, AsyncReadExt};

/// How many of a tool's last output lines an error carries.
const TAIL_LINES: usize = 12;
/// How many bytes of each output stream are kept: the last ones.
pub const KEEP_BYTES: usize = 64 * 1024;
/// How long a tool's output may stay open after it exited (a child of its
/// own still writing); then the rest of its group is killed.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// The environment variables of the service manager's protocol (systemd's sd_notify), which
/// debsign and dput must not inherit.
pub const SERVICE_MANAGER_VARIABLES: [&str; 3] = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

/// The settings that may hold a password (the database's and Redis' URLs),
/// which debsign, gpg, dput and ssh must not inherit either.
pub const SECRET_VARIABLES: [&str; 3] = [
    "AUTO_UPLOAD_DATABASE",
    "AUTO_UPLOAD_LEDGER_DATABASE",
    "AUTO_UPLOAD_REDIS",
];

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
    /// The file the program was to work on could not be read.
    #[error("cannot read {path}")]
    Input {
        /// The file.
        path: PathBuf,
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
    /// The program ran past its deadline; its whole process group was killed.
    #[error("{program} did not finish within {}; killed{}", humantime::format_duration(*.limit), tail_suffix(.tail))]
    TimedOut {
        /// The program.
        program: String,
        /// The deadline.
        limit: Duration,
        /// The last lines it printed.
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

/// An external program, by name (looked up in PATH) or by path, with the
/// time it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    program: PathBuf,
    limit: Duration,
}

impl Tool {
    /// The program `program`, given at most `limit` per run.
    pub fn new(program: impl Into<PathBuf>, limit: Duration) -> Self {
        Self {
            program: program.into(),
            limit,
        }
    }

    /// Runs the program with `args` in `dir`, in a process group of its
    /// own, killed whole after the deadline or when this future is dropped.
    /// Returns the last [`KEEP_BYTES`] of what it wrote on stdout.
    ///
    /// # Errors
    /// [`ToolError::Spawn`] when it cannot start, [`ToolError::Failed`] when
    /// it exits unsuccessfully, [`ToolError::TimedOut`] past the deadline.
    pub async fn run(&self, args: &[OsString], dir: &Path) -> Result<String, ToolError> {
        let program = self.program.display().to_string();
        tracing::debug!(%program, ?args, dir = %dir.display(), "running");
        let mut command = tokio::process::Command::new(&self.program);
        for variable in SERVICE_MANAGER_VARIABLES
            .into_iter()
            .chain(SECRET_VARIABLES)
        {
            command.env_remove(variable);
        }
        die_with_parent(&mut command);
        let mut child = command
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| ToolError::Spawn {
                program: program.clone(),
                source,
            })?;
        let mut group = GroupGuard(child.id().and_then(|id| Pid::from_raw(id as i32)));
        let mut stdout = Tail::collect(child.stdout.take());
        let mut stderr = Tail::collect(child.stderr.take());
        let status = match wait_within(&mut child, self.limit).await {
            Some(status) => status.map_err(|source| ToolError::Spawn {
                program: program.clone(),
                source,
            })?,
            None => {
                group.kill();
                let _ = child.wait().await;
                let (stdout, stderr) = (stdout.finish().await, stderr.finish().await);
                return Err(ToolError::TimedOut {
                    program,
                    limit: self.limit,
                    tail: tail(pick(&stdout, &stderr), TAIL_LINES),
                });
            }
        };
        // The leader has exited: what is left of its group is strays that
        // still hold the output open; they go after a grace period.
        let (stdout, stderr) = match tokio::time::timeout(
            OUTPUT_GRACE,
            futures::future::join(stdout.wait(), stderr.wait()),
        )
        .await
        {
            Ok(_) => (stdout.finish().await, stderr.finish().await),
            Err(_) => {
                group.kill();
                (stdout.finish().await, stderr.finish().await)
            }
        };
        group.disarm();
        tracing::debug!(%program, %status, %stdout, %stderr, "finished");
        if status.success() {
            return Ok(stdout);
        }
        Err(ToolError::Failed {
            program,
            status,
            tail: tail(pick(&stdout, &stderr), TAIL_LINES),
        })
    }
}

/// How often a running tool's deadline is looked at.
const DEADLINE_TICK: Duration = Duration::from_millis(250);

/// Waits for the child's exit, at most `limit` of the tool's own run time;
/// `None` once that is spent and the child is still running.
///
/// Two rules keep a deadline from hiding an exit that already happened
/// (a tool that finished while this process was stopped, say, by SIGSTOP
/// or a frozen cgroup): the run time counted is the sum of the ticks this
/// process saw, each at most twice [`DEADLINE_TICK`], so time spent stopped
/// is not charged to the tool; and when the deadline passes, the child's
/// exit is collected first (a non-blocking wait): a child that has exited
/// is reported as such, only one still running is given up on (and then
/// killed by the caller).
async fn wait_within(
    child: &mut tokio::process::Child,
    limit: Duration,
) -> Option<std::io::Result<std::process::ExitStatus>> {
    let tick = DEADLINE_TICK.min(limit.max(Duration::from_millis(1)));
    let mut counted = Duration::ZERO;
    let mut last = tokio::time::Instant::now();
    loop {
        tokio::select! {
            biased;
            status = child.wait() => return Some(status),
            () = tokio::time::sleep(tick) => {}
        }
        let now = tokio::time::Instant::now();
        counted += (now - last).min(tick * 2);
        last = now;
        if counted >= limit {
            return match child.try_wait() {
                Ok(Some(status)) => Some(Ok(status)),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            };
        }
    }
}

/// Makes the tool die with this process: `PR_SET_PDEATHSIG` (SIGKILL) set
/// in the child before it runs the program, so that a killed uploader (kill
/// -9, the OOM killer) leaves no debsign, gpgv or dput running to finish an
/// upload nobody will record. (The signal comes when the thread that
/// spawned the tool ends: tools are spawned from the runtime's worker
/// threads, which live as long as the process. The tool's own children
/// are not covered: under systemd the unit's cgroup is; and the ledger's
/// `uploading` state keeps even those from causing a second upload.)
fn die_with_parent(command: &mut tokio::process::Command) {
    let parent = rustix::process::getpid();
    // SAFETY: the closure runs in the forked child before exec and only
    // makes two system calls (prctl, getppid), which are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
            // The parent may have died between fork and prctl.
            if rustix::process::getppid() != Some(parent) {
                return Err(std::io::Error::other("the parent process is gone"));
            }
            Ok(())
        });
    }
}

/// Kills a process group when dropped, unless disarmed.
struct GroupGuard(Option<Pid>);

impl GroupGuard {
    fn kill(&mut self) {
        if let Some(pid) = self.0.take() {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last [`KEEP_BYTES`] of an output stream, read in the background.
struct Tail {
    kept: Arc<Mutex<Vec<u8>>>,
    reader: Option<tokio::task::JoinHandle<()>>,
}

impl Tail {
    fn collect(stream: Option<impl AsyncRead + Unpin + Send + 'static>) -> Self {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let reader = stream.map(|mut stream| {
            let kept = Arc::clone(&kept);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                while let Ok(n @ 1..) = stream.read(&mut buf).await {
                    keep_last(&mut kept.lock().expect("tail poisoned"), &buf[..n]);
                }
            })
        });
        Self { kept, reader }
    }

    /// Waits until the stream is closed.
    async fn wait(&mut self) {
        if let Some(reader) = self.reader.as_mut() {
            let _ = reader.await;
            self.reader = None;
        }
    }

    /// Stops reading (after at most a moment for what is in flight) and
    /// returns what was kept, as text.
    async fn finish(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            reader.abort();
            let _ = reader.await;
        }
        let kept = self.kept.lock().expect("tail poisoned");
        String::from_utf8_lossy(&kept).into_owned()
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        if let Some(reader) = &self.reader {
            reader.abort();
        }
    }
}

/// Appends `chunk` to `kept`, keeping only the last [`KEEP_BYTES`].
fn keep_last(kept: &mut Vec<u8>, chunk: &[u8]) {
    kept.extend_from_slice(chunk);
    if kept.len() > 2 * KEEP_BYTES {
        let excess = kept.len() - KEEP_BYTES;
        kept.drain(..excess);
    }
}

/// stderr, or stdout when stderr said nothing.
fn pick<'a>(stdout: &'a str, stderr: &'a str) -> &'a str {
    if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    }
}

/// The last `n` non-empty lines of the last [`KEEP_BYTES`] of `text`,
/// joined with " | ".
fn tail(text: &str, n: usize) -> String {
    let start = text.len().saturating_sub(KEEP_BYTES);
    let start = (start..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    let lines: Vec<&str> = text[start..]
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !is_noise(l))
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// Lines a tool prints that say nothing of why it failed: gpg's warning
/// that it cannot lock its memory (a service without `CAP_IPC_LOCK`, as
/// systemd's hardened units are, always gets it) and its pointer to the
/// FAQ that follows it.
fn is_noise(line: &str) -> bool {
    line.contains("gpg: WARNING: using insecure memory!")
        || line.contains("gpg: please see https://www.gnupg.org/documentation/faqs.html")
}

/// The directory to run a tool in and the name to give it for `path`:
/// always `./NAME`, so that no file name can read as an option.
pub fn in_dir(path: &Path) -> (PathBuf, OsString) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut name = OsString::from("./");
    name.push(path.file_name().unwrap_or_default());
    (dir, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<OsString> {
        ["-c", script].iter().map(OsString::from).collect()
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(tail("", 3), "");
    }

    #[test]
    fn gpgs_insecure_memory_warning_is_not_a_reason() {
        let stderr = "gpg: WARNING: using insecure memory!\n\
                      gpg: please see https://www.gnupg.org/documentation/faqs.html for more information\n\
                      gpg: signing failed: No secret key\n";
        assert_eq!(tail(stderr, 3), "gpg: signing failed: No secret key");
    }

    #[test]
    fn only_the_last_bytes_are_kept() {
        let mut kept = Vec::new();
        for _ in 0..100 {
            keep_last(&mut kept, &[b'x'; 10_000]);
        }
        keep_last(&mut kept, b"end");
        assert!(kept.len() <= 2 * KEEP_BYTES);
        assert!(kept.ends_with(b"xend"));
    }

    #[tokio::test]
    async fn failure_carries_status_and_output() {
        let tool = Tool::new("sh", Duration::from_secs(10));
        let args = sh("echo out; echo err >&2; read x; exit 3");
        let err = tool.run(&args, Path::new("/")).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("exit status: 3"), "{message}");
        assert!(message.ends_with(": err"), "{message}");
    }

    #[tokio::test]
    async fn missing_program() {
        let err = Tool::new("/nonexistent/debsign", Duration::from_secs(1))
            .run(&[], Path::new("/"))
            .await
            .unwrap_err();
        assert!(matches!(err, ToolError::Spawn { .. }), "{err}");
    }

    #[tokio::test]
    async fn the_deadline_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!(
            "sleep 30 & echo $! > {}; echo started; wait",
            pid_file.display()
        );
        let started = std::time::Instant::now();
        let err = Tool::new("sh", Duration::from_millis(500))
            .run(&sh(&script), Path::new("/"))
            .await
            .unwrap_err();
        assert!(matches!(err, ToolError::TimedOut { .. }), "{err}");
        assert!(err.to_string().contains("started"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        // Gone, or a zombie waiting for a reaper, within a moment.
        let dead = || {
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
                .map_or(true, |s| s.contains(") Z "))
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !dead() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(dead(), "sleep survived");
    }

    #[tokio::test]
    async fn a_stray_holding_the_output_does_not_hold_up_success() {
        let started = std::time::Instant::now();
        Tool::new("sh", Duration::from_secs(20))
            .run(&sh("sleep 30 & exit 0"), Path::new("/"))
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn names_never_read_as_options() {
        assert_eq!(
            in_dir(Path::new("x.changes")),
            (PathBuf::from("."), OsString::from("./x.changes"))
        );
        assert_eq!(
            in_dir(Path::new("/a/b/-kDEADBEEF.changes")),
            (
                PathBuf::from("/a/b"),
                OsString::from("./-kDEADBEEF.changes")
            )
        );
    }
}
