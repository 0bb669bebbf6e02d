//! What happened to each `.changes` of a run ([`Outcome`]), and the
//! report of a run that got as far as its `.changes` ([`RunReport`]); the
//! run as a whole is `run_outcome.rs`'s. The exit
//! code, listen's metrics, backfill's summary, the published messages and
//! the ledger's record of the run all read these.

use std::fmt;

use crate::chain::dput::DputError;
use crate::chain::run_error::error_chain;
use crate::chain::sign::SignError;
use crate::chain::signature::SignatureError;
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::names::{SourcePackage, Suite, Version};
use crate::input::run_id::RunId;
use crate::input::verdict::Verdict;
use crate::ledger::Skip;

/// This process's ledger claim on a `.changes` was taken over by another
/// process (its lease ran out while a tool stalled, say).
#[derive(Debug, thiserror::Error)]
#[error("the ledger claim on {changes} of run {run_id} was taken over by another process {when}")]
pub struct ClaimLost {
    /// The run.
    pub run_id: RunId,
    /// The `.changes`.
    pub changes: String,
    /// When it was noticed: "before dput" (nothing was uploaded), or
    /// "after dput: it was uploaded" and the like.
    pub when: String,
}

impl HasExitCode for ClaimLost {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Failure
    }
}

/// What happened to one `.changes`.
#[derive(Debug)]
pub enum Outcome {
    /// Signed and uploaded.
    Uploaded,
    /// `--dry-run`: would have been signed and uploaded.
    WouldUpload,
    /// debsign failed; dput was not run.
    SignFailed(SignError),
    /// Signed, but the signature or the signed checksums did not verify
    /// against `--keyring`; dput was not run.
    BadSignature(SignatureError),
    /// Signed, but dput failed.
    UploadFailed(DputError),
    /// The ledger did not grant a claim: uploaded before, being uploaded
    /// by another process, or given up.
    Skipped(Skip),
    /// The claim was taken over while the `.changes` was being signed or
    /// uploaded.
    ClaimLost(ClaimLost),
    /// The archive has this version of the source already, or a newer one
    /// (given): not uploaded, never retried.
    Superseded(Version),
    /// The reviewers' verdict, read again after the claim, stopped it
    /// before debsign: rejected or blocked, or awaiting review.
    Stopped(Verdict),
}

impl Outcome {
    /// A short word for the outcome, as printed and published.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::WouldUpload => "would-upload",
            Self::SignFailed(_) => "sign-failed",
            Self::BadSignature(_) => "bad-signature",
            Self::UploadFailed(_) => "upload-failed",
            Self::Skipped(Skip::AlreadyUploaded) => "already-uploaded",
            Self::Skipped(Skip::Superseded { .. }) | Self::Superseded(_) => "superseded",
            Self::Skipped(Skip::Unconfirmed) => "unconfirmed",
            Self::Skipped(Skip::ClaimedElsewhere { .. }) => "claimed-elsewhere",
            Self::Skipped(Skip::Paused { .. }) => "paused",
            Self::Skipped(Skip::Deferred { .. }) => "deferred",
            Self::Skipped(Skip::GaveUp { .. }) => "gave-up",
            Self::ClaimLost(_) => "claim-lost",
            Self::Stopped(Verdict::Rejected { .. }) => "rejected",
            Self::Stopped(Verdict::AwaitingReview { .. }) => "awaiting-review",
        }
    }

    /// The failure's error, when it is one a tool or the signature check
    /// made.
    pub fn tool_error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::SignFailed(e) => Some(e),
            Self::BadSignature(e) => Some(e),
            Self::UploadFailed(e) => Some(e),
            Self::Uploaded
            | Self::WouldUpload
            | Self::Skipped(_)
            | Self::ClaimLost(_)
            | Self::Superseded(_)
            | Self::Stopped(_) => None,
        }
    }

    /// Logs the failure, if it is one, with its whole chain of causes.
    pub fn log_failure(&self) {
        if let Some(e) = self.tool_error() {
            tracing::error!("{}", error_chain(e));
        }
        match self {
            Self::ClaimLost(e) => tracing::error!("{e}"),
            Self::Stopped(e) => tracing::warn!("{e}"),
            Self::Uploaded
            | Self::WouldUpload
            | Self::SignFailed(_)
            | Self::BadSignature(_)
            | Self::UploadFailed(_)
            | Self::Skipped(_)
            | Self::Superseded(_) => {}
        }
    }
}

/// One `.changes` of a run and its outcome.
#[derive(Debug)]
pub struct ChangesReport {
    /// The `.changes` file name.
    pub name: String,
    /// Source package.
    pub source: SourcePackage,
    /// Version.
    pub version: Version,
    /// Distribution.
    pub distribution: Suite,
    /// What happened.
    pub outcome: Outcome,
}

impl fmt::Display for ChangesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\t{}\t{} {} {}",
            self.outcome.label(),
            self.name,
            self.source,
            self.version,
            self.distribution
        )
    }
}

/// What happened to a run's `.changes`, in order.
#[derive(Debug, Default)]
pub struct RunReport {
    /// One entry per `.changes`.
    pub changes: Vec<ChangesReport>,
}

impl RunReport {
    /// Whether the archive had any `.changes` already.
    pub fn superseded(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Superseded(_)))
    }

    /// Whether a `.changes` met the ledger's pause.
    pub fn paused(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Skipped(Skip::Paused { .. })))
    }

    /// How long until the budgets may allow a `.changes` deferred for them.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.changes
            .iter()
            .filter_map(|c| {
                if let Outcome::Skipped(Skip::Deferred { retry_after }) = c.outcome {
                    Some(retry_after)
                } else {
                    None
                }
            })
            .max()
    }

    /// The verdict that stopped a `.changes`, if one did.
    pub fn stopped(&self) -> Option<&Verdict> {
        self.changes.iter().find_map(|c| {
            if let Outcome::Stopped(verdict) = &c.outcome {
                Some(verdict)
            } else {
                None
            }
        })
    }

    /// Whether any `.changes` was uploaded.
    pub fn uploaded(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Uploaded))
    }
}
