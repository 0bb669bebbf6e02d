//! Why a run failed as a whole ([`RunError`]: what
//! [`upload_run`](super::upload::upload_run) returns when it did not get
//! through its `.changes`), the exit code that says so, and whether it may
//! pass if tried again.

use crate::chain::artifacts::ArtifactError;
use crate::chain::tool::ToolError;
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::ChangesError;
use crate::input::dispatch::{EpochUnknown, NotDispatched, UnknownCampaign};
use crate::input::hosts::Unrouted;
use crate::input::verdict::Verdict;
use crate::ledger::database::DatabaseError;
use crate::shutdown::Interrupted;

/// Why a run failed as a whole, before or around its `.changes`
/// (signing and upload failures are each `.changes`' [`Outcome`](super::outcome::Outcome)).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The run's campaign is not a Debian campaign of `janitor.conf`.
    #[error(transparent)]
    UnknownCampaign(#[from] UnknownCampaign),
    /// The run is not in the Janitor's run table.
    #[error(transparent)]
    NotDispatched(#[from] NotDispatched),
    /// Its suite (or a `.changes`' suite) has no dput host.
    #[error(transparent)]
    Unrouted(#[from] Unrouted),
    /// The reviewers' verdict forbids signing it.
    #[error(transparent)]
    Verdict(#[from] Verdict),
    /// The artifact store: nothing there, a name or a size refused, or
    /// the store failed.
    #[error(transparent)]
    Artifacts(#[from] ArtifactError),
    /// A `.changes`: none, unreadable, invalid, failing its checksums, or
    /// refused ([`ChangesError::Refused`]: it does not match the run).
    #[error(transparent)]
    Changes(#[from] ChangesError),
    /// Nobody could confirm the epoch the source may carry.
    #[error(transparent)]
    EpochUnknown(#[from] EpochUnknown),
    /// `dpkg-deb` could not read a `-dbgsym` package's control.
    #[error("reading the control of {deb}")]
    DebugPackage {
        /// The package file.
        deb: String,
        /// Why.
        #[source]
        source: ToolError,
    },
    /// The reviewers' verdict could not be read under the claim, right
    /// before debsign: nothing was signed.
    #[error("{changes} not signed: {why}")]
    VerdictUnread {
        /// The `.changes`.
        changes: String,
        /// Why it could not be read.
        why: String,
    },
    /// The Janitor's database or the ledger's, with what was being done.
    #[error("{doing}")]
    Database {
        /// What was being read or recorded.
        doing: String,
        /// Why it failed.
        #[source]
        source: DatabaseError,
    },
    /// This host: the private temporary directory.
    #[error("{doing}")]
    Local {
        /// What was being done.
        doing: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// Shutdown stopped it.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

impl RunError {
    /// A database error with what was being done.
    pub fn database(doing: impl Into<String>) -> impl FnOnce(DatabaseError) -> Self {
        let doing = doing.into();
        move |source| Self::Database { doing, source }
    }

    /// The error and its causes on one line, as logged and recorded.
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

impl HasExitCode for RunError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::UnknownCampaign(e) => e.exit_code(),
            Self::NotDispatched(e) => e.exit_code(),
            Self::Unrouted(_) => ExitCode::Usage,
            Self::Verdict(e) => e.exit_code(),
            Self::Artifacts(e) => e.exit_code(),
            Self::Changes(e) => e.exit_code(),
            Self::EpochUnknown(e) => e.exit_code(),
            Self::Database { source, .. } => source.exit_code(),
            Self::DebugPackage { .. } | Self::VerdictUnread { .. } | Self::Local { .. } => {
                ExitCode::Failure
            }
            Self::Interrupted(e) => e.exit_code(),
        }
    }
}

/// An error and its causes on one line, joined with ": " (what `{:#}`
/// shows for an anyhow error), for typed errors logged where they happen.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
