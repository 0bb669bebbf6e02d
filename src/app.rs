//! Runs one validated subcommand: the glue between settings, the library's
//! steps and what is printed on stdout.

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use std::path::{Path, PathBuf};

use crate::changes::{self, Changes, ChangesError};
use crate::config::ConfigError;
use crate::dput::DputError;
use crate::exit_codes::{code_of, first_known, ExitCode};
use crate::output;
use crate::settings::{ListFormat, PathInput, SettingsError, Task};
use crate::sign::SignError;
use crate::tool::ToolError;
use crate::upload::{self, Interrupted};

/// Runs `task` until done or until `shutdown` fires.
///
/// # Errors
/// Whatever stopped the task as a whole; per-file failures of `sign`, `dput`
/// and `upload-run` are logged and folded into the returned exit code (the
/// first failure's code wins).
pub async fn run(task: Task, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    match task {
        Task::FetchArtifacts {
            run_id,
            store,
            dest,
        } => {
            tokio::select! {
                () = shutdown.cancelled() => return Err(Interrupted.into()),
                fetched = store.fetch(&run_id, &dest) => { fetched?; }
            }
            output::record(&dest.to_string_lossy(), false)?;
            Ok(ExitCode::Success)
        }
        Task::FindChanges {
            dir,
            filter,
            format,
            verify,
        } => {
            let found = tokio::select! {
                () = shutdown.cancelled() => return Err(Interrupted.into()),
                found = changes::find(&dir, &filter, verify) => found?,
            };
            for found in found {
                let line = match format {
                    ListFormat::Json => {
                        let parsed = match found.changes {
                            Some(c) => c,
                            None => Changes::read(&found.path)?,
                        };
                        serde_json::to_string(&parsed)?
                    }
                    _ => found.path.to_string_lossy().into_owned(),
                };
                output::record(&line, format == ListFormat::Null)?;
            }
            Ok(ExitCode::Success)
        }
        Task::Sign { signer, input } => {
            each_path(input, shutdown, |path| {
                let signer = signer.clone();
                async move {
                    let changes = readable(&path, |path, source| SignError { path, source })?;
                    signer.sign(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::Dput { uploader, input } => {
            each_path(input, shutdown, |path| {
                let uploader = uploader.clone();
                let host = uploader.host.clone();
                async move {
                    let changes = readable(&path, |path, source| DputError { path, host, source })?;
                    uploader.upload(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::UploadRun {
            run_id,
            mut pipeline,
            ledger,
        } => {
            if let (Some(ledger), false) = (ledger, pipeline.dry_run) {
                pipeline.ledger = Some(ledger.open(pipeline.uploader.host.as_deref(), 2).await?);
            }
            let report = upload::upload_run(&pipeline, &run_id, &shutdown)
                .await
                .with_context(|| format!("run {run_id}"))?;
            for changes in &report.changes {
                output::record(&changes.to_string(), false)?;
            }
            Ok(report.exit_code())
        }
        Task::Listen(settings) => {
            crate::listen::run(*settings, shutdown).await?;
            Ok(ExitCode::Success)
        }
        Task::Backfill(settings) => crate::backfill::run(*settings, shutdown).await,
        Task::GenerateDocs { out_dir } => {
            crate::docs::write_all(&out_dir)
                .with_context(|| format!("writing into {}", out_dir.display()))?;
            Ok(ExitCode::Success)
        }
    }
}

/// The exit code for an error that stopped a subcommand: the first error
/// in its cause chain that says its code (settings, configuration, or one
/// of the upload chain's errors), else [`ExitCode::Failure`]. The one
/// place that turns an `anyhow::Error` into a code.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    first_known(err, |cause| {
        code_of::<SettingsError>(cause)
            .or_else(|| code_of::<ConfigError>(cause))
            .or_else(|| upload::run_error_kind(cause))
    })
}

/// Parses the `.changes` at `path` for `sign` or `dput`: a file that cannot
/// be read fails that step (`failed` makes its error, so that the step's
/// exit code applies); one that is refused by the strict checks is a
/// verification failure, and never reaches the tool.
fn readable<E>(path: &Path, failed: impl FnOnce(PathBuf, ToolError) -> E) -> anyhow::Result<Changes>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match Changes::read(path) {
        Ok(changes) => Ok(changes),
        Err(ChangesError::Io { path, source }) => {
            Err(failed(path.clone(), ToolError::Input { path, source }).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies `step` to each path (arguments, or stdin), printing each path it
/// succeeded on; failures are logged and the first one's code is returned.
async fn each_path<F, Fut>(
    input: PathInput,
    shutdown: CancellationToken,
    step: F,
) -> anyhow::Result<ExitCode>
where
    F: Fn(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let paths = if input.paths.is_empty() {
        output::paths_from_stdin(input.null)
            .await
            .context("reading paths from stdin")?
    } else {
        input.paths
    };
    let mut code = ExitCode::Success;
    for path in paths {
        let result = tokio::select! {
            () = shutdown.cancelled() => return Err(Interrupted.into()),
            result = step(path.clone()) => result,
        };
        match result {
            Ok(()) => output::record(&path.to_string_lossy(), input.null)?,
            Err(e) => {
                tracing::error!("{e:#}");
                if code == ExitCode::Success {
                    code = exit_code(&e);
                }
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_errors_are_failures() {
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), ExitCode::Failure);
    }

    #[test]
    fn context_does_not_hide_the_typed_cause() {
        let err = anyhow::Error::new(Interrupted).context("uploading run x");
        assert_eq!(exit_code(&err), ExitCode::Interrupted);
        let err = anyhow::Error::new(SettingsError::Missing {
            what: "x",
            how: "y",
        })
        .context("z");
        assert_eq!(exit_code(&err), ExitCode::Usage);
    }
}
