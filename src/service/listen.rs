//! The upload service: subscribe to the runner's Redis channel and upload
//! every successful Debian build, several at once, surviving bad messages
//! and Redis restarts, and stopping cleanly when asked.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt;
use sqlx::PgPool;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::chain::signature::Pin;
use crate::chain::upload::{
    is_transient_local, upload_run, Dispatched, Outcome, Pipeline, RunOutcome, RunReport,
};
use crate::input::dispatch::{Dispatch, NotDispatched};
use crate::input::message::{self, Decision, MessageFilter, StatusChange};
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::input::syntax::printable;
use crate::ledger::database::{Database, DatabaseError};
use crate::ledger::janitor as ledger_janitor;
use crate::ledger::pause::{self, Pause};
use crate::ledger::{self, Access, Due, Ledger, LedgerConfig, Opened};
use crate::service::metrics::Metrics;
use crate::service::notify::Notifier;
use crate::service::recent::Recent;
use crate::service::server::{self, Readiness};
use crate::shutdown::unless_stopped;

/// How many bytes of a bad message are logged.
const EXCERPT_BYTES: usize = 200;
/// How often a quiet subscription is checked with PING, and how long the
/// answer may take: a dead subscription is noticed within 8 s.
const PING_INTERVAL: Duration = Duration::from_secs(4);
const PING_TIMEOUT: Duration = Duration::from_secs(4);
/// How long connecting, subscribing or a PING may take.
const REDIS_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the ledger's database is probed, and how long a probe may take.
const DATABASE_PROBE: Duration = Duration::from_secs(2);
/// Time asked of systemd beyond the shutdown timeout, to abort and clean up.
const STOP_MARGIN: Duration = Duration::from_secs(30);
/// How many database probes between two counts of unconfirmed uploads
/// (30 s).
const UNCONFIRMED_EVERY: u64 = 15;
/// How many times a run that failed for a transient local reason is tried
/// again, and the first pause (twice as long each time).
const TRANSIENT_RETRIES: u32 = 3;
const TRANSIENT_PAUSE: Duration = Duration::from_secs(2);
/// How often the signing key's expiry is read again.
const KEY_CHECK: Duration = Duration::from_secs(24 * 3600);
/// How long reading a run's `debian_build` row may take.
const RECORD_TIMEOUT: Duration = Duration::from_secs(5);
/// Runs that may wait for a job unless told otherwise.
pub const DEFAULT_MAX_QUEUED: usize = 1000;
/// The most runs one catch-up backfill reads (and then uploads).
const CATCH_UP_MAX: usize = 10_000;

/// Everything `listen` needs.
#[derive(Debug)]
pub struct ListenSettings {
    /// The runner's Redis.
    pub redis: redis::Client,
    /// The Janitor database, when configured (the runs' records, catch-up
    /// backfills after every reconnect), and the ledger in it unless
    /// `--no-ledger`.
    pub database: Option<LedgerConfig>,
    /// Run one backfill at start.
    pub backfill_at_start: bool,
    /// Runs that may wait for a job; more are dropped.
    pub max_queued: usize,
    /// The channel results are published on.
    pub channel: String,
    /// The channel reviewers' verdicts are announced on (subscribed with a
    /// database).
    pub status_channel: String,
    /// Try everything an upload needs before starting (`--check`).
    pub check: bool,
    /// Uploads at once.
    pub jobs: usize,
    /// Which runs to act on.
    pub filter: MessageFilter,
    /// The upload chain.
    pub pipeline: Pipeline,
    /// Where the health server listens, if it runs.
    pub health_addr: Option<(String, u16)>,
    /// How long uploads in flight may take to finish after shutdown.
    pub shutdown_timeout: Duration,
    /// Which artifact store, Redis and database are used and where each
    /// came from, for the start-up line.
    pub locations: Vec<String>,
}

impl ListenSettings {
    /// What `check-config` and `--check` try.
    pub fn check_subject(&self) -> crate::service::check::Subject<'_> {
        crate::service::check::Subject {
            pipeline: &self.pipeline,
            database: self.database.as_ref(),
            redis: &self.redis,
            channel: &self.channel,
        }
    }
}

/// Decides on messages and runs the uploads they ask for.
#[derive(Debug, Clone)]
pub struct Listener {
    pipeline: Arc<Pipeline>,
    ledger: Option<Ledger>,
    /// The Janitor's database, where the runs' `debian_build` rows are.
    janitor: Option<PgPool>,
    /// Without a ledger: the runs uploaded lately, so that a message
    /// repeated is not uploaded again.
    recent: Arc<Mutex<Recent>>,
    filter: Arc<MessageFilter>,
    metrics: Arc<Metrics>,
    permits: Arc<Semaphore>,
    in_flight: Arc<Mutex<HashSet<RunId>>>,
    /// Uploads run at once.
    jobs: usize,
    /// Runs accepted at most at once: running and waiting for a job.
    capacity: usize,
    tracker: TaskTracker,
    /// Fires when the service starts stopping: runs that wait (for a job,
    /// for an upload budget, before a retry) are left due at once; only
    /// what is signing or uploading is waited for.
    stopping: CancellationToken,
    abort: CancellationToken,
    /// The ledger's pause as last read (its reason), if it is paused.
    paused: Arc<Mutex<Option<String>>>,
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
    fn set_paused(&self, reason: Option<String>) -> bool {
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
        distributions: Vec<String>,
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
        distributions: &[String],
        shutdown: &CancellationToken,
    ) {
        self.metrics.catch_up_started();
        let (listener, pool) = (self.clone(), pool.clone());
        let (distributions, shutdown) = (distributions.to_vec(), shutdown.clone());
        tokio::spawn(async move { listener.catch_up(pool, distributions, shutdown).await });
    }

    async fn upload(self, run_id: RunId, recorded: Recorded, permit: Option<OwnedSemaphorePermit>) {
        let mut permit = permit;
        let mut deferrals = 0u32;
        let result = loop {
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
            let result = self.upload_retrying(&run_id, &recorded).await;
            let Some(wait) = result.as_ref().ok().and_then(RunReport::retry_after) else {
                break result;
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
            match RunOutcome::of(&result) {
                RunOutcome::Interrupted => {}
                outcome if outcome.is_failure() && outcome != RunOutcome::Mismatch => {
                    recent.remove(&run_id)
                }
                _ => recent.insert(run_id.clone()),
            }
        }
        self.forget_in_flight(&run_id);
    }

    /// The step for one try: the chain, tried again after a transient
    /// local error; counted and logged unless it was deferred.
    async fn upload_retrying(
        &self,
        run_id: &RunId,
        recorded: &Recorded,
    ) -> anyhow::Result<RunReport> {
        let started = Instant::now();
        self.metrics.upload_started();
        let mut retries = 0;
        let result = loop {
            let result = self.upload_once(run_id, recorded).await;
            if retries == TRANSIENT_RETRIES || !is_transient_local(&result) {
                break result;
            }
            let pause = TRANSIENT_PAUSE * 2u32.pow(retries);
            retries += 1;
            self.metrics.transient_retry();
            tracing::warn!(run_id = %run_id, ?pause, retry = retries, "a transient local error (no descriptor, memory or disk space left): trying the run again");
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = self.stopping.cancelled() => break result,
            }
        };
        if RunOutcome::of(&result) != RunOutcome::Deferred {
            self.record(run_id, &result, started.elapsed().as_secs_f64());
        }
        result
    }

    fn forget_in_flight(&self, run_id: &RunId) {
        self.in_flight
            .lock()
            .expect("in-flight set poisoned")
            .remove(run_id);
    }

    /// One try at a run: its dispatch and records, then the chain.
    async fn upload_once(&self, run_id: &RunId, recorded: &Recorded) -> anyhow::Result<RunReport> {
        let (dispatch, records) = self.dispatch(run_id, recorded.clone()).await?;
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
    async fn dispatch(
        &self,
        run_id: &RunId,
        recorded: Recorded,
    ) -> anyhow::Result<(Dispatch, Vec<Record>)> {
        let (from_message, message_record) = match recorded {
            Recorded::Build(due) => return Ok((due.dispatch()?, vec![due.record()])),
            Recorded::Message(dispatch, record) => (Some(dispatch), Some(record)),
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
            .unwrap_or_else(|_| Err(DatabaseError::Query(sqlx::Error::PoolTimedOut)))
            .with_context(|| format!("reading the run and debian_build rows of run {run_id}"))?;
        if let Some((dispatch, record)) = row {
            return Ok((dispatch, vec![record]));
        }
        let dispatch =
            tokio::time::timeout(RECORD_TIMEOUT, ledger_janitor::run_dispatch(pool, run_id))
                .await
                .unwrap_or_else(|_| Err(DatabaseError::Query(sqlx::Error::PoolTimedOut)))
                .with_context(|| format!("reading the run row of run {run_id}"))?
                .ok_or_else(|| NotDispatched::Missing {
                    run_id: run_id.as_str().to_owned(),
                })?;
        tracing::warn!(run_id = %run_id, "the run has no debian_build row: its .changes are compared with what the run table dispatched and the runner's message");
        Ok((dispatch, message_record.into_iter().collect()))
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

    /// Counts and logs how an upload went.
    fn record(&self, run_id: &RunId, result: &anyhow::Result<RunReport>, seconds: f64) {
        let outcome = RunOutcome::of(result);
        if let Ok(report) = result {
            for changes in &report.changes {
                match changes.outcome {
                    Outcome::SignFailed(_) | Outcome::BadSignature(_) => {
                        self.metrics.debsign_failed()
                    }
                    Outcome::UploadFailed(_) => self.metrics.upload_failed(),
                    Outcome::ClaimLost(_) => self.metrics.claim_lost(),
                    _ => {}
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
                tracing::error!(run_id = %run_id, outcome = label, error = %format!("{e:#}"), "upload failed")
            }
        }
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

/// Where a run's dispatch and record come from.
#[derive(Debug, Clone)]
enum Recorded {
    /// Its `run` and `debian_build` rows, read by the catch-up backfill.
    Build(Box<Due>),
    /// The runner's message: the rows are read first, when there is a
    /// database.
    Message(Dispatch, Record),
    /// A `publish-status` approval: everything is read from the database.
    Approved,
}

/// Runs the service until `shutdown` fires, then lets uploads in flight
/// finish (at most the shutdown timeout).
///
/// # Errors
/// The health server's address cannot be bound, or the configured database
/// cannot be reached or its ledger set up. Redis trouble is never an error:
/// the service reconnects.
pub async fn run(settings: ListenSettings, shutdown: CancellationToken) -> anyhow::Result<()> {
    tracing::info!(
        locations = %settings.locations.join("; "),
        jobs = settings.jobs,
        channel = %settings.channel,
        hosts = %settings.pipeline.uploader.hosts.describe(),
        ledger = settings.database.as_ref().is_some_and(|d| d.policy.is_some()),
        "starting"
    );
    raise_open_files_limit();
    if settings.check {
        let checks = crate::service::check::run(settings.check_subject()).await;
        for check in &checks {
            if check.ok {
                tracing::info!(item = check.item, detail = %check.detail, "check: ok");
            } else {
                tracing::error!(item = check.item, detail = %check.detail, "check: FAIL");
            }
        }
        let failed: Vec<_> = checks.into_iter().filter(|c| !c.ok).collect();
        if !failed.is_empty() {
            return Err(crate::service::check::CheckFailed(failed).into());
        }
    }
    // The first uploads find their suites' indices read.
    settings
        .pipeline
        .archives
        .warm(&settings.filter.distributions);
    let metrics = Arc::new(match &settings.pipeline.publisher {
        Some(publisher) => Metrics::with_publish_failures(publisher.failures()),
        None => Metrics::new(),
    });
    tokio::spawn(watch_key(
        settings.pipeline.signer.key.clone(),
        metrics.clone(),
        shutdown.clone(),
    ));
    let readiness = Arc::new(Readiness::default());
    let server = HealthServer::start(settings.health_addr.as_ref(), &readiness, &metrics).await?;
    let opened = unless_stopped(&shutdown, open_database(&settings)).await?;
    let ledger = opened.as_ref().and_then(|o| o.ledger.clone());
    let listener = Listener::new(
        settings.pipeline,
        settings.filter.clone(),
        settings.jobs,
        metrics.clone(),
    )
    .with_ledger(ledger.clone())
    .with_janitor(opened.as_ref().map(|o| o.pool.clone()))
    .with_max_queued(settings.max_queued);
    let distributions = settings.filter.distributions.clone();
    let notifier = Notifier::from_env();
    // Ready once the health server is bound and the ledger set up; Redis
    // may come later (an outage must not fail the start).
    notifier.ready("redis: connecting; uploads in flight: 0");
    if let Some(ledger) = &ledger {
        let home = settings
            .database
            .as_ref()
            .map(|c| c.ledger_database.as_ref().unwrap_or(&c.database).clone())
            .expect("a ledger comes from a configured database");
        tokio::spawn(watch_database(DatabaseWatch {
            ledger: ledger.clone(),
            pool: ledger.pool().clone(),
            database: home,
            readiness: readiness.clone(),
            metrics: metrics.clone(),
            listener: listener.clone(),
            distributions: distributions.clone(),
            shutdown: shutdown.clone(),
        }));
    }
    let subscriber = Subscriber {
        client: &settings.redis,
        channel: &settings.channel,
        status_channel: opened.as_ref().map(|_| settings.status_channel.as_str()),
        listener: &listener,
        readiness: &readiness,
        metrics: &metrics,
        catch_up: opened.as_ref().map(|o| o.pool.clone()),
        with_ledger: ledger.is_some(),
        backfill_at_start: settings.backfill_at_start,
        distributions: &distributions,
    };
    let mut heartbeat = Heartbeat::new(notifier.clone());
    subscriber.run(&mut heartbeat, &shutdown).await;
    tracing::info!(
        in_flight = listener.in_flight(),
        "stopping: no more messages are read"
    );
    drain(
        &listener,
        &notifier,
        &mut heartbeat,
        settings.shutdown_timeout,
    )
    .await;
    server.stop().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Raises the soft limit on open files to the hard one (systemd's default
/// soft limit is 1,024), so that the health port's connections and the
/// uploads' files and pipes have room. Logged, never fatal.
fn raise_open_files_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current == limit.maximum {
        return;
    }
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => {
            tracing::debug!(from = ?limit.current, to = ?limit.maximum, "raised the open files limit")
        }
        Err(e) => tracing::warn!(error = %e, "cannot raise the open files limit"),
    }
}

/// The database, when one is configured: the runs' records, the ledger,
/// the catch-up backfills. Without a ledger or a backfill at start it is
/// connected on first use, so that an outage does not fail the start.
async fn open_database(settings: &ListenSettings) -> anyhow::Result<Option<Opened>> {
    Ok(match &settings.database {
        Some(config) if config.policy.is_some() || settings.backfill_at_start => {
            Some(config.open(settings.jobs, Access::Write).await?)
        }
        Some(config) => Some(Opened {
            pool: config
                .database
                .connect_lazy(ledger::pool_size(settings.jobs)),
            ledger: None,
        }),
        None => None,
    })
}

/// Lets the uploads in flight finish (at most `timeout`), telling systemd
/// it is stopping and how long it may take, and still feeding the
/// watchdog meanwhile.
async fn drain(
    listener: &Listener,
    notifier: &Notifier,
    heartbeat: &mut Heartbeat,
    timeout: Duration,
) {
    notifier.stopping(
        &format!(
            "stopping: waiting for {} uploads in flight",
            listener.in_flight()
        ),
        timeout + STOP_MARGIN,
    );
    let drained = listener.drain(timeout);
    tokio::pin!(drained);
    loop {
        tokio::select! {
            _ = &mut drained => break,
            () = heartbeat.tick() => notifier.alive(),
        }
    }
}

/// The `/health`, `/ready` and `/metrics` server, when configured.
struct HealthServer {
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    stop: CancellationToken,
}

impl HealthServer {
    /// Binds `addr` and serves in the background.
    async fn start(
        addr: Option<&(String, u16)>,
        readiness: &Arc<Readiness>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let stop = CancellationToken::new();
        let Some((host, port)) = addr else {
            return Ok(Self { task: None, stop });
        };
        let listener = tokio::net::TcpListener::bind((host.as_str(), *port))
            .await
            .with_context(|| format!("cannot listen on {host}:{port}"))?;
        tracing::info!(address = %listener.local_addr()?, "health server listening");
        let task = tokio::spawn(server::serve(
            listener,
            readiness.clone(),
            metrics.clone(),
            stop.clone(),
        ));
        Ok(Self {
            task: Some(task),
            stop,
        })
    }

    /// Stops serving and waits for the server to end.
    async fn stop(self) -> anyhow::Result<()> {
        self.stop.cancel();
        if let Some(task) = self.task {
            task.await??;
        }
        Ok(())
    }
}

/// The Redis side of the service: subscribes, reconnects with backoff, and
/// starts a catch-up backfill after every reconnect.
struct Subscriber<'a> {
    client: &'a redis::Client,
    channel: &'a str,
    status_channel: Option<&'a str>,
    listener: &'a Listener,
    readiness: &'a Readiness,
    metrics: &'a Metrics,
    /// The database catch-up backfills plan from, when there is one.
    catch_up: Option<PgPool>,
    /// Whether the ledger tells what is done: catch-ups after a reconnect
    /// need it (without, each would upload every newest build again).
    with_ledger: bool,
    /// Catch up at start (`--backfill`).
    backfill_at_start: bool,
    distributions: &'a [String],
}

impl Subscriber<'_> {
    /// Runs sessions until `shutdown`.
    async fn run(&self, heartbeat: &mut Heartbeat, shutdown: &CancellationToken) {
        let mut subscriptions = 0u64;
        let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
        while !shutdown.is_cancelled() {
            let session = Session {
                client: self.client,
                channel: self.channel,
                status_channel: self.status_channel,
                listener: self.listener,
                readiness: self.readiness,
                metrics: self.metrics,
            };
            let subscribed = || {
                subscriptions += 1;
                if subscriptions > 1 {
                    self.metrics.redis_reconnected();
                }
                self.subscribed(subscriptions, shutdown);
            };
            let ended = session
                .run(&mut backoff, heartbeat, shutdown, subscribed)
                .await;
            self.readiness.set(false);
            self.metrics.set_redis_connected(false);
            if shutdown.is_cancelled() {
                break;
            }
            let delay = backoff.next_delay();
            heartbeat.set_status(format!(
                "redis: unavailable, reconnecting in {:.1}s",
                delay.as_secs_f64()
            ));
            heartbeat.report(self.listener);
            match ended {
                Ok(()) => tracing::warn!(?delay, "Redis connection closed; reconnecting"),
                Err(e) => {
                    tracing::warn!(?delay, error = %format!("{e:#}"), "Redis unavailable; reconnecting")
                }
            }
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => break,
                    () = shutdown.cancelled() => break,
                    () = heartbeat.tick() => heartbeat.beat(self.listener),
                }
            }
        }
    }

    /// After every reconnect (with a ledger) and at start with --backfill,
    /// catches up on what was published while nobody listened.
    fn subscribed(&self, subscriptions: u64, shutdown: &CancellationToken) {
        let Some(pool) = &self.catch_up else {
            return;
        };
        let due = if subscriptions == 1 {
            self.backfill_at_start
        } else {
            self.with_ledger
        };
        if due {
            self.listener
                .spawn_catch_up(pool, self.distributions, shutdown);
        }
    }
}

/// Reads when the signing key expires, at start and daily, for the gauge
/// operators alert on before uploads start failing.
async fn watch_key(key: Pin, metrics: Arc<Metrics>, shutdown: CancellationToken) {
    loop {
        match key.expiry().await {
            Ok(at) => metrics.set_key_expiry(at),
            Err(e) => tracing::warn!(error = %e, "cannot read when the signing key expires"),
        }
        tokio::select! {
            () = tokio::time::sleep(KEY_CHECK) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// What [`watch_database`] needs.
struct DatabaseWatch {
    ledger: Ledger,
    pool: PgPool,
    /// Where the probe opens a connection of its own.
    database: Database,
    readiness: Arc<Readiness>,
    metrics: Arc<Metrics>,
    listener: Listener,
    distributions: Vec<String>,
    shutdown: CancellationToken,
}

/// Probes the ledger's database every [`DATABASE_PROBE`]: while it does
/// not answer, `/ready` says 503; when it answers again, a catch-up
/// backfill uploads what failed meanwhile. Every [`UNCONFIRMED_EVERY`]
/// probes it counts the unconfirmed uploads for their gauge.
async fn watch_database(watch: DatabaseWatch) {
    let mut up = true;
    for probe in 0u64.. {
        if probe % UNCONFIRMED_EVERY == 0 {
            if let Ok(Ok(count)) =
                tokio::time::timeout(DATABASE_PROBE, watch.ledger.unconfirmed()).await
            {
                watch.metrics.set_unconfirmed(count);
            }
        }
        tokio::select! {
            () = tokio::time::sleep(DATABASE_PROBE) => {}
            () = watch.shutdown.cancelled() => return,
        }
        // On a connection of its own: a pool whose connections are all
        // stuck on a dead link cannot keep the probe from seeing a heal.
        let answered = watch.database.answers(DATABASE_PROBE).await;
        if answered {
            if let Ok(Ok(pause)) =
                tokio::time::timeout(DATABASE_PROBE, pause::paused(&watch.pool)).await
            {
                follow_pause(&watch, pause);
            }
        }
        if answered == up {
            continue;
        }
        up = answered;
        watch.readiness.set_database(up);
        watch.metrics.set_database_up(up);
        if up {
            tracing::warn!("the ledger's database answers again; catching up");
            watch
                .listener
                .spawn_catch_up(&watch.pool, &watch.distributions, &watch.shutdown);
        } else {
            tracing::error!("the ledger's database does not answer; not ready");
        }
    }
}

/// The step for each reading of the ledger's pause: on a change, the
/// listener's state (its status line and the early skip), the gauge, a log
/// line, and on resume a catch-up backfill for the runs left due.
fn follow_pause(watch: &DatabaseWatch, pause: Option<Pause>) {
    let reason = pause.as_ref().map(|p| p.reason.clone());
    if !watch.listener.set_paused(reason) {
        return;
    }
    watch.metrics.set_paused(pause.is_some());
    match pause {
        Some(pause) => {
            tracing::warn!(reason = %pause.reason, by = %pause.by, since = %pause.since, "the ledger is paused: no new upload starts; uploads in flight finish")
        }
        None => {
            tracing::warn!("the ledger is resumed; catching up with the runs left due");
            watch
                .listener
                .spawn_catch_up(&watch.pool, &watch.distributions, &watch.shutdown);
        }
    }
}

/// One connection to Redis: subscribe, then hand every message to the
/// listener until the connection ends or shutdown.
struct Session<'a> {
    client: &'a redis::Client,
    channel: &'a str,
    status_channel: Option<&'a str>,
    listener: &'a Listener,
    readiness: &'a Readiness,
    metrics: &'a Metrics,
}

impl Session<'_> {
    async fn run(
        &self,
        backoff: &mut Backoff,
        heartbeat: &mut Heartbeat,
        shutdown: &CancellationToken,
        on_subscribed: impl FnOnce(),
    ) -> anyhow::Result<()> {
        heartbeat.beat(self.listener);
        let pubsub = tokio::time::timeout(REDIS_TIMEOUT, self.client.get_async_pubsub())
            .await
            .context("timed out connecting")??;
        let (mut sink, mut stream) = pubsub.split();
        tokio::time::timeout(REDIS_TIMEOUT, sink.subscribe(self.channel))
            .await
            .context("timed out subscribing")??;
        if let Some(status) = self.status_channel {
            tokio::time::timeout(REDIS_TIMEOUT, sink.subscribe(status))
                .await
                .context("timed out subscribing")??;
        }
        self.readiness.set(true);
        self.metrics.set_redis_connected(true);
        backoff.reset();
        tracing::info!(channel = self.channel, "subscribed");
        heartbeat.set_status(format!("redis: subscribed to {}", self.channel));
        heartbeat.report(self.listener);
        on_subscribed();
        let mut ping = tokio::time::interval(PING_INTERVAL);
        ping.reset();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                message = stream.next() => match message {
                    Some(message) if Some(message.get_channel_name()) == self.status_channel => {
                        self.listener.handle_status(message.get_payload_bytes());
                    }
                    Some(message) => {
                        self.listener.handle_message(message.get_payload_bytes());
                    }
                    None => return Ok(()),
                },
                () = heartbeat.tick() => heartbeat.beat(self.listener),
                _ = ping.tick() => {
                    tokio::time::timeout(PING_TIMEOUT, sink.ping::<()>())
                        .await
                        .context("PING timed out")??;
                }
            }
        }
    }
}

/// The main loop's keep-alive for systemd: `WATCHDOG=1` with the current
/// status every half of `WATCHDOG_USEC`. Only the loop that reads Redis
/// (or waits to reconnect) ticks it, so a wedged loop stops the beats.
struct Heartbeat {
    notifier: Notifier,
    interval: Option<tokio::time::Interval>,
    status: String,
}

impl Heartbeat {
    fn new(notifier: Notifier) -> Self {
        let interval = notifier.watchdog_interval().map(|period| {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval
        });
        Self {
            notifier,
            interval,
            status: "redis: connecting".to_owned(),
        }
    }

    /// Waits for the next beat (forever without a watchdog).
    async fn tick(&mut self) {
        match &mut self.interval {
            Some(interval) => {
                interval.tick().await;
            }
            None => std::future::pending().await,
        }
    }

    fn set_status(&mut self, status: String) {
        self.status = status;
    }

    fn line(&self, listener: &Listener) -> String {
        let paused = listener
            .paused()
            .map(|reason| format!("paused: {}; ", printable(&reason)))
            .unwrap_or_default();
        format!(
            "{paused}{}; uploads in flight: {}",
            self.status,
            listener.in_flight()
        )
    }

    /// `WATCHDOG=1` with the status.
    fn beat(&self, listener: &Listener) {
        self.notifier.alive_with(&self.line(listener));
    }

    /// The status alone (a change of state).
    fn report(&self, listener: &Listener) {
        self.notifier.status(&self.line(listener));
    }
}

/// Capped exponential backoff with full jitter.
#[derive(Debug)]
struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
    random: RandomState,
}

impl Backoff {
    fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            attempt: 0,
            random: RandomState::new(),
        }
    }

    fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The next delay: uniformly random in [ceiling/2, ceiling], where the
    /// ceiling doubles each attempt up to the cap.
    fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .initial
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let mut hasher = self.random.build_hasher();
        hasher.write_u32(self.attempt);
        let fraction = (hasher.finish() % 1000) as f64 / 1000.0;
        ceiling.mul_f64(0.5 + fraction / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let delays: Vec<Duration> = (0..10).map(|_| backoff.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(50) && delays[0] <= Duration::from_millis(100));
        assert!(delays[3] >= Duration::from_millis(400));
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)));
        assert!(delays[9] >= Duration::from_secs(1));
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }
}
