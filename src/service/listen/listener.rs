//! The [`Listener`]: decides on each runner message and `publish-status`
//! change, starts the uploads they ask for (several at once, a bounded
//! queue), the catch-up backfill, and the drain at shutdown.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::chain::pipeline::Pipeline;
use crate::input::message::{self, Decision, MessageFilter, StatusChange};
use crate::input::names::Suite;
use crate::input::run_id::RunId;
use crate::ledger::{self, Due, Ledger};
use crate::service::metrics::Metrics;
use crate::service::recent::Recent;

use super::uploads::Recorded;
use super::{CATCH_UP_MAX, DEFAULT_MAX_QUEUED, EXCERPT_BYTES};

/// Decides on messages and runs the uploads they ask for.
#[derive(Debug, Clone)]
pub struct Listener {
    pub(super) pipeline: Arc<Pipeline>,
    pub(super) ledger: Option<Ledger>,
    /// The Janitor's database, where the runs' `debian_build` rows are.
    pub(super) janitor: Option<PgPool>,
    /// Without a ledger: the runs uploaded lately, so that a message
    /// repeated is not uploaded again.
    pub(super) recent: Arc<Mutex<Recent>>,
    pub(super) filter: Arc<MessageFilter>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) permits: Arc<Semaphore>,
    pub(super) in_flight: Arc<Mutex<HashSet<RunId>>>,
    /// Uploads run at once.
    pub(super) jobs: usize,
    /// Runs accepted at most at once: running and waiting for a job.
    pub(super) capacity: usize,
    pub(super) tracker: TaskTracker,
    /// Fires when the service starts stopping: runs that wait (for a job,
    /// for an upload budget, before a retry) are left due at once; only
    /// what is signing or uploading is waited for.
    pub(super) stopping: CancellationToken,
    pub(super) abort: CancellationToken,
    /// The ledger's pause as last read (its reason), if it is paused.
    pub(super) paused: Arc<Mutex<Option<String>>>,
}

impl Listener {
    /// A listener running at most `jobs` uploads at once, with at most
    /// [`DEFAULT_MAX_QUEUED`] more waiting.
    pub fn new(
        pipeline: Pipeline,
        filter: MessageFilter,
        jobs: usize,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            pipeline: Arc::new(pipeline),
            ledger: None,
            janitor: None,
            recent: Arc::default(),
            filter: Arc::new(filter),
            metrics,
            permits: Arc::new(Semaphore::new(jobs.max(1))),
            in_flight: Arc::default(),
            jobs: jobs.max(1),
            capacity: jobs.max(1) + DEFAULT_MAX_QUEUED,
            tracker: TaskTracker::new(),
            stopping: CancellationToken::new(),
            abort: CancellationToken::new(),
            paused: Arc::default(),
        }
    }

    /// Why the ledger is paused, if it is (as last read).
    pub fn paused(&self) -> Option<String> {
        self.paused.lock().expect("pause poisoned").clone()
    }

    /// Records the ledger's pause; returns whether that changed it.
    pub(super) fn set_paused(&self, reason: Option<String>) -> bool {
        let mut paused = self.paused.lock().expect("pause poisoned");
        let changed = *paused != reason;
        *paused = reason;
        changed
    }

    /// The same listener recording its uploads in `ledger`.
    pub fn with_ledger(mut self, ledger: Option<Ledger>) -> Self {
        self.ledger = ledger;
        self
    }

    /// The same listener reading each run's record from the Janitor's
    /// `debian_build` table in `pool` (the runner's message is the record
    /// only for a run the table does not list).
    pub fn with_janitor(mut self, pool: Option<PgPool>) -> Self {
        self.janitor = pool;
        self
    }

    /// The same listener with at most `max_queued` runs waiting for a job.
    pub fn with_max_queued(mut self, max_queued: usize) -> Self {
        self.capacity = self.jobs + max_queued;
        self
    }

    /// The step for one message: decide, count, and start the upload in the
    /// background when the message asks for one (unless that run is being
    /// uploaded already, or, without a ledger, was uploaded lately; or the
    /// queue is full: then the run is dropped and left to the catch-up
    /// backfill). Never blocks and never fails.
    pub fn handle_message(&self, payload: &[u8]) -> Decision {
        let mut decision = message::decide(payload, &self.filter);
        let mut replayed = false;
        if let Decision::Upload(run_id, _, _) = &decision {
            let mut in_flight = self.in_flight.lock().expect("in-flight set poisoned");
            if in_flight.contains(run_id) {
                decision = Decision::Ignore("already being uploaded");
            } else if self.ledger.is_none()
                && self
                    .recent
                    .lock()
                    .expect("recent runs poisoned")
                    .contains(run_id)
            {
                replayed = true;
                tracing::info!(run_id = %run_id, "ignored: this run was uploaded lately (a message repeated)");
                decision = Decision::Ignore("uploaded lately");
            } else if in_flight.len() >= self.capacity {
                self.metrics.dropped();
                tracing::warn!(run_id = %run_id, queued = in_flight.len(), "queue full: run dropped, left to the catch-up backfill");
                decision = Decision::Ignore("queue full");
            } else {
                in_flight.insert(run_id.clone());
            }
        }
        match &decision {
            Decision::Upload(run_id, dispatch, record) => {
                self.metrics.message("accepted");
                tracing::info!(run_id = %run_id, campaign = %dispatch.campaign, "accepted");
                let recorded = Recorded::Message(dispatch.clone(), record.clone());
                self.tracker
                    .spawn(self.clone().upload(run_id.clone(), recorded, None));
            }
            Decision::Ignore(_) if replayed => self.metrics.message("replayed"),
            Decision::Ignore(reason) => {
                self.metrics.message("ignored");
                tracing::debug!(reason, "ignored message");
            }
            Decision::Malformed(error) => {
                self.metrics.message("malformed");
                tracing::warn!(
                    %error,
                    excerpt = %message::excerpt(payload, EXCERPT_BYTES),
                    "malformed message"
                );
            }
        }
        decision
    }

    /// Uploads a run found by a catch-up backfill (`record` is its
    /// `debian_build` row), waiting for a free job first so that a long
    /// backlog is fed in step with the uploads. Returns whether the upload
    /// was started (not when already in flight, nor when `shutdown` fired
    /// while waiting).
    pub async fn upload_when_free(
        &self,
        run_id: RunId,
        due: Due,
        shutdown: &CancellationToken,
    ) -> bool {
        let permit = tokio::select! {
            permit = self.permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = shutdown.cancelled() => return false,
        };
        let fresh = self
            .in_flight
            .lock()
            .expect("in-flight set poisoned")
            .insert(run_id.clone());
        if fresh {
            tracing::info!(run_id = %run_id, "catching up");
            self.tracker.spawn(self.clone().upload(
                run_id,
                Recorded::Build(Box::new(due)),
                Some(permit),
            ));
        }
        fresh
    }

    /// Runs a catch-up backfill: every run the plan says is due is uploaded
    /// through this listener (same jobs, same in-flight check).
    pub async fn catch_up(
        &self,
        pool: PgPool,
        distributions: Vec<Suite>,
        shutdown: CancellationToken,
    ) {
        // The plan is read first, then fed to the jobs: no pool connection
        // is held while a run waits for a job (a long backlog would
        // otherwise keep one for hours). Past CATCH_UP_MAX runs, the rest
        // waits for the next catch-up or backfill.
        let campaigns = &self.pipeline.campaigns;
        let read = ledger::plan(&pool, &distributions, self.ledger.as_ref(), campaigns)
            .take(CATCH_UP_MAX)
            .collect::<Vec<_>>();
        let Ok(due) = tokio::time::timeout(ledger::database::QUERY_TIMEOUT, read).await else {
            tracing::error!("catch-up backfill failed: the plan did not come within 30 s");
            return;
        };
        if due.len() == CATCH_UP_MAX {
            tracing::warn!(
                runs = CATCH_UP_MAX,
                "catch-up backfill: more runs are due than one catch-up takes; the rest waits for the next"
            );
        }
        let mut started = 0u64;
        for row in due {
            let (run_id, record) = match row.map(|d| (d.run_id.parse::<RunId>(), d)) {
                Ok((Ok(run_id), record)) => (run_id, record),
                Ok((Err(e), _)) => {
                    tracing::warn!(error = %e, "catch-up: skipping an unsafe run id");
                    continue;
                }
                Err(e) => {
                    tracing::error!(error = %e, "catch-up backfill failed");
                    return;
                }
            };
            if !self.upload_when_free(run_id, record, &shutdown).await {
                if shutdown.is_cancelled() {
                    return;
                }
                continue;
            }
            started += 1;
        }
        tracing::info!(started, "catch-up backfill planned");
    }

    /// Starts a catch-up backfill in the background.
    pub fn spawn_catch_up(
        &self,
        pool: &PgPool,
        distributions: &[Suite],
        shutdown: &CancellationToken,
    ) {
        self.metrics.catch_up_started();
        let (listener, pool) = (self.clone(), pool.clone());
        let (distributions, shutdown) = (distributions.to_vec(), shutdown.clone());
        tokio::spawn(async move { listener.catch_up(pool, distributions, shutdown).await });
    }

    /// The step for one `publish-status` message: an approval starts the
    /// upload of that run (its dispatch and verdict read from the
    /// database, never from the message), with the same claim and ledger
    /// rules as every upload; a rejection is only logged (the verdict is
    /// read again before debsign). Never blocks and never fails.
    pub fn handle_status(&self, payload: &[u8]) -> StatusChange {
        let change = message::decide_status(payload);
        match &change {
            StatusChange::Approved(run_id) if self.janitor.is_some() => {
                let fresh = {
                    let mut in_flight = self.in_flight.lock().expect("in-flight set poisoned");
                    in_flight.len() < self.capacity && in_flight.insert(run_id.clone())
                };
                if fresh {
                    self.metrics.message("approved");
                    tracing::info!(run_id = %run_id, "approved by the reviewers: uploading");
                    self.tracker.spawn(self.clone().upload(
                        run_id.clone(),
                        Recorded::Approved,
                        None,
                    ));
                } else {
                    tracing::info!(run_id = %run_id, "approved by the reviewers: already being uploaded, or the queue is full (left to the catch-up)");
                }
            }
            StatusChange::Approved(_) | StatusChange::Other => {}
            StatusChange::Stopped(run_id, status) => {
                tracing::info!(run_id = %run_id, status = %status, "the reviewers' verdict forbids signing this run");
            }
            StatusChange::Malformed(error) => {
                self.metrics.message("malformed");
                tracing::warn!(%error, excerpt = %message::excerpt(payload, EXCERPT_BYTES), "malformed publish-status message");
            }
        }
        change
    }

    /// Waits for the uploads in flight, at most `timeout`; then aborts the
    /// rest (their tools are killed, their directories removed). Returns
    /// whether everything finished in time.
    pub async fn drain(&self, timeout: Duration) -> bool {
        self.stopping.cancel();
        self.tracker.close();
        let in_time = tokio::time::timeout(timeout, self.tracker.wait())
            .await
            .is_ok();
        if !in_time {
            tracing::warn!(
                ?timeout,
                "uploads still running after the shutdown timeout; aborting them"
            );
            self.abort.cancel();
            self.tracker.wait().await;
        }
        in_time
    }

    /// Uploads started and not finished yet.
    pub fn in_flight(&self) -> usize {
        self.tracker.len()
    }
}
