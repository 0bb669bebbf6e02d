//! Runs one validated subcommand: the glue between settings, the library's
//! steps and what is printed on stdout.

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::chain::dput::DputError;
use crate::chain::sign::SignError;
use crate::cli::commands::backfill::backfill;
use crate::cli::commands::ledger::ledger;
use crate::cli::commands::steps::{each_path, fetch_artifacts, find_changes, readable};
use crate::cli::commands::upload_run::{upload_run, RunArgs};
use crate::cli::output;
use crate::cli::settings::Task;
use crate::exit_codes::ExitCode;

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
                let host = uploader.hosts.every().cloned();
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
        Task::CheckConfig {
            settings,
            metrics_file,
        } => {
            let timers = crate::service::check::Timers {
                metrics_file: metrics_file.as_deref(),
                reconcile_enabled: crate::service::check::reconcile_timer_enabled(),
            };
            let checks = crate::service::check::run(settings.check_subject(), Some(timers)).await;
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
        } => ledger(&database, host.as_ref(), action, &shutdown).await,
        Task::GenerateDocs { out_dir } => {
            crate::cli::docs::write_all(&out_dir)
                .with_context(|| format!("writing into {}", out_dir.display()))?;
            Ok(ExitCode::Success)
        }
    }
}
