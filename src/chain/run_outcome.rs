//! How a run went as a whole ([`RunOutcome`]): made once from what
//! [`upload_run`](super::upload::upload_run) returned, and read by the
//! exit code, listen's metrics, backfill's summary and the ledger's record
//! of the run ([`RunRecord`]).

use crate::chain::outcome::{Outcome, RunReport};
use crate::chain::run_error::RunError;
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::ChangesError;
use crate::input::verdict::Verdict;
use crate::ledger::Skip;

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
    /// What one `.changes`' outcome makes of the run, were it the run's
    /// first failure (or its only `.changes`).
    pub fn of_changes(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Uploaded => Self::Uploaded,
            Outcome::WouldUpload
            | Outcome::Skipped(
                Skip::AlreadyUploaded
                | Skip::Superseded { .. }
                | Skip::Unconfirmed
                | Skip::ClaimedElsewhere { .. }
                | Skip::GaveUp { .. },
            ) => Self::Skipped,
            Outcome::Superseded(_) => Self::Superseded,
            Outcome::Skipped(Skip::Paused { .. }) => Self::Paused,
            Outcome::Skipped(Skip::Deferred { .. }) => Self::Deferred,
            Outcome::SignFailed(_) | Outcome::BadSignature(_) => Self::SignFailed,
            Outcome::UploadFailed(_) => Self::UploadFailed,
            Outcome::ClaimLost(_) => Self::ClaimLost,
            Outcome::Stopped(Verdict::Rejected { .. }) => Self::Rejected,
            Outcome::Stopped(Verdict::AwaitingReview { .. }) => Self::AwaitingReview,
        }
    }

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
            return Self::of_changes(&Outcome::Stopped(verdict.clone()));
        }
        let first_failure = report
            .changes
            .iter()
            .map(|c| Self::of_changes(&c.outcome))
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
            RunError::Verdict(verdict) => Self::of_changes(&Outcome::Stopped(verdict.clone())),
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

/// Whether a run failed for a reason of this host's that may pass: out of
/// descriptors or memory (EMFILE, ENFILE, ENOMEM, EAGAIN, while spawning a
/// tool, say) or a full temporary directory (ENOSPC). `listen` tries such
/// a run again after a pause.
pub fn is_transient_local(result: &Result<RunReport, RunError>) -> bool {
    fn transient(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut cause = Some(error);
        while let Some(e) = cause {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                use rustix::io::Errno;
                let code = io.raw_os_error();
                return [
                    Errno::MFILE,
                    Errno::NFILE,
                    Errno::NOMEM,
                    Errno::NOSPC,
                    Errno::AGAIN,
                ]
                .iter()
                .any(|errno| code == Some(errno.raw_os_error()));
            }
            cause = e.source();
        }
        false
    }
    match result {
        Err(e) => transient(e),
        Ok(report) => report
            .changes
            .iter()
            .filter_map(|c| c.outcome.tool_error())
            .any(transient),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::artifacts::ArtifactError;
    use crate::chain::outcome::ChangesReport;
    use crate::chain::sign::SignError;
    use crate::chain::tool::ToolError;
    use crate::input::changes::ChangesError;
    use crate::shutdown::Interrupted;

    fn changes(outcome: Outcome) -> ChangesReport {
        ChangesReport {
            name: "x_1_source.changes".into(),
            source: "x".repeat(2).parse().unwrap(),
            version: "1".parse().unwrap(),
            distribution: "unstable".parse().unwrap(),
            outcome,
        }
    }

    fn report(outcomes: Vec<Outcome>) -> Result<RunReport, RunError> {
        Ok(RunReport {
            changes: outcomes.into_iter().map(changes).collect(),
        })
    }

    fn sign_failed() -> Outcome {
        Outcome::SignFailed(SignError {
            path: "x.changes".into(),
            source: ToolError::Spawn {
                program: "debsign".into(),
                source: std::io::ErrorKind::NotFound.into(),
            },
        })
    }

    #[test]
    fn a_run_that_got_through_is_uploaded_superseded_or_skipped() {
        use std::time::Duration;
        assert_eq!(
            RunOutcome::of(&report(vec![Outcome::Uploaded])),
            RunOutcome::Uploaded
        );
        assert_eq!(
            RunOutcome::of(&report(vec![Outcome::Superseded("2".parse().unwrap())])),
            RunOutcome::Superseded
        );
        assert_eq!(
            RunOutcome::of(&report(vec![Outcome::Skipped(Skip::AlreadyUploaded)])),
            RunOutcome::Skipped
        );
        assert_eq!(RunOutcome::of(&report(vec![])), RunOutcome::Skipped);
        // The first failure wins; a pause anywhere before a budget.
        assert_eq!(
            RunOutcome::of(&report(vec![Outcome::Uploaded, sign_failed()])),
            RunOutcome::SignFailed
        );
        let deferred = || {
            Outcome::Skipped(Skip::Deferred {
                retry_after: Duration::from_secs(1),
            })
        };
        assert_eq!(
            RunOutcome::of(&report(vec![deferred()])),
            RunOutcome::Deferred
        );
        assert_eq!(
            RunOutcome::of(&report(vec![
                deferred(),
                Outcome::Skipped(Skip::Paused { reason: "r".into() })
            ])),
            RunOutcome::Paused
        );
    }

    #[test]
    fn a_verdict_that_stopped_a_changes_is_the_runs_outcome() {
        let rejected = Verdict::Rejected {
            run_id: "r".into(),
            status: crate::input::verdict::PublishStatus::Rejected,
            review: None,
        };
        assert_eq!(
            RunOutcome::of(&report(vec![Outcome::Uploaded, Outcome::Stopped(rejected)])),
            RunOutcome::Rejected
        );
    }

    #[test]
    fn a_run_that_failed_as_a_whole_is_classified_by_its_error() {
        let of = |e: RunError| RunOutcome::of(&Err(e));
        assert_eq!(of(Interrupted.into()), RunOutcome::Interrupted);
        assert_eq!(
            of(ArtifactError::Missing {
                run_id: "r".parse().unwrap(),
                store: "/srv".into(),
            }
            .into()),
            RunOutcome::ArtifactsMissing
        );
        assert_eq!(
            of(ChangesError::NoChanges {
                dir: "/tmp".into(),
                filtered: false,
            }
            .into()),
            RunOutcome::NoChanges
        );
        assert_eq!(
            of(RunError::VerdictUnread {
                changes: "x.changes".into(),
                why: "timed out".into()
            }),
            RunOutcome::Failed
        );
    }

    #[test]
    fn outcomes_say_their_exit_code_and_failures_are_counted_as_such() {
        for outcome in RunOutcome::ALL {
            let success = outcome.exit_code() == ExitCode::Success;
            if success {
                assert!(!outcome.is_failure(), "{outcome:?}");
            }
        }
        assert_eq!(RunOutcome::SignFailed.exit_code(), ExitCode::Signing);
        assert_eq!(RunOutcome::UploadFailed.exit_code(), ExitCode::Upload);
        assert_eq!(RunOutcome::Paused.exit_code(), ExitCode::Deferred);
        let labels = RunOutcome::labels();
        assert_eq!(
            labels.len(),
            RunOutcome::ALL.len() - 1,
            "claim-lost counts as failed"
        );
    }
}
