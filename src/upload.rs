//! The upload chain for one run: fetch → find and verify → sign → dput, in a
//! private temporary directory. `upload-run`, `listen` and `backfill` all
//! call [`upload_run`].

use std::fmt;

use tokio_util::sync::CancellationToken;

use crate::artifacts::ArtifactStore;
use crate::changes::{self, Filter, Verify};
use crate::dput::{DputError, Uploader};
use crate::exit_codes::ExitCode;
use crate::run_id::RunId;
use crate::sign::{SignError, Signer};

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
}

impl Outcome {
    /// A short word for the outcome, as printed.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::WouldUpload => "would-upload",
            Self::SignFailed(_) => "sign-failed",
            Self::UploadFailed(_) => "upload-failed",
        }
    }

    /// The exit code this outcome stands for.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Uploaded | Self::WouldUpload => ExitCode::Success,
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
        )?;
        match &self.outcome {
            Outcome::SignFailed(e) => write!(f, "\t{e}"),
            Outcome::UploadFailed(e) => write!(f, "\t{e}"),
            _ => Ok(()),
        }
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
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(Interrupted.into()),
        report = upload_run_inner(pipeline, run_id) => report,
    }
}

async fn upload_run_inner(pipeline: &Pipeline, run_id: &RunId) -> anyhow::Result<RunReport> {
    use anyhow::Context as _;
    let workdir = tempfile::Builder::new()
        .prefix("auto-upload-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    pipeline.store.fetch(run_id, workdir.path()).await?;
    let found = changes::find(workdir.path(), &pipeline.filter, Verify::Yes).await?;
    let mut report = RunReport::default();
    for found in found {
        let parsed = found.changes.expect("verified .changes are always parsed");
        let outcome = if pipeline.dry_run {
            Outcome::WouldUpload
        } else {
            match pipeline.signer.sign(&found.path).await {
                Err(e) => Outcome::SignFailed(e),
                Ok(()) => match pipeline.uploader.upload(&found.path).await {
                    Err(e) => Outcome::UploadFailed(e),
                    Ok(()) => Outcome::Uploaded,
                },
            }
        };
        match &outcome {
            Outcome::SignFailed(e) => tracing::error!(error = %e, "debsign failed"),
            Outcome::UploadFailed(e) => tracing::error!(error = %e, "dput failed"),
            _ => {}
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
