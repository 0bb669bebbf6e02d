//! The upload chain for one run: fetch → find and verify → sign → dput, in a
//! private temporary directory. `upload-run`, `listen` and `backfill` all
//! call [`upload_run`].

use std::fmt;
use std::future::Future;
use std::time::Instant;

use anyhow::Context as _;

use tokio_util::sync::CancellationToken;

use std::sync::Arc;

use crate::archive::Archives;
use crate::chain::artifacts::{ArtifactError, ArtifactStore, Wanted};
use crate::chain::checks::{check_debug_packages, lookup, ArchiveHas};
use crate::chain::dput::{DputError, Uploader};
use crate::chain::publish::{OutcomeMessage, Publisher};
use crate::chain::sign::{SignError, Signer};
use crate::chain::signature::SignatureError;
use crate::exit_codes::{code_of, first_known, Cause, ExitCode, HasExitCode};
use crate::input::changes::{self, Changes, ChangesError, Filter, Mismatch, Verify};
use crate::input::dispatch::{
    self, check_verdict, CampaignRules, Campaigns, Decision, Dispatch, DispatchOrigin, EpochError,
    EpochUnknown, UnknownCampaign, Verdict,
};
use crate::input::hosts::{host_key, Unrouted};
use crate::input::rates::LocalBudget;
use crate::input::record::{self, Record};
use crate::input::run_id::RunId;
use crate::ledger::{self as ledger_db, Claim, Ending, Entry, Ledger};
use crate::shutdown::Interrupted;

/// The exit code of a run that failed as a whole ([`upload_run`]'s error):
/// the first error in its chain that says its code, else a failure.
pub fn run_error_code(err: &anyhow::Error) -> ExitCode {
    first_known(err, run_error_kind)
}

/// The code of one cause of a run's failure, if it is one of the chain's
/// own errors.
pub fn run_error_kind(cause: Cause<'_>) -> Option<ExitCode> {
    code_of::<ArtifactError>(cause)
        .or_else(|| code_of::<ChangesError>(cause))
        .or_else(|| code_of::<Mismatch>(cause))
        .or_else(|| code_of::<SignError>(cause))
        .or_else(|| code_of::<SignatureError>(cause))
        .or_else(|| code_of::<DputError>(cause))
        .or_else(|| code_of::<ClaimLost>(cause))
        .or_else(|| code_of::<UnknownCampaign>(cause))
        .or_else(|| code_of::<dispatch::NotDispatched>(cause))
        .or_else(|| code_of::<Verdict>(cause))
        .or_else(|| code_of::<EpochUnknown>(cause))
        .or_else(|| code_of::<Interrupted>(cause))
}

/// One run to upload: what the Janitor dispatched (the authority), the
/// worker-derived records checked beside it, and the Janitor's database
/// where the reviewers' verdict is read again before anything is signed.
#[derive(Debug, Clone, Copy)]
pub struct Dispatched<'a> {
    /// The run's codebase and campaign, and its verdict as read.
    pub dispatch: &'a Dispatch,
    /// The worker's own claims (`debian_build`, the message's `build_*`)
    /// and what the operator expects: a consistency check on top.
    pub records: &'a [Record],
    /// The Janitor's database, when configured.
    pub janitor: Option<&'a sqlx::PgPool>,
}

/// Everything the chain needs besides the run id and the ledger; built
/// complete from the settings (the ledger, opened later, is passed to
/// [`upload_run`] beside it).
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Where artifacts come from.
    pub store: ArtifactStore,
    /// Which `.changes` to upload.
    pub filter: Filter,
    /// How to sign.
    pub signer: Signer,
    /// How to upload.
    pub uploader: Uploader,
    /// Fetch and verify only.
    pub dry_run: bool,
    /// The archives whose Sources indices tell what is uploaded already.
    pub archives: Arc<Archives>,
    /// The operator's selections every `.changes` must match besides the
    /// run's own record (`listen`/`backfill` `--distribution`, `--campaign`).
    pub scope: Vec<Record>,
    /// The Debian campaigns of `janitor.conf` and `--require-review`: what
    /// a run of each may be signed as.
    pub campaigns: Arc<Campaigns>,
    /// Where each `.changes` outcome is published (`--publish-channel`).
    pub publisher: Option<Arc<Publisher>>,
    /// The upload budgets this process keeps itself when it has no ledger
    /// (with one, the ledger keeps them for every process).
    pub budget: Option<Arc<LocalBudget>>,
}

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
    Skipped(Claim),
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
    /// A short word for the outcome, as printed.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::WouldUpload => "would-upload",
            Self::SignFailed(_) => "sign-failed",
            Self::BadSignature(_) => "bad-signature",
            Self::UploadFailed(_) => "upload-failed",
            Self::Skipped(Claim::AlreadyUploaded) => "already-uploaded",
            Self::Skipped(Claim::Superseded { .. }) => "superseded",
            Self::Skipped(Claim::Unconfirmed) => "unconfirmed",
            Self::Skipped(Claim::ClaimedElsewhere { .. }) => "claimed-elsewhere",
            Self::Skipped(Claim::Paused { .. }) => "paused",
            Self::Skipped(Claim::Deferred { .. }) => "deferred",
            Self::Skipped(_) => "gave-up",
            Self::ClaimLost(_) => "claim-lost",
            Self::Superseded(_) => "superseded",
            Self::Stopped(Verdict::Rejected { .. }) => "rejected",
            Self::Stopped(Verdict::AwaitingReview { .. }) => "awaiting-review",
        }
    }

    /// Logs the failure, if it is one, with its whole chain of causes.
    fn log_failure(&self) {
        match self {
            Self::SignFailed(e) => tracing::error!("{}", error_chain(e)),
            Self::BadSignature(e) => tracing::error!("{}", error_chain(e)),
            Self::UploadFailed(e) => tracing::error!("{}", error_chain(e)),
            Self::ClaimLost(e) => tracing::error!("{e}"),
            Self::Stopped(e) => tracing::warn!("{e}"),
            _ => {}
        }
    }

    /// The exit code this outcome stands for.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Skipped(Claim::Paused { .. } | Claim::Deferred { .. }) => ExitCode::Deferred,
            Self::Uploaded | Self::WouldUpload | Self::Skipped(_) | Self::Superseded(_) => {
                ExitCode::Success
            }
            Self::SignFailed(_) | Self::BadSignature(_) => ExitCode::Signing,
            Self::UploadFailed(_) => ExitCode::Upload,
            Self::ClaimLost(_) => ExitCode::Failure,
            Self::Stopped(verdict) => verdict.exit_code(),
        }
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
            .any(|c| matches!(c.outcome, Outcome::Skipped(Claim::Paused { .. })))
    }

    /// How long until the budgets may allow a `.changes` deferred for them.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.changes
            .iter()
            .filter_map(|c| match c.outcome {
                Outcome::Skipped(Claim::Deferred { retry_after }) => Some(retry_after),
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

/// Whether a cause of a run's failure is a `.changes` that does not match
/// the run's record.
fn is_mismatch(cause: Cause<'_>) -> bool {
    cause.is::<Mismatch>()
        || matches!(
            cause.downcast_ref::<ChangesError>(),
            Some(ChangesError::Refused(_))
        )
}

/// The verdict that stopped a run, if one did.
fn verdict_of(error: &anyhow::Error) -> Option<&Verdict> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Verdict>())
}

/// Whether a cause of a run's failure is a suite without a dput host.
fn is_unrouted(cause: Cause<'_>) -> bool {
    cause.is::<Unrouted>()
        || matches!(
            cause.downcast_ref::<DputError>(),
            Some(DputError::Unrouted(_))
        )
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
    /// Classifies what [`upload_run`] returned.
    pub fn of(result: &anyhow::Result<RunReport>) -> Self {
        match result {
            Ok(report) if report.stopped().is_some() => match report.stopped() {
                Some(Verdict::AwaitingReview { .. }) => Self::AwaitingReview,
                _ => Self::Rejected,
            },
            Ok(report) => match report.exit_code() {
                ExitCode::Success if report.uploaded() => Self::Uploaded,
                ExitCode::Success if report.superseded() => Self::Superseded,
                ExitCode::Success => Self::Skipped,
                ExitCode::Signing => Self::SignFailed,
                ExitCode::Upload => Self::UploadFailed,
                ExitCode::Deferred if report.paused() => Self::Paused,
                ExitCode::Deferred => Self::Deferred,
                _ => Self::ClaimLost,
            },
            Err(e) if e.chain().any(is_mismatch) => Self::Mismatch,
            Err(e) if e.chain().any(is_unrouted) => Self::Unrouted,
            Err(e) if e.chain().any(|c| c.is::<UnknownCampaign>()) => Self::UnknownCampaign,
            Err(e) if verdict_of(e).is_some() => match verdict_of(e) {
                Some(Verdict::AwaitingReview { .. }) => Self::AwaitingReview,
                _ => Self::Rejected,
            },
            Err(e) => match run_error_code(e) {
                ExitCode::ArtifactsMissing => Self::ArtifactsMissing,
                ExitCode::NoChanges => Self::NoChanges,
                ExitCode::Verification => Self::VerificationFailed,
                ExitCode::Interrupted => Self::Interrupted,
                _ => Self::Failed,
            },
        }
    }

    /// Every label [`RunOutcome::label`] gives, for metrics exported at 0
    /// from the start (an `increase()` alert then sees the first one).
    pub const LABELS: [&'static str; 17] = [
        "uploaded",
        "skipped",
        "superseded",
        "paused",
        "deferred",
        "unrouted",
        "unknown_campaign",
        "rejected",
        "awaiting_review",
        "sign_failed",
        "upload_failed",
        "artifacts_missing",
        "no_changes",
        "verification_failed",
        "mismatch",
        "interrupted",
        "failed",
    ];

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

/// Uploads one run: what the Janitor decided for it comes first (its
/// campaign must be a Debian campaign of `janitor.conf`, its suite must have
/// a dput host, the reviewers' verdict must allow it), then, in a private
/// temporary directory (0700, removed however this returns), it fetches the
/// run's `.changes`, checks each against the decision (Source, Distribution,
/// build suffix, epoch) and the run's records (the worker's claims, and the
/// operator's selections in `pipeline.scope`), fetches only the files they
/// list, verifies them, and signs and uploads each `.changes`; a `.changes`
/// whose signing failed is never given to dput. Nothing is signed unless
/// every `.changes` of the run matched and verified. When `cancel` fires,
/// the work stops at once: child processes are killed and the directory
/// removed.
///
/// # Errors
/// [`UnknownCampaign`], [`Unrouted`](crate::input::hosts::Unrouted) and
/// [`Verdict`] before anything is fetched; artifact, `.changes`,
/// [`Mismatch`] and I/O errors before anything was signed, and
/// [`Interrupted`]. Signing and upload failures are in the report.
#[tracing::instrument(skip(pipeline, ledger, run, cancel), fields(run_id = %run_id))]
pub async fn upload_run(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    run: Dispatched<'_>,
    cancel: &CancellationToken,
) -> anyhow::Result<RunReport> {
    let ledger = ledger.filter(|_| !pipeline.dry_run);
    let dispatch = run.dispatch;
    let rules = pipeline
        .campaigns
        .get(&dispatch.campaign)
        .ok_or_else(|| UnknownCampaign {
            run_id: run_id.as_str().to_owned(),
            campaign: dispatch.campaign.clone(),
        })?;
    // Routed by the decision: the campaign's suite, never a file's. One
    // without a dput host is refused before anything is fetched, and left
    // due (nothing is recorded).
    let suite = rules.build_distribution.as_str();
    pipeline
        .uploader
        .hosts
        .route(suite)
        .map_err(DputError::Unrouted)?;
    if run.records.is_empty() {
        tracing::warn!(
            "no record of the run's build (no debian_build row, runner message details or \
             --expect-*): its .changes are compared with what the Janitor dispatched only"
        );
    }
    let mut all: Vec<Record> = run.records.to_vec();
    all.extend(pipeline.scope.iter().cloned());
    let result = tokio::select! {
        biased;
        () = cancel.cancelled() => Err(Interrupted.into()),
        report = decide_and_upload(pipeline, ledger, run_id, run, rules, &all) => report,
    };
    // The run as a whole is recorded under its suite's host.
    if let Some(ledger) = ledger.and_then(|l| l.for_suite(suite)) {
        record_run(&ledger, run_id, &result).await;
    }
    if let (Some(publisher), Ok(report), false) = (&pipeline.publisher, &result, pipeline.dry_run) {
        publish(publisher, &pipeline.uploader, run_id, report).await;
    }
    result
}

/// The verdict as dispatched, then the decision (the source names the
/// codebase builds), then the chain.
async fn decide_and_upload(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    run: Dispatched<'_>,
    rules: &CampaignRules,
    records: &[Record],
) -> anyhow::Result<RunReport> {
    let dispatch = run.dispatch;
    let review = match (run.janitor, dispatch.publish_status) {
        (Some(pool), Some(status)) if status.forbids_signing() => {
            // Nothing is signed either way: who rejected it is a courtesy.
            ledger_db::janitor::verdict(pool, run_id)
                .await
                .ok()
                .flatten()
                .and_then(|(_, note)| note)
        }
        _ => None,
    };
    check_verdict(
        run_id.as_str(),
        &dispatch.campaign,
        dispatch.publish_status,
        review,
        &pipeline.campaigns.review,
    )?;
    let sources = match run.janitor {
        Some(pool) => ledger_db::janitor::sources_of(pool, &dispatch.codebase)
            .await
            .context("reading the source packages of the run's codebase")?,
        None => vec![dispatch.codebase.clone()],
    };
    let decision = Decision {
        dispatch: dispatch.clone(),
        rules: rules.clone(),
        sources,
    };
    upload_run_inner(pipeline, ledger, run_id, &decision, records, run.janitor).await
}

/// Publishes the outcome of each `.changes` this process acted on: not one
/// the ledger showed done, claimed elsewhere, given up or paused (another
/// process, or an earlier run, told of it; or nothing happened), nor one
/// the reviewers' verdict stopped (the Janitor's own decision, which it
/// knows).
async fn publish(publisher: &Publisher, uploader: &Uploader, run_id: &RunId, report: &RunReport) {
    for changes in &report.changes {
        if matches!(
            changes.outcome,
            Outcome::Skipped(_) | Outcome::WouldUpload | Outcome::Stopped(_)
        ) {
            continue;
        }
        let delayed = matches!(changes.outcome, Outcome::Uploaded)
            .then(|| uploader.delays.for_suite(&changes.distribution))
            .flatten();
        publisher
            .tell(&OutcomeMessage {
                run_id: run_id.as_str().to_owned(),
                changes: changes.name.clone(),
                source: changes.source.clone(),
                version: changes.version.clone(),
                suite: changes.distribution.clone(),
                host: uploader
                    .hosts
                    .route(&changes.distribution)
                    .ok()
                    .flatten()
                    .map(str::to_owned),
                outcome: changes.outcome.label().to_owned(),
                delayed,
                time: OutcomeMessage::now(),
            })
            .await;
    }
}

/// Records in the ledger how the run as a whole went: any failure before
/// or around the `.changes` claims (a missing run, a store or disk error,
/// verification) counts as an attempt; a run that got through forgets
/// earlier such failures. Only an interruption is not a failure. A ledger
/// error here is only logged: the `.changes` themselves are recorded by
/// their claims.
async fn record_run(ledger: &Ledger, run_id: &RunId, result: &anyhow::Result<RunReport>) {
    let recorded = match RunOutcome::of(result).run_record() {
        None => Ok(()),
        Some(RunRecord::GotThrough) => ledger.run_succeeded(run_id).await,
        Some(state @ (RunRecord::Rejected | RunRecord::AwaitingReview)) => {
            let text = match result {
                Err(e) => format!("{e:#}"),
                Ok(report) => report
                    .stopped()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            };
            ledger
                .run_stopped(run_id, state == RunRecord::Rejected, &text)
                .await
        }
        Some(record) => {
            let error = result
                .as_ref()
                .err()
                .map_or_else(String::new, |e| format!("{e:#}"));
            if record == RunRecord::Refused {
                ledger.run_refused(run_id, &error).await
            } else {
                ledger.run_failed(run_id, &error).await
            }
        }
    };
    if let Err(e) = recorded {
        tracing::error!(run_id = %run_id, error = %e, "cannot record the run in the ledger");
    }
}

/// A claim held in the ledger while its `.changes` is signed and uploaded.
struct Held<'a> {
    ledger: &'a Ledger,
    run_id: &'a RunId,
    changes: &'a str,
    /// When the last renewal that succeeded was sent: the claim cannot
    /// expire before this plus the lease.
    renewed: std::sync::Mutex<Instant>,
}

impl<'a> Held<'a> {
    /// A claim just granted (`claimed` is when the claim was asked for).
    fn new(ledger: &'a Ledger, run_id: &'a RunId, changes: &'a str, claimed: Instant) -> Self {
        Self {
            ledger,
            run_id,
            changes,
            renewed: std::sync::Mutex::new(claimed),
        }
    }

    /// The moment the claim could expire: its last renewal plus the lease.
    fn deadline(&self) -> Instant {
        *self.renewed.lock().expect("renewal time poisoned") + self.ledger.policy().lease
    }

    /// Notes a renewal sent at `sent` that succeeded.
    fn renewed_at(&self, sent: Instant) {
        *self.renewed.lock().expect("renewal time poisoned") = sent;
    }

    /// Renews the claim every heartbeat; returns once a renewal finds it
    /// taken over (never while renewals succeed). A failed renewal (the
    /// database unreachable) is logged and tried again.
    async fn lost(&self) {
        let mut beat = tokio::time::interval(self.ledger.heartbeat());
        beat.tick().await;
        loop {
            beat.tick().await;
            let sent = Instant::now();
            match self.ledger.renew(self.run_id, self.changes).await {
                Ok(true) => self.renewed_at(sent),
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(changes = self.changes, error = %e, "cannot renew the ledger claim")
                }
            }
        }
    }

    /// Moves the claim to `uploading` before dput runs, trying again while
    /// the database does not answer and the claim cannot have expired.
    /// `false`: dput must not run (the claim is gone, or the ledger could
    /// not be told).
    async fn start_upload(&self, delayed: Option<u8>) -> bool {
        // The claim is renewed as of the try that succeeded, not the first.
        let sent = std::sync::Mutex::new(Instant::now());
        let started = self
            .ledger
            .until_recorded(self.changes, self.deadline(), || {
                *sent.lock().expect("send time poisoned") = Instant::now();
                self.ledger.start_upload(self.run_id, self.changes, delayed)
            })
            .await;
        match started {
            Ok(true) => {
                self.renewed_at(*sent.lock().expect("send time poisoned"));
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::error!(changes = self.changes, error = %e, "cannot record in the ledger that dput starts; not uploading");
                false
            }
        }
    }

    fn lost_error(&self, when: &str) -> ClaimLost {
        ClaimLost {
            run_id: self.run_id.clone(),
            changes: self.changes.to_owned(),
            when: when.to_owned(),
        }
    }
}

/// Runs `work` while the claim (if any) is renewed; `None` when a renewal
/// found the claim taken over, and `work` was dropped (its tool killed).
async fn while_held<T>(held: Option<&Held<'_>>, work: impl Future<Output = T>) -> Option<T> {
    match held {
        None => Some(work.await),
        Some(held) => tokio::select! {
            biased;
            out = work => Some(out),
            () = held.lost() => None,
        },
    }
}

/// Signs one `.changes` and, only if that worked and the ledger recorded
/// under the claim that dput starts (`uploading`), uploads it. A dput under
/// way is left to finish even if the claim is lost meanwhile (killing it
/// would leave half an upload); whoever found the claim expired made it
/// `unconfirmed` rather than upload it again, and the final ledger update
/// records what dput did.
async fn sign_and_upload(
    pipeline: &Pipeline,
    changes: &Changes,
    held: Option<&Held<'_>>,
) -> Outcome {
    let signed = while_held(held, pipeline.signer.sign(changes)).await;
    let lost =
        |when: &str| Outcome::ClaimLost(held.expect("only a held claim is lost").lost_error(when));
    match signed {
        None => return lost("while signing; it was not uploaded"),
        Some(Err(e)) => return Outcome::SignFailed(e),
        Some(Ok(())) => {}
    }
    match while_held(held, pipeline.signer.verify(changes)).await {
        None => return lost("while verifying the signature; it was not uploaded"),
        Some(Err(e)) => return Outcome::BadSignature(e),
        Some(Ok(())) => {}
    }
    if let Some(held) = held {
        let delayed = pipeline.uploader.delays.for_suite(&changes.distribution);
        if !held.start_upload(delayed).await {
            return lost(
                "before dput (or the ledger could not be told dput starts); it was not uploaded",
            );
        }
    }
    let upload = pipeline.uploader.upload(changes);
    tokio::pin!(upload);
    let uploaded = match while_held(held, &mut upload).await {
        Some(result) => result,
        None => {
            tracing::error!(changes = %changes.path.display(), "the ledger claim was taken over during dput; letting dput finish");
            upload.await
        }
    };
    match uploaded {
        Err(e) => Outcome::UploadFailed(e),
        Ok(()) => Outcome::Uploaded,
    }
}

/// Runs the chain in a fresh temporary directory and removes it on a
/// blocking thread afterwards, so that deleting large files never holds up
/// a runtime worker. (Were this future dropped, the directory's own `Drop`
/// removes it.)
async fn upload_run_inner(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    decision: &Decision,
    records: &[Record],
    janitor: Option<&sqlx::PgPool>,
) -> anyhow::Result<RunReport> {
    let workdir = tempfile::Builder::new()
        .prefix("auto-upload-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let checks = Checks {
        decision,
        records,
        janitor,
    };
    let report = upload_in(pipeline, ledger, run_id, &checks, workdir.path()).await;
    let path = workdir.path().to_owned();
    let removed = tokio::task::spawn_blocking(move || workdir.close())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    if let Err(e) = removed {
        tracing::warn!(dir = %path.display(), error = %e, "cannot remove the temporary directory");
    }
    report
}

/// What every `.changes` of a run is checked against, and where the
/// verdict is read again.
struct Checks<'a> {
    decision: &'a Decision,
    records: &'a [Record],
    janitor: Option<&'a sqlx::PgPool>,
}

async fn upload_in(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    workdir: &std::path::Path,
) -> anyhow::Result<RunReport> {
    let mut found = fetch_checked(pipeline, ledger, run_id, checks, workdir).await?;
    // Every .changes has a host before any is signed.
    for (parsed, _) in &found {
        pipeline
            .uploader
            .hosts
            .route(&parsed.distribution)
            .map_err(DputError::Unrouted)?;
    }
    // Source first: an archive may refuse binaries whose source it has not
    // seen. The sort is stable: otherwise in name order.
    found.sort_by_key(|(f, _)| !f.file_name().ends_with("_source.changes"));
    let mut report = RunReport::default();
    for (parsed, superseded) in found {
        let outcome = if pipeline.dry_run {
            match superseded {
                Some(has) => has.outcome(&parsed),
                None => Outcome::WouldUpload,
            }
        } else {
            // Routed above: the ledger key of its suite's host exists.
            let bound = ledger.and_then(|l| l.for_suite(&parsed.distribution));
            upload_one(
                pipeline,
                bound.as_ref(),
                run_id,
                checks,
                &parsed,
                superseded,
            )
            .await?
        };
        outcome.log_failure();
        if !pipeline.dry_run {
            // One line per .changes, whichever command acted (upload-run,
            // backfill, listen): what an operator greps the journal for.
            let host = pipeline
                .uploader
                .hosts
                .route(&parsed.distribution)
                .ok()
                .flatten();
            tracing::info!(
                run_id = %run_id,
                changes = %parsed.file_name(),
                source = %parsed.source,
                version = %parsed.version,
                host = host.unwrap_or("(dput's default)"),
                outcome = outcome.label(),
                "a .changes is done"
            );
        }
        report.changes.push(ChangesReport {
            name: parsed.file_name(),
            source: parsed.source,
            version: parsed.version,
            distribution: parsed.distribution,
            outcome,
        });
    }
    Ok(report)
}

/// Fetches what may be signed, and only that: the run's `.changes` first
/// (each at most [`changes::MAX_CHANGES_BYTES`]), parsed, filtered and
/// compared with the decision and the records; then only the files the
/// kept ones list (each at most its listed size, the run at most
/// `--max-run-bytes`), each checked against its checksums, and the
/// `-dbgsym` packages among them checked to be debug packages. Nothing
/// else of the run reaches this host. Meanwhile, beside the fetch (nothing
/// waits for the archive), the archive says which epoch the source may
/// carry and which `.changes` it has already: each comes with the
/// archive's version when it is superseded.
///
/// # Errors
/// [`ArtifactError`], [`ChangesError`] (a [`Mismatch`] inside it for a
/// `.changes` that does not match the decision or a record), and
/// [`EpochUnknown`] for an epoch nobody could confirm.
async fn fetch_checked(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    workdir: &std::path::Path,
) -> anyhow::Result<Vec<(Changes, Option<ArchiveHas>)>> {
    let records = checks.records;
    let decision = checks.decision;
    let names = pipeline.store.list(run_id).await?;
    let changes_files: Vec<Wanted> = names
        .into_iter()
        .filter(|n| n.as_str().ends_with(".changes"))
        .map(|name| Wanted {
            name,
            max_size: changes::MAX_CHANGES_BYTES,
        })
        .collect();
    let fetched = pipeline
        .store
        .fetch_files(run_id, changes_files, workdir, 0)
        .await?;
    let spent: u64 = fetched
        .iter()
        .filter_map(|path| std::fs::symlink_metadata(path).ok())
        .map(|meta| meta.len())
        .sum();
    let found = changes::find(workdir, &pipeline.filter, Verify::Parsed).await?;
    let found: Vec<Changes> = found
        .into_iter()
        .map(|f| f.changes.expect("checked .changes are always parsed"))
        .collect();
    // The worker's own claims first (their refusals name the record they
    // contradict), then what the Janitor decided: the authority, which a
    // worker consistent with itself cannot pass around.
    for parsed in &found {
        record::check_all(records, parsed).map_err(ChangesError::Refused)?;
        decision.check(parsed).map_err(ChangesError::Refused)?;
    }
    let mut listed: Vec<Wanted> = Vec::new();
    for file in found.iter().flat_map(|c| &c.files) {
        match listed.iter_mut().find(|w| w.name == file.name) {
            Some(wanted) => wanted.max_size = wanted.max_size.max(file.size),
            None => listed.push(Wanted {
                name: file.name.clone(),
                max_size: file.size,
            }),
        }
    }
    let total = listed.iter().map(|w| w.max_size).sum::<u64>();
    pipeline
        .store
        .check_total(run_id, total.saturating_add(spent))?;
    let fetched = async {
        pipeline
            .store
            .fetch_files(run_id, listed, workdir, spent)
            .await?;
        let verified = found.clone();
        tokio::task::spawn_blocking(move || verified.iter().try_for_each(Changes::verify))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
        anyhow::Ok(())
    };
    // Each (suite, source) the checks ask the archive about is asked once:
    // the .changes' own suite (superseded?) and the campaign's epoch suite.
    let mut asked: Vec<(String, String)> = Vec::new();
    for c in &found {
        for suite in [c.distribution.as_str(), decision.rules.epoch_suite()] {
            let key = (suite.to_owned(), c.source.clone());
            if !asked.contains(&key) {
                asked.push(key);
            }
        }
    }
    let lookups = futures::future::join_all(
        asked
            .iter()
            .map(|(suite, source)| lookup(&pipeline.archives, suite, source)),
    );
    let (fetched, lookups) = tokio::join!(fetched, lookups);
    fetched?;
    let said = |suite: &str, source: &str| {
        asked
            .iter()
            .position(|(s, p)| s == suite && p == source)
            .map(|i| &lookups[i])
            .expect("every (suite, source) was asked")
    };
    let superseded: Vec<Option<ArchiveHas>> = found
        .iter()
        .map(|c| said(&c.distribution, &c.source).superseded(c))
        .collect();
    // A version the archive has already (or a newer one) stays superseded:
    // it is not signed either way, and that is what operators expect.
    let suite = decision.rules.epoch_suite();
    for (parsed, _) in found
        .iter()
        .zip(&superseded)
        .filter(|(_, has)| has.is_none())
    {
        let epoch = said(suite, &parsed.source)
            .epoch(ledger, suite, &parsed.source)
            .await;
        match decision.check_epoch(parsed, &epoch) {
            Ok(()) => {}
            Err(EpochError::Mismatch(m)) => return Err(ChangesError::Refused(m).into()),
            Err(EpochError::Unknown(e)) => return Err(e.into()),
        }
    }
    let recorded = records.iter().find_map(|r| r.binary_packages.as_deref());
    for parsed in &found {
        check_debug_packages(parsed, recorded, workdir).await?;
    }
    Ok(found.into_iter().zip(superseded).collect())
}

impl ArchiveHas {
    /// The `superseded` outcome, said at warn where it is decided (the
    /// lookup itself runs beside the fetch, before verification and the
    /// ledger have had their say).
    fn outcome(self, changes: &Changes) -> Outcome {
        tracing::warn!(changes = %changes.file_name(), ours = %changes.version, archive = %self.archive, version = %self.version, "superseded: the archive has this version of the source or a newer one; not uploaded");
        Outcome::Superseded(self.version)
    }
}

/// Claims one verified `.changes` in the ledger (when there is one), signs
/// and uploads it while the claim is held, and records how it went;
/// `superseded` says what the archive has when it has this one or newer.
async fn upload_one(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    parsed: &Changes,
    superseded: Option<ArchiveHas>,
) -> anyhow::Result<Outcome> {
    let name = parsed.file_name();
    let Some(ledger) = ledger else {
        if let Some(has) = superseded {
            return Ok(has.outcome(parsed));
        }
        // No ledger: this process keeps the budgets itself.
        if let Some(budget) = &pipeline.budget {
            let host = pipeline
                .uploader
                .hosts
                .route(&parsed.distribution)
                .ok()
                .flatten();
            if let Err(retry_after) = budget.take(&host_key(host)) {
                return Ok(Outcome::Skipped(Claim::Deferred { retry_after }));
            }
        }
        return Ok(sign_and_upload(pipeline, parsed, None).await);
    };
    let entry = Entry {
        changes: &name,
        source: &parsed.source,
        version: &parsed.version,
        distribution: &parsed.distribution,
    };
    let asked = Instant::now();
    let claim = ledger.claim(run_id, &entry).await?;
    if claim == Claim::Unconfirmed && superseded.is_some() {
        if ledger.accept_unconfirmed(run_id, &name).await? {
            tracing::info!(changes = %name, "the archive has the unconfirmed upload: accepted");
        }
        return Ok(Outcome::Skipped(Claim::AlreadyUploaded));
    }
    if let Claim::Paused { reason } = &claim {
        tracing::warn!(changes = %name, reason = %reason, "the ledger is paused: not uploaded; the run stays due");
        return Ok(Outcome::Skipped(claim));
    }
    if !matches!(claim, Claim::Granted { .. }) {
        tracing::info!(changes = %name, ?claim, "skipped");
        return Ok(Outcome::Skipped(claim));
    }
    let held = Held::new(ledger, run_id, &name, asked);
    if let Some(has) = superseded {
        let recorded = ledger
            .until_recorded(&name, held.deadline(), || {
                ledger.supersede(run_id, &name, &has.version)
            })
            .await
            .with_context(|| format!("recording {name} as superseded in the ledger"))?;
        return Ok(if recorded {
            has.outcome(parsed)
        } else {
            Outcome::ClaimLost(held.lost_error("before it was recorded as superseded"))
        });
    }
    // The verdict, read again under the claim, right before debsign: a
    // rejection that landed while the run was fetched stops it here. (A
    // run the operator dispatched by hand is not in the run table.)
    let run_table = checks.decision.dispatch.origin == DispatchOrigin::RunTable;
    if let Some(pool) = checks.janitor.filter(|_| run_table) {
        if let Some(verdict) = verdict_now(pool, run_id, checks.decision, pipeline).await {
            let stopped = match &verdict {
                Ok(verdict) => {
                    ledger
                        .until_recorded(&name, held.deadline(), || {
                            ledger.stop(run_id, &name, verdict)
                        })
                        .await
                }
                Err(error) => {
                    ledger
                        .until_recorded(&name, held.deadline(), || {
                            ledger.finish(run_id, &name, Ending::Failed(error))
                        })
                        .await
                }
            }
            .with_context(|| format!("recording in the ledger why {name} was not signed"))?;
            return Ok(match verdict {
                Ok(verdict) if stopped => Outcome::Stopped(verdict),
                Ok(_) => Outcome::ClaimLost(held.lost_error("before the verdict was recorded")),
                Err(error) => anyhow::bail!("{name} not signed: {error}"),
            });
        }
    }
    let outcome = sign_and_upload(pipeline, parsed, Some(&held)).await;
    // An ending that leaves open whether dput's upload reached the queue is
    // unconfirmed, never failed: a failed row would be uploaded again.
    let ambiguous = matches!(&outcome, Outcome::UploadFailed(e) if e.is_ambiguous());
    let error = match &outcome {
        Outcome::SignFailed(e) => Some(error_chain(e)),
        Outcome::BadSignature(e) => Some(error_chain(e)),
        Outcome::UploadFailed(e) => Some(error_chain(e)),
        Outcome::ClaimLost(_) => return Ok(outcome),
        _ => None,
    };
    let recorded = ledger
        .until_recorded(&name, held.deadline(), || {
            let ending = match (&error, ambiguous) {
                (None, _) => Ending::Uploaded,
                (Some(error), true) => Ending::Unconfirmed(error),
                (Some(error), false) => Ending::Failed(error),
            };
            ledger.finish(run_id, &name, ending)
        })
        .await
        .with_context(|| format!("recording the upload of {name} in the ledger"))?;
    if ambiguous && recorded {
        tracing::warn!(changes = %name, "dput's ending leaves open whether the upload reached the queue: unconfirmed, not uploaded again until the archive or ledger retry --archive resolves it");
    }
    if recorded {
        Ok(outcome)
    } else {
        Ok(Outcome::ClaimLost(held.lost_error(&format!(
            "before its end was recorded ({}); the final ledger update matched no row",
            outcome.label()
        ))))
    }
}

/// The reviewers' verdict as the database says it now, when it stops the
/// run (`Ok`), or why it cannot be read (`Err`: nothing is signed then);
/// `None` when it allows signing.
async fn verdict_now(
    pool: &sqlx::PgPool,
    run_id: &RunId,
    decision: &Decision,
    pipeline: &Pipeline,
) -> Option<Result<Verdict, String>> {
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        ledger_db::janitor::verdict(pool, run_id),
    )
    .await;
    let (status, review) = match read {
        Ok(Ok(Some((status, review)))) => (Some(status), review),
        Ok(Ok(None)) => return Some(Err("the run is no longer in the run table".into())),
        Ok(Err(e)) => return Some(Err(format!("cannot read the run's publish_status: {e}"))),
        Err(_) => return Some(Err("reading the run's publish_status timed out".into())),
    };
    check_verdict(
        run_id.as_str(),
        &decision.dispatch.campaign,
        status,
        review,
        &pipeline.campaigns.review,
    )
    .err()
    .map(Ok)
}

/// Whether a run failed for a reason of this host's that may pass: out of
/// descriptors or memory (EMFILE, ENFILE, ENOMEM, EAGAIN, while spawning a
/// tool, say) or a full temporary directory (ENOSPC). `listen` tries such
/// a run again after a pause.
pub fn is_transient_local(result: &anyhow::Result<RunReport>) -> bool {
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
        Err(e) => e.chain().any(transient),
        Ok(report) => report.changes.iter().any(|c| match &c.outcome {
            Outcome::SignFailed(e) => transient(e),
            Outcome::BadSignature(e) => transient(e),
            Outcome::UploadFailed(e) => transient(e),
            _ => false,
        }),
    }
}

/// An error and its causes on one line, joined with ": " (what `{:#}`
/// shows for an anyhow error), for typed errors logged where they happen.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
