//! Runs one validated subcommand: the glue between settings, the library's
//! steps and what is printed on stdout.

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::chain::dput::DputError;
use crate::chain::run_error::RunError;
use crate::chain::sign::SignError;
use crate::chain::signature::SignatureError;
use crate::cli::commands::backfill::backfill;
use crate::cli::commands::ledger::ledger;
use crate::cli::commands::steps::{each_path, fetch_artifacts, find_changes, readable};
use crate::cli::commands::upload_run::{upload_run, RunArgs};
use crate::cli::janitor_conf::ConfigError;
use crate::cli::output;
use crate::cli::settings::{SettingsError, Task};
use crate::exit_codes::{code_of, first_known, ExitCode};

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
        } => fetch_artifacts(&run_id, &store, &dest, &shutdown).await,
        Task::FindChanges {
            dir,
            filter,
            format,
            verify,
            signature,
        } => find_changes(&dir, &filter, format, verify, signature.as_ref(), &shutdown).await,
        Task::Sign { signer, input } => {
            each_path(input, shutdown, |path| {
                let signer = signer.clone();
                async move {
                    let changes = readable(&path, |path, source| SignError { path, source })?;
                    changes.check_shape()?;
                    signer.sign(&changes).await?;
                    signer.verify(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::Dput { uploader, input } => {
            each_path(input, shutdown, |path| {
                let uploader = uploader.clone();
                let host = uploader.hosts.every().map(str::to_owned);
                async move {
                    let changes = readable(&path, |path, source| DputError::Failed {
                        path,
                        host,
                        source,
                    })?;
                    uploader.upload(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::UploadRun {
            run_id,
            pipeline,
            database,
            expect,
            dispatch,
        } => {
            let database = database.as_deref();
            let run = RunArgs {
                expect: expect.as_ref(),
                given: &dispatch,
            };
            upload_run(&run_id, &pipeline, database, run, &shutdown).await
        }
        Task::CheckConfig(settings) => {
            let checks = crate::service::check::run(settings.check_subject()).await;
            for check in &checks {
                output::record(&check.to_string(), false)?;
            }
            Ok(if checks.iter().all(|c| c.ok) {
                ExitCode::Success
            } else {
                ExitCode::Usage
            })
        }
        Task::Listen(settings) => {
            crate::service::listen::run(*settings, shutdown).await?;
            Ok(ExitCode::Success)
        }
        Task::Backfill { settings, verbose } => backfill(*settings, verbose, &shutdown).await,
        Task::Ledger {
            database,
            host,
            action,
        } => ledger(&database, host.as_deref(), action, &shutdown).await,
        Task::GenerateDocs { out_dir } => {
            crate::cli::docs::write_all(&out_dir)
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
            .or_else(|| code_of::<crate::ledger::database::DatabaseError>(cause))
            .or_else(|| code_of::<crate::service::check::CheckFailed>(cause))
            .or_else(|| code_of::<SignatureError>(cause))
            .or_else(|| code_of::<crate::chain::gnupg_home::GnupgHomeError>(cause))
            .or_else(|| code_of::<RunError>(cause))
            .or_else(|| code_of::<crate::chain::artifacts::ArtifactError>(cause))
            .or_else(|| code_of::<crate::input::changes::ChangesError>(cause))
            .or_else(|| code_of::<crate::input::changes::Mismatch>(cause))
            .or_else(|| code_of::<crate::chain::sign::SignError>(cause))
            .or_else(|| code_of::<crate::chain::dput::DputError>(cause))
            .or_else(|| code_of::<crate::shutdown::Interrupted>(cause))
            .or_else(|| code_of::<crate::input::dispatch::UnknownCampaign>(cause))
            .or_else(|| code_of::<crate::input::dispatch::NotDispatched>(cause))
            .or_else(|| code_of::<crate::input::verdict::Verdict>(cause))
            .or_else(|| code_of::<crate::input::dispatch::EpochUnknown>(cause))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shutdown::Interrupted;

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
