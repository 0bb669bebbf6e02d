//! One run's upload as `listen` runs it: a job, the run's dispatch and
//! records, the chain (tried again after a transient local error, waiting
//! out a spent budget), and what is counted and logged of it.

use std::time::Instant;

use tokio::sync::OwnedSemaphorePermit;

use crate::chain::outcome::{Outcome, RunReport};
use crate::chain::pipeline::Dispatched;
use crate::chain::run_error::RunError;
use crate::chain::run_outcome::{is_transient_local, RunOutcome};
use crate::chain::upload::{upload_run, Ran};
use crate::input::dispatch::{Dispatch, NotDispatched};
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::ledger::database::DatabaseError;
use crate::ledger::janitor as ledger_janitor;
use crate::ledger::{self, Due};

use super::{Listener, RECORD_TIMEOUT, TRANSIENT_PAUSE, TRANSIENT_RETRIES};

impl Listener {
    pub(super) async fn upload(
        self,
        run_id: RunId,
        recorded: Recorded,
        permit: Option<OwnedSemaphorePermit>,
    ) {
        let mut permit = permit;
        let mut deferrals = 0u32;
        let ran = loop {
            let held = match permit.take() {
                Some(permit) => permit,
                None => tokio::select! {
                    permit = self.permits.clone().acquire_owned() => {
                        permit.expect("the semaphore is never closed")
                    }
                    // Stopping: a run that waits for a job is left due (the
                    // catch-up after the next start uploads it).
                    () = self.stopping.cancelled() => {
                        tracing::info!(run_id = %run_id, "stopping: not started, left due");
                        self.forget_in_flight(&run_id);
                        return;
                    }
                },
            };
            if let Some(reason) = self.paused() {
                // Not even fetched: the ledger's claim would refuse it
                // anyway. The run stays due; the catch-up after resume
                // uploads it.
                tracing::info!(run_id = %run_id, reason = %reason, "the ledger is paused: left due");
                self.metrics.left_due(RunOutcome::Paused.label(), false);
                self.forget_in_flight(&run_id);
                return;
            }
            let ran = self.upload_retrying(&run_id, &recorded).await;
            let Some(wait) = ran.retry_after() else {
                break ran;
            };
            // Over an upload budget: the job is freed while the run waits
            // for the budget, then it is tried again (with a ledger it
            // stays due meanwhile, for any process to take).
            drop(held);
            self.metrics.left_due(RunOutcome::Deferred.label(), true);
            if deferrals == 0 {
                tracing::info!(run_id = %run_id, retry_in = ?wait, "over the upload budget: deferred; tried again when it allows");
            }
            deferrals += 1;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                // Stopping: a deferred run is not in flight; it stays due.
                () = self.stopping.cancelled() => {
                    self.forget_in_flight(&run_id);
                    return;
                }
            }
        };
        if self.ledger.is_none() {
            let mut recent = self.recent.lock().expect("recent runs poisoned");
            // Done with the run unless a failure (bar a refusal, which is
            // final) leaves it to be tried again; an interruption says
            // nothing either way.
            let outcome = ran.outcome;
            if outcome == RunOutcome::Interrupted {
            } else if outcome.is_failure() && outcome != RunOutcome::Mismatch {
                recent.remove(&run_id);
            } else {
                recent.insert(run_id.clone());
            }
        }
        self.forget_in_flight(&run_id);
    }

    /// The step for one try: the chain, tried again after a transient
    /// local error; counted and logged unless it was deferred.
    pub(super) async fn upload_retrying(&self, run_id: &RunId, recorded: &Recorded) -> Ran {
        let started = Instant::now();
        self.metrics.upload_started();
        let mut retries = 0;
        let ran = loop {
            let ran = self.upload_once(run_id, recorded).await;
            if retries == TRANSIENT_RETRIES || !is_transient_local(&ran.result) {
                break ran;
            }
            let pause = TRANSIENT_PAUSE * 2u32.pow(retries);
            retries += 1;
            self.metrics.transient_retry();
            tracing::warn!(run_id = %run_id, ?pause, retry = retries, "a transient local error (no descriptor, memory or disk space left): trying the run again");
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = self.stopping.cancelled() => break ran,
            }
        };
        if ran.outcome != RunOutcome::Deferred {
            self.record(run_id, &ran, started.elapsed().as_secs_f64());
        }
        ran
    }

    pub(super) fn forget_in_flight(&self, run_id: &RunId) {
        self.in_flight
            .lock()
            .expect("in-flight set poisoned")
            .remove(run_id);
    }

    /// One try at a run: its dispatch and records, then the chain.
    pub(super) async fn upload_once(&self, run_id: &RunId, recorded: &Recorded) -> Ran {
        let (dispatch, records) = match self.dispatch(run_id, recorded.clone()).await {
            Ok(dispatched) => dispatched,
            Err(error) => return Ran::failed(error),
        };
        let ledger = self.ledger.as_ref();
        let run = Dispatched {
            dispatch: &dispatch,
            records: &records,
            janitor: self.janitor.as_ref(),
        };
        upload_run(&self.pipeline, ledger, run_id, run, &self.abort).await
    }

    /// What the Janitor dispatched the run as, and the worker's records to
    /// check beside it. With the Janitor's database, its `run` row is the
    /// authority (and the verdict), its `debian_build` row the record;
    /// without one, the runner's message says both.
    ///
    /// # Errors
    /// With a database: a run that is not in its run table, or a database
    /// that cannot be read within [`RECORD_TIMEOUT`] (the run is left to
    /// the catch-up backfill rather than signed without the verdict).
    pub(super) async fn dispatch(
        &self,
        run_id: &RunId,
        recorded: Recorded,
    ) -> Result<(Dispatch, Vec<Record>), RunError> {
        let (from_message, message_record) = match recorded {
            Recorded::Build(due) => {
                let dispatch = due.dispatch().map_err(RunError::database(format!(
                    "reading the run row of run {run_id}"
                )))?;
                return Ok((dispatch, vec![due.record()]));
            }
            Recorded::Message(dispatch, record) => (Some(dispatch), Some(*record)),
            Recorded::Approved => (None, None),
        };
        let Some(pool) = &self.janitor else {
            let dispatch = from_message.expect("without a database only messages start uploads");
            return Ok((dispatch, message_record.into_iter().collect()));
        };
        let read = async {
            match ledger::recorded_build(pool, run_id).await? {
                Some(row) => Ok::<_, DatabaseError>(Some((row.dispatch()?, row.record()))),
                None => Ok(None),
            }
        };
        let row = tokio::time::timeout(RECORD_TIMEOUT, read)
            .await
            .unwrap_or(Err(DatabaseError::TimedOut {
                what: "the run and debian_build rows",
                limit: RECORD_TIMEOUT,
            }))
            .map_err(RunError::database(format!(
                "reading the run and debian_build rows of run {run_id}"
            )))?;
        if let Some((dispatch, record)) = row {
            return Ok((dispatch, vec![record]));
        }
        let dispatch =
            tokio::time::timeout(RECORD_TIMEOUT, ledger_janitor::run_dispatch(pool, run_id))
                .await
                .unwrap_or(Err(DatabaseError::TimedOut {
                    what: "the run row",
                    limit: RECORD_TIMEOUT,
                }))
                .map_err(RunError::database(format!(
                    "reading the run row of run {run_id}"
                )))?
                .ok_or_else(|| NotDispatched::Missing {
                    run_id: run_id.as_str().to_owned(),
                })?;
        tracing::warn!(run_id = %run_id, "the run has no debian_build row: its .changes are compared with what the run table dispatched and the runner's message");
        Ok((dispatch, message_record.into_iter().collect()))
    }

    /// Counts and logs how an upload went.
    pub(super) fn record(&self, run_id: &RunId, ran: &Ran, seconds: f64) {
        let outcome = ran.outcome;
        let result = &ran.result;
        if let Ok(report) = result {
            for changes in &report.changes {
                match changes.outcome {
                    Outcome::SignFailed(_) | Outcome::BadSignature(_) => {
                        self.metrics.debsign_failed()
                    }
                    Outcome::UploadFailed(_) => self.metrics.upload_failed(),
                    Outcome::ClaimLost(_) => self.metrics.claim_lost(),
                    Outcome::Uploaded
                    | Outcome::WouldUpload
                    | Outcome::Skipped(_)
                    | Outcome::Superseded(_)
                    | Outcome::Stopped(_) => {}
                }
            }
        }
        let label = outcome.label();
        let uploaded = result.as_ref().is_ok_and(RunReport::uploaded);
        self.metrics.upload(label, seconds, uploaded);
        match result {
            Ok(_) if !outcome.is_failure() => {
                tracing::info!(run_id = %run_id, outcome = label, seconds, "upload finished")
            }
            Ok(_) => {
                tracing::error!(run_id = %run_id, outcome = label, seconds, "upload finished with failures")
            }
            Err(e) => {
                tracing::error!(run_id = %run_id, outcome = label, error = %e.chain(), "upload failed")
            }
        }
    }
}

/// Where a run's dispatch and record come from.
#[derive(Debug, Clone)]
pub(super) enum Recorded {
    /// Its `run` and `debian_build` rows, read by the catch-up backfill.
    Build(Box<Due>),
    /// The runner's message: the rows are read first, when there is a
    /// database.
    Message(Dispatch, Box<Record>),
    /// A `publish-status` approval: everything is read from the database.
    Approved,
}
