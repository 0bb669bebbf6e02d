//! The upload service: subscribe to the runner's Redis channel and upload
//! every successful Debian build, several at once, surviving bad messages
//! and Redis restarts, and stopping cleanly when asked. This file starts
//! and stops it; the [`Listener`] decides on each message (`listener.rs`)
//! and runs the uploads (`uploads.rs`), the subscriber keeps the Redis
//! subscription (`subscriber.rs`), and the watches follow the database, the
//! ledger's pause and the key's expiry (`watches.rs`).

mod listener;
mod subscriber;
mod uploads;
mod watches;

pub use listener::Listener;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::chain::pipeline::Pipeline;
use crate::input::message::MessageFilter;
use crate::ledger::{self, Access, LedgerConfig, Opened};
use crate::service::metrics::Metrics;
use crate::service::notify::Notifier;
use crate::service::server::{self, Readiness};
use crate::shutdown::unless_stopped;

use subscriber::{Heartbeat, Subscriber};
use watches::{watch_database, watch_key, DatabaseWatch};

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
            redis: Some((&self.redis, &self.channel)),
        }
    }
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
        crate::service::check::before_start(settings.check_subject()).await?;
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
