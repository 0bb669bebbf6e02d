//! The upload chain for one run: fetch → find and verify → sign → dput, in a
//! private temporary directory. `upload-run`, `listen` and `backfill` all
//! call [`upload_run`].

use tokio_util::sync::CancellationToken;

use crate::chain::claimed::upload_one;
use crate::chain::dput::Uploader;
use crate::chain::fetch::fetch_checked;
use crate::chain::outcome::{ChangesReport, Outcome, RunReport};
use crate::chain::pipeline::{Checks, Dispatched, Pipeline};
use crate::chain::publish::{OutcomeMessage, Publisher};
use crate::chain::run_error::RunError;
use crate::chain::run_outcome::{RunOutcome, RunRecord};
use crate::input::dispatch::{CampaignRules, Decision, UnknownCampaign};
use crate::input::names::DputHost;
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::input::verdict::check_verdict;
use crate::ledger::{self as ledger_db, Ledger};
use crate::shutdown::Interrupted;

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
/// What it returns is the run's report, or the [`RunError`] that stopped
/// it (the campaign, the route and the verdict before anything is fetched;
/// the store, a `.changes`, the ledger or this host before anything was
/// signed; shutdown), with the one [`RunOutcome`] made of it. Signing and
/// upload failures are in the report.
#[tracing::instrument(skip(pipeline, ledger, run, cancel), fields(run_id = %run_id))]
pub async fn upload_run(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    run: Dispatched<'_>,
    cancel: &CancellationToken,
) -> Ran {
    let ledger = ledger.filter(|_| !pipeline.dry_run);
    let result = route_and_upload(pipeline, ledger, run_id, run, cancel).await;
    let outcome = RunOutcome::of(&result);
    if let (Some(publisher), Ok(report), false) = (&pipeline.publisher, &result, pipeline.dry_run) {
        publish(publisher, &pipeline.uploader, run_id, report).await;
    }
    Ran { outcome, result }
}

/// A run's end: the report (or the error that stopped it) and the one
/// outcome made of it, which the ledger, the metrics, backfill's summary,
/// listen and the exit code all read.
#[derive(Debug)]
pub struct Ran {
    /// How it went, in one word.
    pub outcome: RunOutcome,
    /// What happened to each `.changes`, or why the run failed as a whole.
    pub result: Result<RunReport, RunError>,
}

impl Ran {
    /// A run that failed before the chain could start (its dispatch could
    /// not be read, say).
    pub fn failed(error: RunError) -> Self {
        let result = Err(error);
        Self {
            outcome: RunOutcome::of(&result),
            result,
        }
    }

    /// How long until the budgets may allow a `.changes` deferred for them.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.result.as_ref().ok().and_then(RunReport::retry_after)
    }
}

/// The campaign and the route come first (nothing is recorded when either
/// is missing); then the verdict, the decision and the chain, recorded in
/// the ledger as a whole under the suite's host.
async fn route_and_upload(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    run: Dispatched<'_>,
    cancel: &CancellationToken,
) -> Result<RunReport, RunError> {
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
    let suite = &rules.build_distribution;
    pipeline.uploader.hosts.route(suite)?;
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
) -> Result<RunReport, RunError> {
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
            .map_err(RunError::database(
                "reading the source packages of the run's codebase",
            ))?,
        None => ledger_db::janitor::codebase_source(&dispatch.codebase),
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
                    .cloned(),
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
async fn record_run(ledger: &Ledger, run_id: &RunId, result: &Result<RunReport, RunError>) {
    let recorded = match RunOutcome::of(result).run_record() {
        None => Ok(()),
        Some(RunRecord::GotThrough) => ledger.run_succeeded(run_id).await,
        Some(state @ (RunRecord::Rejected | RunRecord::AwaitingReview)) => {
            let text = match result {
                Err(e) => e.chain(),
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
                .map_or_else(String::new, RunError::chain);
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
) -> Result<RunReport, RunError> {
    let workdir = tempfile::Builder::new()
        .prefix("auto-upload-")
        .tempdir()
        .map_err(|source| RunError::Local {
            doing: "cannot create a temporary directory".into(),
            source,
        })?;
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

async fn upload_in(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    workdir: &std::path::Path,
) -> Result<RunReport, RunError> {
    let mut found = fetch_checked(pipeline, ledger, run_id, checks, workdir).await?;
    // Every .changes was checked to target the campaign's build
    // distribution: its suite, routed before anything was fetched.
    let suite = &checks.decision.rules.build_distribution;
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
            let bound = ledger.and_then(|l| l.for_suite(suite));
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
            let host = pipeline.uploader.hosts.route(suite).ok().flatten();
            tracing::info!(
                run_id = %run_id,
                changes = %parsed.file_name(),
                source = %parsed.source,
                version = %parsed.version,
                host = host.map_or("(dput's default)", DputHost::as_str),
                outcome = outcome.label(),
                "a .changes is done"
            );
        }
        report.changes.push(ChangesReport {
            name: parsed.file_name(),
            source: parsed.source,
            version: parsed.version,
            distribution: suite.clone(),
            outcome,
        });
    }
    Ok(report)
}
