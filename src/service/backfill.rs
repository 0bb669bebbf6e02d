//! Backfill: upload the newest build of each (distribution, source) in the
//! Janitor's `debian_build` table that the ledger does not show as done.
//! Planned with one streaming query (an anti-join against the ledger),
//! uploaded `--jobs` at a time through the same chain as `upload-run`.
//! What is printed (the plan of a dry run, progress, the summary) is left
//! to the caller's [`Report`].

use std::sync::Arc;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use sqlx::PgPool;

use crate::chain::pipeline::{Dispatched, Pipeline};
use crate::chain::run_outcome::RunOutcome;
use crate::chain::upload::upload_run;
use crate::input::dispatch::Campaigns;
use crate::input::names::Suite;
use crate::input::run_id::RunId;
use crate::ledger::{pause, plan, Access, Due, Ledger, LedgerConfig};
use crate::shutdown::unless_stopped;

/// What a backfill needs.
#[derive(Debug)]
pub struct BackfillSettings {
    /// The Janitor database, and the ledger unless `--no-ledger`.
    pub database: LedgerConfig,
    /// Only these distributions (all when empty).
    pub distributions: Vec<Suite>,
    /// The upload chain (none for a dry run).
    pub pipeline: Option<Pipeline>,
    /// Uploads at once.
    pub jobs: usize,
    /// Stop after this many uploaded runs.
    pub limit: Option<u64>,
    /// Print what is due, upload nothing.
    pub dry_run: bool,
    /// Where the run's figures go for node_exporter (`--metrics-file`).
    pub metrics_file: Option<std::path::PathBuf>,
    /// `--check`: everything an upload needs is tried first.
    pub check: bool,
    /// The Debian campaigns of `janitor.conf` and `--require-review`: what
    /// the plan may pick (a dry run lists what an upload would take).
    pub campaigns: Arc<Campaigns>,
}

/// What a backfill tells the layer that prints.
pub trait Report: Send {
    /// A run that is due (a dry run lists them).
    ///
    /// # Errors
    /// It cannot be printed.
    fn due(&mut self, due: &Due) -> anyhow::Result<()>;
    /// The summary so far, after each finished run.
    fn progress(&mut self, summary: &Summary);
}

/// The step for one planned run: the `upload-run` chain, its outcome logged.
pub async fn backfill_one(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    janitor: &PgPool,
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
    let dispatch = match due.dispatch() {
        Ok(dispatch) => dispatch,
        Err(e) => {
            tracing::error!(run_id = %run_id, error = %e, "skipping a run whose run row cannot be read");
            return RunOutcome::Failed;
        }
    };
    let records = [due.record()];
    let run = Dispatched {
        dispatch: &dispatch,
        records: &records,
        janitor: Some(janitor),
    };
    let ran = upload_run(pipeline, ledger, &run_id, run, cancel).await;
    let outcome = ran.outcome;
    // Each .changes' end is logged by the chain itself.
    match &ran.result {
        Ok(_) => {}
        Err(_) if outcome == RunOutcome::Interrupted => {}
        Err(e) if outcome == RunOutcome::ArtifactsMissing => {
            tracing::warn!(run_id = %run_id, source = %due.source, "{}", e.chain());
        }
        Err(e) => tracing::error!(run_id = %run_id, source = %due.source, "{}", e.chain()),
    }
    outcome
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
    /// Runs the archive had already.
    pub superseded: u64,
    /// Runs left due because the ledger is paused (`ledger pause`).
    pub paused: u64,
    /// Runs left due because an upload budget is spent
    /// (`--max-uploads-per-hour`).
    pub deferred: u64,
    /// Runs left due because their suite has no dput host (counted among
    /// the failures too: the configuration needs mending).
    pub unrouted: u64,
    /// Runs whose campaign is not a Debian campaign of janitor.conf (also
    /// counted as failed).
    pub unknown_campaign: u64,
    /// Runs the reviewers' verdict stopped (rejected or blocked, or
    /// awaiting review): not failures, not attempts.
    pub stopped: u64,
}

impl Summary {
    /// Counts one finished run.
    pub fn add(&mut self, outcome: RunOutcome) {
        match outcome {
            RunOutcome::Uploaded => self.uploaded += 1,
            RunOutcome::Skipped => self.already_uploaded += 1,
            RunOutcome::ArtifactsMissing => self.artifacts_missing += 1,
            RunOutcome::Superseded => self.superseded += 1,
            RunOutcome::Paused => self.paused += 1,
            RunOutcome::Deferred => self.deferred += 1,
            RunOutcome::Unrouted => {
                self.unrouted += 1;
                self.failed += 1;
            }
            RunOutcome::UnknownCampaign => {
                self.unknown_campaign += 1;
                self.failed += 1;
            }
            RunOutcome::Rejected | RunOutcome::AwaitingReview => self.stopped += 1,
            RunOutcome::Interrupted => {}
            RunOutcome::SignFailed
            | RunOutcome::UploadFailed
            | RunOutcome::ClaimLost
            | RunOutcome::NoChanges
            | RunOutcome::VerificationFailed
            | RunOutcome::Mismatch
            | RunOutcome::Failed => self.failed += 1,
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "uploaded {}, already uploaded {}, failed {}, artifacts missing {}, superseded {}",
            self.uploaded,
            self.already_uploaded,
            self.failed,
            self.artifacts_missing,
            self.superseded
        )?;
        if self.paused > 0 {
            write!(f, ", left due by the pause {}", self.paused)?;
        }
        if self.deferred > 0 {
            write!(f, ", deferred by the upload budget {}", self.deferred)?;
        }
        if self.unrouted > 0 {
            write!(f, ", left due for want of a dput host {}", self.unrouted)?;
        }
        if self.unknown_campaign > 0 {
            write!(
                f,
                ", left due for want of a Debian campaign in janitor.conf {}",
                self.unknown_campaign
            )?;
        }
        if self.stopped > 0 {
            write!(f, ", stopped by the reviewers' verdict {}", self.stopped)?;
        }
        Ok(())
    }
}

/// A dry run: hands every due run to `report`, uploads nothing. The ledger
/// is read if it exists, never created.
///
/// # Errors
/// The database cannot be reached or queried, or a run cannot be printed.
pub async fn list_due(settings: &BackfillSettings, report: &mut dyn Report) -> anyhow::Result<()> {
    let opened = settings.database.open(1, Access::ReadIfPresent).await?;
    let mut due = plan(
        &opened.pool,
        &settings.distributions,
        opened.ledger.as_ref(),
        &settings.campaigns,
    );
    while let Some(run) = due.next().await {
        report.due(&run?)?;
    }
    Ok(())
}

/// Runs a backfill until done or `shutdown`; uploads in flight are aborted
/// on shutdown (their claims lapse after the lease). Returns what was done,
/// also when interrupted.
///
/// # Errors
/// The database cannot be reached or queried, or the ledger set up.
pub async fn run(
    settings: BackfillSettings,
    shutdown: &CancellationToken,
    report: &mut dyn Report,
) -> anyhow::Result<Summary> {
    if let (true, Some(pipeline)) = (settings.check, &settings.pipeline) {
        let subject = crate::service::check::Subject {
            pipeline,
            database: Some(&settings.database),
            redis: None,
        };
        crate::service::check::before_start(subject).await?;
    }
    let opened = unless_stopped(
        shutdown,
        settings.database.open(settings.jobs, Access::Write),
    )
    .await?;
    let pipeline = Arc::new(
        settings
            .pipeline
            .expect("settings give a pipeline unless it is a dry run"),
    );
    let ledger = opened.ledger.clone();
    let mut summary = Summary::default();
    if let Some(ledger) = &ledger {
        if let Some(pause) = pause::paused(ledger.pool()).await? {
            tracing::warn!(reason = %pause.reason, by = %pause.by, since = %pause.since, "the ledger is paused: nothing is uploaded; the runs stay due");
            return Ok(summary);
        }
    }
    let mut due = plan(
        &opened.pool,
        &settings.distributions,
        ledger.as_ref(),
        &settings.campaigns,
    );
    let mut running = FuturesUnordered::new();
    let mut exhausted = false;
    loop {
        while !exhausted
            && running.len() < settings.jobs
            && !shutdown.is_cancelled()
            && !limit_reached(settings.limit, &summary, running.len())
            && summary.paused == 0
            && summary.deferred == 0
        {
            let Some(run) = due.next().await else {
                exhausted = true;
                break;
            };
            let run = run?;
            let (pipeline, ledger, cancel) = (pipeline.clone(), ledger.clone(), shutdown.clone());
            let janitor = opened.pool.clone();
            running.push(async move {
                backfill_one(&pipeline, ledger.as_ref(), &janitor, &run, &cancel).await
            });
        }
        let Some(outcome) = running.next().await else {
            break;
        };
        summary.add(outcome);
        report.progress(&summary);
    }
    Ok(summary)
}

/// Whether `--limit` uploaded runs are done or under way.
fn limit_reached(limit: Option<u64>, summary: &Summary, running: usize) -> bool {
    limit.is_some_and(|limit| summary.uploaded + running as u64 >= limit)
}
