//! The upload chain for one run: fetch → find and verify → sign → dput, in a
//! private temporary directory. `upload-run`, `listen` and `backfill` all
//! call [`upload_run`].

use std::fmt;

use anyhow::Context as _;

use tokio_util::sync::CancellationToken;

use crate::artifacts::ArtifactStore;
use crate::changes::{self, Filter, Verify};
use crate::dput::{DputError, Uploader};
use crate::exit_codes::ExitCode;
use crate::ledger::{Claim, Entry, Ledger};
use crate::run_id::RunId;
use crate::sign::{SignError, Signer};
use crate::telemetry::error_chain;

/// The work stopped because shutdown was requested.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// Everything the chain needs besides the run id.
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
    /// The upload ledger, when a database is configured.
    pub ledger: Option<Ledger>,
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
    /// Signed, but dput failed.
    UploadFailed(DputError),
    /// The ledger did not grant a claim: uploaded before, being uploaded
    /// by another process, or given up.
    Skipped(Claim),
}

impl Outcome {
    /// A short word for the outcome, as printed.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::WouldUpload => "would-upload",
            Self::SignFailed(_) => "sign-failed",
            Self::UploadFailed(_) => "upload-failed",
            Self::Skipped(Claim::AlreadyUploaded) => "already-uploaded",
            Self::Skipped(Claim::ClaimedElsewhere { .. }) => "claimed-elsewhere",
            Self::Skipped(_) => "gave-up",
        }
    }

    /// The exit code this outcome stands for.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Uploaded | Self::WouldUpload | Self::Skipped(_) => ExitCode::Success,
            Self::SignFailed(_) => ExitCode::Signing,
            Self::UploadFailed(_) => ExitCode::Upload,
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
}

/// Uploads one run: in a private temporary directory (0700, removed however
/// this returns) it fetches the run's artifacts, finds and verifies its
/// `.changes`, and signs and uploads each; a `.changes` whose signing failed
/// is never given to dput. Nothing is signed unless every `.changes` of the
/// run verified. When `cancel` fires, the work stops at once: child
/// processes are killed and the directory removed.
///
/// # Errors
/// Artifact, `.changes` and I/O errors before anything was signed, and
/// [`Interrupted`]. Signing and upload failures are in the report.
#[tracing::instrument(skip(pipeline, cancel), fields(run_id = %run_id))]
pub async fn upload_run(
    pipeline: &Pipeline,
    run_id: &RunId,
    cancel: &CancellationToken,
) -> anyhow::Result<RunReport> {
    let result = tokio::select! {
        biased;
        () = cancel.cancelled() => Err(Interrupted.into()),
        report = upload_run_inner(pipeline, run_id) => report,
    };
    if let (Some(ledger), false) = (&pipeline.ledger, pipeline.dry_run) {
        record_run(ledger, run_id, &result).await;
    }
    result
}

/// Records in the ledger how the run as a whole went: a failure before any
/// `.changes` could be claimed counts as an attempt; a run that got through
/// forgets earlier such failures. A ledger error here is only logged: the
/// `.changes` themselves are recorded by their claims.
async fn record_run(ledger: &Ledger, run_id: &RunId, result: &anyhow::Result<RunReport>) {
    let recorded = match result {
        Ok(_) => ledger.run_succeeded(run_id).await,
        Err(e) => match ExitCode::from_error(e) {
            ExitCode::ArtifactsMissing | ExitCode::NoChanges | ExitCode::Verification => {
                ledger.run_failed(run_id, &format!("{e:#}")).await
            }
            _ => Ok(()),
        },
    };
    if let Err(e) = recorded {
        tracing::error!(run_id = %run_id, error = %e, "cannot record the run in the ledger");
    }
}

/// Signs one `.changes` and, only if that worked, uploads it.
async fn sign_and_upload(pipeline: &Pipeline, path: &std::path::Path) -> Outcome {
    match pipeline.signer.sign(path).await {
        Err(e) => Outcome::SignFailed(e),
        Ok(()) => match pipeline.uploader.upload(path).await {
            Err(e) => Outcome::UploadFailed(e),
            Ok(()) => Outcome::Uploaded,
        },
    }
}

/// Runs the chain in a fresh temporary directory and removes it on a
/// blocking thread afterwards, so that deleting large files never holds up
/// a runtime worker. (Were this future dropped, the directory's own `Drop`
/// removes it.)
async fn upload_run_inner(pipeline: &Pipeline, run_id: &RunId) -> anyhow::Result<RunReport> {
    let workdir = tempfile::Builder::new()
        .prefix("auto-upload-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let report = upload_in(pipeline, run_id, workdir.path()).await;
    let path = workdir.path().to_owned();
    let removed = tokio::task::spawn_blocking(move || workdir.close())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    if let Err(e) = removed {
        tracing::warn!(dir = %path.display(), error = %e, "cannot remove the temporary directory");
    }
    report
}

async fn upload_in(
    pipeline: &Pipeline,
    run_id: &RunId,
    workdir: &std::path::Path,
) -> anyhow::Result<RunReport> {
    pipeline.store.fetch(run_id, workdir).await?;
    let found = changes::find(workdir, &pipeline.filter, Verify::Yes).await?;
    let mut report = RunReport::default();
    for found in found {
        let parsed = found.changes.expect("verified .changes are always parsed");
        let name = parsed.file_name();
        let outcome = if pipeline.dry_run {
            Outcome::WouldUpload
        } else {
            let claim = match &pipeline.ledger {
                Some(ledger) => {
                    let entry = Entry {
                        changes: &name,
                        source: &parsed.source,
                        version: &parsed.version,
                        distribution: &parsed.distribution,
                    };
                    ledger.claim(run_id, &entry).await?
                }
                None => Claim::Granted { attempt: 1 },
            };
            if let Claim::Granted { .. } = claim {
                let outcome = sign_and_upload(pipeline, &found.path).await;
                if let Some(ledger) = &pipeline.ledger {
                    let error = match &outcome {
                        Outcome::SignFailed(e) => Some(error_chain(e)),
                        Outcome::UploadFailed(e) => Some(error_chain(e)),
                        _ => None,
                    };
                    ledger
                        .finish(run_id, &name, error.as_deref())
                        .await
                        .with_context(|| format!("recording the upload of {name} in the ledger"))?;
                }
                outcome
            } else {
                tracing::info!(changes = %name, ?claim, "skipped");
                Outcome::Skipped(claim)
            }
        };
        match &outcome {
            Outcome::SignFailed(e) => tracing::error!("{}", error_chain(e)),
            Outcome::UploadFailed(e) => tracing::error!("{}", error_chain(e)),
            _ => {}
        }
        report.changes.push(ChangesReport {
            name,
            source: parsed.source,
            version: parsed.version,
            distribution: parsed.distribution,
            outcome,
        });
    }
    Ok(report)
}
