//! The one exit-code table shared by every subcommand. A leaf: every error
//! type says its own code through [`HasExitCode`], and only the top
//! (`app`) turns an `anyhow::Error` into a code.

/// How `auto-upload` exits. The numbers are part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Done, or nothing to do.
    Success = 0,
    /// Any other failure.
    Failure = 1,
    /// Bad usage or bad input: usage errors, an invalid run id, a host or key
    /// id starting with `-`, an unreadable configuration file.
    Usage = 2,
    /// The run's artifacts are missing.
    ArtifactsMissing = 3,
    /// No (matching) `.changes` among the artifacts.
    NoChanges = 4,
    /// Verification failed: size or checksum mismatch, a file name that is
    /// not a plain name, a link or special file among the artifacts, an
    /// unparsable or unsafe `.changes`, a `.changes` that does not match
    /// the run's record (outcome `mismatch`), a run over `--max-run-bytes`
    /// or `--max-run-files`.
    Verification = 5,
    /// Signing failed.
    Signing = 6,
    /// Upload failed.
    Upload = 7,
    /// Not now: the ledger is paused (`ledger pause`) or an upload budget
    /// is spent (`--max-uploads-per-hour`); what was not uploaded stays due
    /// (sysexits' EX_TEMPFAIL: try again later).
    Deferred = 75,
    /// Interrupted by SIGINT or SIGTERM before the work was done.
    Interrupted = 130,
}

/// Every exit code with its meaning: the source of `--help`'s table, the
/// man pages' EXIT STATUS section and README's table.
pub const TABLE: [(ExitCode, &str); 10] = [
    (ExitCode::Success, "done, or nothing to do"),
    (ExitCode::Failure, "any other failure"),
    (
        ExitCode::Usage,
        "bad usage or bad input: usage errors, an invalid run id, a host or key id starting with '-', an unreadable or invalid configuration file, a run whose campaign is not a Debian campaign of janitor.conf (outcome unknown_campaign) or whose suite has no dput host (unrouted), a database role without a grant it needs, a wrong database password or role, a database that does not exist",
    ),
    (ExitCode::ArtifactsMissing, "the run's artifacts are missing"),
    (ExitCode::NoChanges, "no (matching) .changes among the artifacts"),
    (
        ExitCode::Verification,
        "verification failed: size or checksum mismatch, a file name that is not a plain name, a link or special file among the artifacts, an unparsable or unsafe .changes, a .changes that does not match what the Janitor decided or the run's record (outcome mismatch), a run the reviewers rejected or blocked (rejected), a run over --max-run-bytes or --max-run-files",
    ),
    (
        ExitCode::Signing,
        "signing failed, the signed .changes does not match what was checked, or a signature does not verify against --keyring or is not the signing key's",
    ),
    (ExitCode::Upload, "upload failed"),
    (
        ExitCode::Deferred,
        "not now: the ledger is paused (ledger pause), an upload budget is spent (--max-uploads-per-hour), or the run awaits the reviewers' approval (--require-review); what was not uploaded stays due",
    ),
    (
        ExitCode::Interrupted,
        "interrupted by SIGINT or SIGTERM before the work was done",
    ),
];

/// What every table ends with.
pub const FIRST_FAILURE_WINS: &str =
    "When several .changes fail differently, the first failure's code wins.";

/// The exit-code table as plain text, for `--help`.
pub fn help_text() -> String {
    let mut text = String::from("Exit codes (the same for every subcommand):\n");
    for (code, meaning) in TABLE {
        text.push_str(&format!("  {:<4} {meaning}\n", code.code()));
    }
    text.push_str(FIRST_FAILURE_WINS);
    text
}

impl ExitCode {
    /// The numeric status.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error that knows where it stands in the exit-code table.
pub trait HasExitCode {
    /// Its exit code.
    fn exit_code(&self) -> ExitCode;
}

/// A cause of an error, as the chain walkers see it.
pub type Cause<'a> = &'a (dyn std::error::Error + 'static);

/// `cause`'s code if it is an `E`.
pub fn code_of<E: HasExitCode + std::error::Error + 'static>(cause: Cause<'_>) -> Option<ExitCode> {
    cause.downcast_ref::<E>().map(E::exit_code)
}

/// The code of the first error in `err`'s cause chain that `known`
/// recognises, or [`ExitCode::Failure`].
pub fn first_known(err: &anyhow::Error, known: impl Fn(Cause<'_>) -> Option<ExitCode>) -> ExitCode {
    err.chain().find_map(known).unwrap_or(ExitCode::Failure)
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

/// Whether an error is only a closed stdout (`| head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_documented_ones() {
        let table = [
            (ExitCode::Success, 0),
            (ExitCode::Failure, 1),
            (ExitCode::Usage, 2),
            (ExitCode::ArtifactsMissing, 3),
            (ExitCode::NoChanges, 4),
            (ExitCode::Verification, 5),
            (ExitCode::Signing, 6),
            (ExitCode::Upload, 7),
            (ExitCode::Deferred, 75),
            (ExitCode::Interrupted, 130),
        ];
        for (code, number) in table {
            assert_eq!(code.code(), number, "{code:?}");
            // No wildcard: a new code does not compile until it is in the
            // table above.
            match code {
                ExitCode::Success
                | ExitCode::Failure
                | ExitCode::Usage
                | ExitCode::ArtifactsMissing
                | ExitCode::NoChanges
                | ExitCode::Verification
                | ExitCode::Signing
                | ExitCode::Upload
                | ExitCode::Deferred
                | ExitCode::Interrupted => {}
            }
        }
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let err = anyhow::Error::new(io).context("writing stdout");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
