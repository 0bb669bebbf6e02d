//! Backfill: upload the newest build of each (distribution, source) in the
//! Janitor's `debian_build` table that the ledger does not show as done.
//! Planned with one streaming query (an anti-join against the ledger),
//! uploaded `--jobs` at a time through the same chain as `upload-run`.

use std::io::IsTerminal;
use std::sync::Arc;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::database::Database;
use crate::exit_codes::ExitCode;
use crate::ledger::{plan, Due, Ledger};
use crate::output;
use crate::run_id::RunId;
use crate::upload::{upload_run, Outcome, Pipeline};

/// What a backfill needs.
#[derive(Debug)]
pub struct BackfillSettings {
    /// The Janitor database (and the ledger's schema).
    pub database: Database,
    /// Only these distributions (all when empty).
    pub distributions: Vec<String>,
    /// The upload chain (none for a dry run); its ledger is set up by
    /// [`run`] unless `no_ledger`.
    pub pipeline: Option<Pipeline>,
    /// The claiming rules.
    pub policy: crate::ledger::Policy,
    /// Neither read nor write the ledger.
    pub no_ledger: bool,
    /// Uploads at once.
    pub jobs: usize,
    /// Stop after this many uploaded runs.
    pub limit: Option<u64>,
    /// Print what is due, upload nothing.
    pub dry_run: bool,
    /// The dput host, the ledger's key.
    pub host: Option<String>,
    /// Print the summary even when stderr is not a terminal.
    pub verbose: bool,
}

/// How one run's backfill went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// At least one `.changes` was uploaded, none failed.
    Uploaded,
    /// Nothing left to upload: the ledger showed every `.changes` as done.
    AlreadyUploaded,
    /// Signing or uploading failed, or the run could not be processed.
    Failed,
    /// The store holds no artifacts for the run.
    ArtifactsMissing,
    /// Stopped by shutdown.
    Interrupted,
}

/// The step for one planned run: the `upload-run` chain, its outcome logged.
pub async fn backfill_one(
    pipeline: &Pipeline,
    due: &Due,
    cancel: &CancellationToken,
) -> RunOutcome {
    let run_id: RunId = match due.run_id.parse() {
        Ok(run_id) => run_id,
        Err(e) => {
            tracing::error!(run_id = %due.run_id, error = %e, "skipping a run id that is not safe");
            return RunOutcome::Failed;
        }
    };
    match upload_run(pipeline, &run_id, cancel).await {
        Ok(report) => {
            let failed = report.exit_code() != ExitCode::Success;
            let uploaded = report
                .changes
                .iter()
                .any(|c| matches!(c.outcome, Outcome::Uploaded));
            for changes in &report.changes {
                tracing::info!(run_id = %run_id, changes = %changes.name, outcome = changes.outcome.label(), "backfill");
            }
            if failed {
                RunOutcome::Failed
            } else if uploaded {
                RunOutcome::Uploaded
            } else {
                RunOutcome::AlreadyUploaded
            }
        }
        Err(e) => {
            let code = crate::upload::run_error_code(&e);
            match code {
                ExitCode::Interrupted => RunOutcome::Interrupted,
                ExitCode::ArtifactsMissing => {
                    tracing::warn!(run_id = %run_id, source = %due.source, "{e:#}");
                    RunOutcome::ArtifactsMissing
                }
                _ => {
                    tracing::error!(run_id = %run_id, source = %due.source, "{e:#}");
                    RunOutcome::Failed
                }
            }
        }
    }
}

/// What a backfill did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Runs uploaded.
    pub uploaded: u64,
    /// Runs with nothing left to upload.
    pub already_uploaded: u64,
    /// Runs that failed.
    pub failed: u64,
    /// Runs without artifacts.
    pub artifacts_missing: u64,
}

impl Summary {
    fn add(&mut self, outcome: RunOutcome) {
        match outcome {
            RunOutcome::Uploaded => self.uploaded += 1,
            RunOutcome::AlreadyUploaded => self.already_uploaded += 1,
            RunOutcome::Failed => self.failed += 1,
            RunOutcome::ArtifactsMissing => self.artifacts_missing += 1,
            RunOutcome::Interrupted => {}
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "uploaded {}, already uploaded {}, failed {}, artifacts missing {}",
            self.uploaded, self.already_uploaded, self.failed, self.artifacts_missing
        )
    }
}

/// Runs a backfill until done or `shutdown`; uploads in flight are aborted
/// on shutdown (their claims lapse after the lease).
///
/// # Errors
/// The database cannot be reached or queried, or the ledger set up.
pub async fn run(
    mut settings: BackfillSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<ExitCode> {
    let pool = settings.database.connect(settings.jobs as u32 + 2).await?;
    let use_ledger = !settings.no_ledger
        && if settings.dry_run {
            // A dry run reads the ledger if it exists and never creates it.
            settings.database.has_ledger(&pool).await?
        } else {
            settings.database.migrate(&pool).await?;
            true
        };
    let ledger = use_ledger.then(|| {
        Ledger::new(
            pool.clone(),
            settings.host.as_deref(),
            settings.policy.clone(),
        )
    });
    let mut due = plan(&pool, &settings.distributions, ledger.as_ref());
    if settings.dry_run {
        while let Some(run) = due.next().await {
            let run = run?;
            output::record(
                &format!(
                    "{}\t{}\t{}\t{}",
                    run.run_id, run.distribution, run.source, run.version
                ),
                false,
            )?;
        }
        return Ok(ExitCode::Success);
    }
    let mut pipeline = settings
        .pipeline
        .take()
        .expect("settings give a pipeline unless it is a dry run");
    pipeline.ledger = ledger.clone();
    let pipeline = Arc::new(pipeline);
    let terminal = std::io::stderr().is_terminal();
    let progress = terminal.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("the template is valid"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let mut summary = Summary::default();
    let mut running = FuturesUnordered::new();
    let mut exhausted = false;
    loop {
        let limit_reached = settings
            .limit
            .is_some_and(|limit| summary.uploaded + running.len() as u64 >= limit);
        while !exhausted
            && !limit_reached
            && running.len() < settings.jobs
            && !shutdown.is_cancelled()
        {
            match due.next().await {
                Some(run) => {
                    let run = run?;
                    let pipeline = pipeline.clone();
                    let cancel = shutdown.clone();
                    running.push(async move { backfill_one(&pipeline, &run, &cancel).await });
                    if settings
                        .limit
                        .is_some_and(|l| summary.uploaded + running.len() as u64 >= l)
                    {
                        break;
                    }
                }
                None => exhausted = true,
            }
        }
        match running.next().await {
            Some(outcome) => {
                summary.add(outcome);
                if let Some(bar) = &progress {
                    bar.set_message(summary.to_string());
                }
            }
            None => break,
        }
    }
    drop(due);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if terminal || settings.verbose {
        eprintln!("backfill: {summary}");
    }
    if shutdown.is_cancelled() {
        return Err(crate::upload::Interrupted.into());
    }
    Ok(if summary.failed > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}
