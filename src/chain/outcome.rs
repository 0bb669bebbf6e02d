//! What happened: to each `.changes` ([`Outcome`]), to a run as a whole
//! ([`RunOutcome`], made once from what [`upload_run`](super::upload::upload_run)
//! returned). The exit
//! code, listen's metrics, backfill's summary, the published messages and
//! the ledger's record of the run all read these.

use std::fmt;

use crate::chain::dput::DputError;
use crate::chain::run_error::{error_chain, RunError};
use crate::chain::sign::SignError;
use crate::chain::signature::SignatureError;
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::ChangesError;
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
    Superseded(String),
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

    /// What it makes of the run, were it the run's first failure (or its
    /// only `.changes`).
    pub fn kind(&self) -> RunOutcome {
        match self {
            Self::Uploaded => RunOutcome::Uploaded,
            Self::WouldUpload
            | Self::Skipped(
                Skip::AlreadyUploaded
                | Skip::Superseded { .. }
                | Skip::Unconfirmed
                | Skip::ClaimedElsewhere { .. }
                | Skip::GaveUp { .. },
            ) => RunOutcome::Skipped,
            Self::Superseded(_) => RunOutcome::Superseded,
            Self::Skipped(Skip::Paused { .. }) => RunOutcome::Paused,
            Self::Skipped(Skip::Deferred { .. }) => RunOutcome::Deferred,
            Self::SignFailed(_) | Self::BadSignature(_) => RunOutcome::SignFailed,
            Self::UploadFailed(_) => RunOutcome::UploadFailed,
            Self::ClaimLost(_) => RunOutcome::ClaimLost,
            Self::Stopped(Verdict::Rejected { .. }) => RunOutcome::Rejected,
            Self::Stopped(Verdict::AwaitingReview { .. }) => RunOutcome::AwaitingReview,
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

    /// The exit code this outcome stands for.
    pub fn exit_code(&self) -> ExitCode {
        self.kind().exit_code()
    }
}

/// One `.changes` of a run and its outcome.
#[derive(Debug)]
pub struct ChangesReport {
    /// The `.changes` file name.
    pub name: String,
    /// Source package.
    pub source: String,
    /// Version.
    pub version: String,
    /// Distribution.
    pub distribution: String,
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
    /// The exit code of the first failure, or success.
    pub fn exit_code(&self) -> ExitCode {
        self.changes
            .iter()
            .map(|c| c.outcome.exit_code())
            .find(|c| *c != ExitCode::Success)
            .unwrap_or(ExitCode::Success)
    }

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
            .filter_map(|c| match c.outcome {
                Outcome::Skipped(Skip::Deferred { retry_after }) => Some(retry_after),
                _ => None,
            })
            .max()
    }

    /// The verdict that stopped a `.changes`, if one did.
    pub fn stopped(&self) -> Option<&Verdict> {
        self.changes.iter().find_map(|c| match &c.outcome {
            Outcome::Stopped(verdict) => Some(verdict),
            _ => None,
        })
    }

    /// Whether any `.changes` was uploaded.
    pub fn uploaded(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Uploaded))
    }
}

/// How a run went as a whole: the one classification behind upload-run's
/// exit code, listen's metrics, backfill's summary and the ledger's record
/// of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// At least one `.changes` was uploaded and none failed.
    Uploaded,
    /// Nothing failed and nothing was uploaded: the ledger showed every
    /// `.changes` as done (or claimed elsewhere), or it was a dry run.
    Skipped,
    /// Nothing failed, nothing uploaded, and the archive had some of them
    /// already (or newer).
    Superseded,
    /// The ledger is paused: a `.changes` was not claimed, the run stays
    /// due.
    Paused,
    /// Over an upload budget: a `.changes` was deferred, still due.
    Deferred,
    /// The run's suite has no dput host (`--host SUITE=HOST` names others
    /// only): nothing fetched or signed, nothing recorded, the run stays
    /// due.
    Unrouted,
    /// The run's campaign is not a Debian campaign of `janitor.conf`:
    /// nothing fetched or signed, nothing recorded, the run stays due.
    UnknownCampaign,
    /// The reviewers rejected (or blocked) the run: never signed while
    /// they do.
    Rejected,
    /// `--require-review`: not approved yet; uploaded once it is.
    AwaitingReview,
    /// debsign failed on a `.changes` (the first failure).
    SignFailed,
    /// dput failed on a `.changes` (the first failure).
    UploadFailed,
    /// The ledger claim on a `.changes` was taken over.
    ClaimLost,
    /// The store holds no artifacts for the run.
    ArtifactsMissing,
    /// The run has no `.changes` to upload.
    NoChanges,
    /// A `.changes` or an artifact failed verification; nothing was signed.
    VerificationFailed,
    /// A `.changes` does not match the run's record (or the operator's
    /// selection); nothing was signed, and the run is never tried again.
    Mismatch,
    /// Stopped by shutdown.
    Interrupted,
    /// Anything else: the store, the disk or the ledger's database failed.
    Failed,
}

/// What the ledger records for a run as a whole, beside the rows of its
/// `.changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRecord {
    /// The run got as far as its `.changes`: earlier failures of the run as
    /// a whole are forgotten.
    GotThrough,
    /// The run failed before its `.changes`: one more attempt.
    Failed,
    /// A `.changes` did not match the run's record: refused for good.
    Refused,
    /// The reviewers rejected the run: not due while they do, no attempt.
    Rejected,
    /// Awaiting review: not due until approved, no attempt.
    AwaitingReview,
}

impl RunOutcome {
    /// Classifies what [`upload_run`](super::upload::upload_run) returned:
    /// the one place a run's outcome is made.
    pub fn of(result: &Result<RunReport, RunError>) -> Self {
        match result {
            Ok(report) => Self::of_report(report),
            Err(error) => Self::of_error(error),
        }
    }

    /// A run that got as far as its `.changes`: a verdict that stopped one
    /// first, then the first failure (a pause before a budget), then
    /// uploaded, superseded or skipped.
    fn of_report(report: &RunReport) -> Self {
        if let Some(verdict) = report.stopped() {
            return Outcome::Stopped(verdict.clone()).kind();
        }
        let first_failure = report
            .changes
            .iter()
            .map(|c| c.outcome.kind())
            .find(|kind| kind.exit_code() != ExitCode::Success);
        match first_failure {
            Some(Self::Paused | Self::Deferred) if report.paused() => Self::Paused,
            Some(kind) => kind,
            None if report.uploaded() => Self::Uploaded,
            None if report.superseded() => Self::Superseded,
            None => Self::Skipped,
        }
    }

    /// A run that failed as a whole.
    fn of_error(error: &RunError) -> Self {
        match error {
            RunError::UnknownCampaign(_) => Self::UnknownCampaign,
            RunError::Unrouted(_) => Self::Unrouted,
            RunError::Verdict(verdict) => Outcome::Stopped(verdict.clone()).kind(),
            RunError::Changes(ChangesError::Refused(_)) => Self::Mismatch,
            RunError::NotDispatched(_)
            | RunError::Artifacts(_)
            | RunError::Changes(_)
            | RunError::EpochUnknown(_) => Self::of_code(error.exit_code()),
            RunError::DebugPackage { .. }
            | RunError::VerdictUnread { .. }
            | RunError::Database { .. }
            | RunError::Local { .. } => Self::Failed,
            RunError::Interrupted(_) => Self::Interrupted,
        }
    }

    /// The outcome of a store or verification error, by its exit code.
    fn of_code(code: ExitCode) -> Self {
        match code {
            ExitCode::ArtifactsMissing => Self::ArtifactsMissing,
            ExitCode::NoChanges => Self::NoChanges,
            ExitCode::Verification => Self::VerificationFailed,
            ExitCode::Interrupted => Self::Interrupted,
            ExitCode::Success
            | ExitCode::Failure
            | ExitCode::Usage
            | ExitCode::Signing
            | ExitCode::Upload
            | ExitCode::Deferred => Self::Failed,
        }
    }

    /// Every outcome, in the order metrics and summaries list them.
    pub const ALL: [RunOutcome; 18] = [
        Self::Uploaded,
        Self::Skipped,
        Self::Superseded,
        Self::Paused,
        Self::Deferred,
        Self::Unrouted,
        Self::UnknownCampaign,
        Self::Rejected,
        Self::AwaitingReview,
        Self::SignFailed,
        Self::UploadFailed,
        Self::ClaimLost,
        Self::ArtifactsMissing,
        Self::NoChanges,
        Self::VerificationFailed,
        Self::Mismatch,
        Self::Interrupted,
        Self::Failed,
    ];

    /// Every label [`RunOutcome::label`] gives, once each, for metrics
    /// exported at 0 from the start (an `increase()` alert then sees the
    /// first one).
    pub fn labels() -> Vec<&'static str> {
        let mut labels: Vec<&'static str> = Vec::new();
        for label in Self::ALL.map(Self::label) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }

    /// The label of listen's `auto_upload_uploads_total` metric.
    pub fn label(self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::Skipped => "skipped",
            Self::Superseded => "superseded",
            Self::Paused => "paused",
            Self::Deferred => "deferred",
            Self::Unrouted => "unrouted",
            Self::UnknownCampaign => "unknown_campaign",
            Self::Rejected => "rejected",
            Self::AwaitingReview => "awaiting_review",
            Self::SignFailed => "sign_failed",
            Self::UploadFailed => "upload_failed",
            Self::ArtifactsMissing => "artifacts_missing",
            Self::NoChanges => "no_changes",
            Self::VerificationFailed => "verification_failed",
            Self::Mismatch => "mismatch",
            Self::Interrupted => "interrupted",
            Self::ClaimLost | Self::Failed => "failed",
        }
    }

    /// The exit code `upload-run` gives for it.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Uploaded | Self::Skipped | Self::Superseded => ExitCode::Success,
            Self::Paused | Self::Deferred | Self::AwaitingReview => ExitCode::Deferred,
            Self::Unrouted | Self::UnknownCampaign => ExitCode::Usage,
            Self::Rejected => ExitCode::Verification,
            Self::SignFailed => ExitCode::Signing,
            Self::UploadFailed => ExitCode::Upload,
            Self::ArtifactsMissing => ExitCode::ArtifactsMissing,
            Self::NoChanges => ExitCode::NoChanges,
            Self::VerificationFailed | Self::Mismatch => ExitCode::Verification,
            Self::Interrupted => ExitCode::Interrupted,
            Self::ClaimLost | Self::Failed => ExitCode::Failure,
        }
    }

    /// Whether it counts as a failure.
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Self::Uploaded
                | Self::Skipped
                | Self::Superseded
                | Self::Paused
                | Self::Deferred
                | Self::Rejected
                | Self::AwaitingReview
                | Self::Interrupted
        )
    }

    /// What the ledger records for the run as a whole: every failure before
    /// the `.changes` counts as an attempt; an interruption is no attempt.
    pub fn run_record(self) -> Option<RunRecord> {
        match self {
            Self::Interrupted | Self::Unrouted | Self::UnknownCampaign => None,
            Self::Rejected => Some(RunRecord::Rejected),
            Self::AwaitingReview => Some(RunRecord::AwaitingReview),
            Self::Uploaded
            | Self::Skipped
            | Self::Superseded
            | Self::Paused
            | Self::Deferred
            | Self::SignFailed
            | Self::UploadFailed
            | Self::ClaimLost => Some(RunRecord::GotThrough),
            Self::ArtifactsMissing | Self::NoChanges | Self::VerificationFailed | Self::Failed => {
                Some(RunRecord::Failed)
            }
            Self::Mismatch => Some(RunRecord::Refused),
        }
    }
}
