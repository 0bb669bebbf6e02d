//! Prometheus metrics for `listen` (and the runs it uploads), in the text
//! format, with the Python service's counter names kept, and the process
//! metrics its default registry exported (`process_*`, read from `/proc` at
//! each scrape).

use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::chain::run_outcome::RunOutcome;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// A label set with one `outcome` label.
type OutcomeLabel = [(&'static str, &'static str); 1];

/// A metric at its default (zero), registered under `name` with `help`;
/// the registry keeps a handle, the caller the other.
fn registered<M>(registry: &mut Registry, name: &str, help: &str) -> M
where
    M: Default + Clone + prometheus_client::registry::Metric,
{
    let metric = M::default();
    registry.register(name, help, metric.clone());
    metric
}

/// Every metric the service exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    debsign_failed: Counter,
    upload_failed: Counter,
    messages: Family<OutcomeLabel, Counter>,
    uploads: Family<OutcomeLabel, Counter>,
    upload_duration: Histogram,
    redis_connected: Gauge,
    claims_lost: Counter,
    dropped: Counter,
    database_up: Gauge,
    in_flight: Gauge,
    last_upload: Gauge<f64, std::sync::atomic::AtomicU64>,
    redis_reconnects: Counter,
    catch_ups: Counter,
    unconfirmed: Gauge,
    transient_retries: Counter,
    key_expiry: Gauge,
    paused: Gauge,
}

/// The outcomes of a message read: accepted, ignored, malformed,
/// replayed (a run uploaded lately, without a ledger), or approved (a
/// `publish-status` approval that started an upload).
pub const MESSAGE_OUTCOMES: [&str; 5] =
    ["accepted", "ignored", "malformed", "replayed", "approved"];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        Self::with_publish_failures(Counter::default())
    }

    /// As [`Metrics::new`], exporting `publish_failures` (the publisher's
    /// own counter) as `auto_upload_publish_failures_total`.
    pub fn with_publish_failures(publish_failures: Counter) -> Self {
        let mut registry = Registry::default();
        let r = &mut registry;
        let build_info = Family::<[(&'static str, &'static str); 1], Gauge>::default();
        build_info
            .get_or_create(&[("version", crate::VERSION)])
            .set(1);
        r.register(
            "auto_upload_build_info",
            "Always 1; the version label says which auto-upload runs",
            build_info,
        );
        let in_flight = registered(
            r,
            "auto_upload_uploads_in_flight",
            "Runs being fetched, signed or uploaded now",
        );
        let last_upload = registered(
            r,
            "auto_upload_last_upload_timestamp_seconds",
            "When a run was last uploaded (Unix time; 0 before the first)",
        );
        let redis_reconnects = registered(
            r,
            "auto_upload_redis_reconnects",
            "Subscriptions to Redis after the first (each one a reconnect)",
        );
        let catch_ups = registered(r, "auto_upload_catch_ups", "Catch-up backfills started (at start with --backfill, after a reconnect, after the database came back)");
        let unconfirmed = registered(r, "auto_upload_unconfirmed", "Uploads in the ledger whose dput may have run without being recorded, or that the archive has not shown after reconcile's --after: never retried automatically (alert on it; resolve with ledger reconcile or ledger retry)");
        let transient_retries = registered(r, "auto_upload_transient_retries", "Runs tried again after a transient local error (no descriptor or memory left, a full temporary directory)");
        let key_expiry = registered(r, "auto_upload_signing_key_expiry_timestamp_seconds", "When the signing key stops signing (Unix time; 0 when it never expires or cannot be read), from gpg at start and daily");
        r.register(
            "auto_upload_publish_failures",
            "Outcome messages that could not be published on --publish-channel (the uploads went ahead)",
            publish_failures,
        );
        let paused = registered(
            r,
            "auto_upload_paused",
            "1 while the ledger is paused (ledger pause): no new upload starts, runs stay due",
        );
        r.register_collector(Box::new(ProcessCollector));
        r.register_collector(Box::new(ArchiveCollector));
        let debsign_failed = registered(
            r,
            "debsign_failed",
            "Number of .changes that debsign failed to sign",
        );
        let upload_failed = registered(
            r,
            "upload_failed",
            "Number of .changes that dput failed to upload",
        );
        let messages: Family<OutcomeLabel, Counter> = registered(
            r,
            "auto_upload_messages",
            "Result messages read, by outcome (accepted, ignored, malformed)",
        );
        let uploads: Family<OutcomeLabel, Counter> = registered(
            r,
            "auto_upload_uploads",
            "Runs whose upload finished, by outcome",
        );
        let upload_duration = Histogram::new(exponential_buckets(0.25, 2.0, 12));
        r.register(
            "auto_upload_upload_duration_seconds",
            "Time to fetch, verify, sign and upload one run",
            upload_duration.clone(),
        );
        let redis_connected = registered(
            r,
            "auto_upload_redis_connected",
            "1 while subscribed to the Redis channel, else 0",
        );
        let claims_lost = registered(
            r,
            "auto_upload_claims_lost",
            "Ledger claims taken over by another process while this one signed or uploaded",
        );
        let dropped = registered(r, "auto_upload_dropped", "Runs dropped because --max-queued runs were already waiting (left to the catch-up backfill)");
        let database_up: Gauge = registered(
            r,
            "auto_upload_database_up",
            "1 while the ledger's database answers (always 1 without a ledger), else 0",
        );
        database_up.set(1);
        // Every label from the start, at 0: an increase() alert sees the
        // first of each after a restart.
        for outcome in MESSAGE_OUTCOMES {
            drop(messages.get_or_create(&[("outcome", outcome)]));
        }
        for outcome in RunOutcome::labels() {
            drop(uploads.get_or_create(&[("outcome", outcome)]));
        }
        Self {
            registry,
            debsign_failed,
            upload_failed,
            messages,
            uploads,
            upload_duration,
            redis_connected,
            claims_lost,
            dropped,
            database_up,
            in_flight,
            last_upload,
            redis_reconnects,
            catch_ups,
            unconfirmed,
            transient_retries,
            key_expiry,
            paused,
        }
    }

    /// An upload started.
    pub fn upload_started(&self) {
        self.in_flight.inc();
    }

    /// Counts a reconnect to Redis.
    pub fn redis_reconnected(&self) {
        self.redis_reconnects.inc();
    }

    /// Counts a catch-up backfill started.
    pub fn catch_up_started(&self) {
        self.catch_ups.inc();
    }

    /// Counts a ledger claim lost to another process.
    pub fn claim_lost(&self) {
        self.claims_lost.inc();
    }

    /// Counts a run tried again after a transient local error.
    pub fn transient_retry(&self) {
        self.transient_retries.inc();
    }

    /// When the signing key expires (0: never, or unknown).
    pub fn set_key_expiry(&self, at: Option<u64>) {
        self.key_expiry
            .set(at.and_then(|t| i64::try_from(t).ok()).unwrap_or(0));
    }

    /// Records whether the ledger is paused.
    pub fn set_paused(&self, paused: bool) {
        self.paused.set(i64::from(paused));
    }

    /// How many uploads the ledger shows as unconfirmed.
    pub fn set_unconfirmed(&self, count: i64) {
        self.unconfirmed.set(count);
    }

    /// Counts a run dropped because the queue was full.
    pub fn dropped(&self) {
        self.dropped.inc();
    }

    /// Records whether the ledger's database answers.
    pub fn set_database_up(&self, up: bool) {
        self.database_up.set(i64::from(up));
    }

    /// Counts a message: one of [`MESSAGE_OUTCOMES`].
    pub fn message(&self, outcome: &'static str) {
        self.messages.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// Counts a run left due (`paused`, `deferred`): no duration is
    /// observed; `started` when [`Metrics::upload_started`] counted it.
    pub fn left_due(&self, outcome: &'static str, started: bool) {
        if started {
            self.in_flight.dec();
        }
        self.uploads.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// Counts a finished run upload and its duration; `uploaded` when a
    /// `.changes` reached the archive.
    pub fn upload(&self, outcome: &'static str, seconds: f64, uploaded: bool) {
        self.in_flight.dec();
        self.uploads.get_or_create(&[("outcome", outcome)]).inc();
        self.upload_duration.observe(seconds);
        if uploaded {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            self.last_upload.set(now);
        }
    }

    /// Counts a `.changes` that debsign failed on.
    pub fn debsign_failed(&self) {
        self.debsign_failed.inc();
    }

    /// Counts a `.changes` that dput failed on.
    pub fn upload_failed(&self) {
        self.upload_failed.inc();
    }

    /// Records whether the service is subscribed to Redis.
    pub fn set_redis_connected(&self, connected: bool) {
        self.redis_connected.set(i64::from(connected));
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

/// The process metrics of Prometheus' client libraries, read from `/proc`
/// at each scrape.
#[derive(Debug)]
struct ProcessCollector;

/// What `/proc` says of this process.
#[derive(Debug, Default, PartialEq)]
struct ProcessStats {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    start_time_seconds: f64,
    open_fds: u64,
    max_fds: u64,
}

impl ProcessStats {
    /// Reads `/proc/self/stat`, `/proc/stat` (boot time), `/proc/self/fd`
    /// and the open-files limit; `None` where `/proc` is not there.
    fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which may hold spaces and ')'.
        let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split(' ').collect();
        let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
        let ticks = rustix::param::clock_ticks_per_second() as f64;
        let boot: u64 = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
        let open_fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64);
        let max_fds = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(u64::MAX);
        Some(Self {
            cpu_seconds: (field(14)? + field(15)?) as f64 / ticks,
            virtual_bytes: field(23)?,
            resident_bytes: field(24)? * rustix::param::page_size() as u64,
            start_time_seconds: boot as f64 + field(22)? as f64 / ticks,
            open_fds,
            max_fds,
        })
    }
}

/// The archive checks skipped, by reason, from the archive module's
/// counters.
#[derive(Debug)]
struct ArchiveCollector;

impl Collector for ArchiveCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        use std::sync::atomic::Ordering;
        let skipped = &crate::archive::SKIPPED;
        let mut family = encoder.encode_descriptor(
            "auto_upload_archive_checks_skipped",
            "Archive checks skipped (the upload went ahead unchecked), by reason: timeout (--archive-timeout), unreadable (absent, unreachable, corrupt, or past a cap)",
            None,
            MetricType::Counter,
        )?;
        for (reason, count) in [
            ("timeout", &skipped.timeout),
            ("unreadable", &skipped.unreadable),
        ] {
            let labels = [("reason", reason)];
            ConstCounter::new(count.load(Ordering::Relaxed))
                .encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(stats) = ProcessStats::read() else {
            return Ok(());
        };
        let counter = |encoder: &mut DescriptorEncoder, name, help, value: f64| {
            ConstCounter::new(value).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Counter,
            )?)
        };
        counter(
            &mut encoder,
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            stats.cpu_seconds,
        )?;
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                stats.resident_bytes as f64,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                stats.virtual_bytes as f64,
            ),
            (
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds",
                stats.start_time_seconds,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors",
                stats.open_fds as f64,
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors",
                stats.max_fds as f64,
            ),
        ];
        for (name, help, value) in gauges {
            ConstGauge::new(value).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Gauge,
            )?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_and_outcomes() {
        let metrics = Metrics::new();
        metrics.debsign_failed();
        metrics.message("ignored");
        metrics.message("ignored");
        metrics.upload_started();
        metrics.upload("uploaded", 1.5, true);
        metrics.set_redis_connected(true);
        let text = metrics.render();
        for line in [
            "debsign_failed_total 1",
            "upload_failed_total 0",
            "auto_upload_messages_total{outcome=\"ignored\"} 2",
            "auto_upload_messages_total{outcome=\"malformed\"} 0",
            "auto_upload_uploads_total{outcome=\"uploaded\"} 1",
            "auto_upload_upload_duration_seconds_count 1",
            "auto_upload_redis_connected 1",
            "auto_upload_claims_lost_total 0",
            "auto_upload_dropped_total 0",
            "auto_upload_database_up 1",
            "auto_upload_uploads_in_flight 0",
            "auto_upload_build_info{version=\"0.2.0\"} 1",
            "auto_upload_redis_reconnects_total 0",
            "auto_upload_catch_ups_total 0",
            "auto_upload_messages_total{outcome=\"replayed\"} 0",
            "auto_upload_uploads_total{outcome=\"sign_failed\"} 0",
            "auto_upload_uploads_total{outcome=\"mismatch\"} 0",
            "auto_upload_uploads_total{outcome=\"failed\"} 0",
            "auto_upload_archive_checks_skipped_total{reason=\"timeout\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
        let value = |name: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
                .parse()
                .unwrap()
        };
        assert!(value("auto_upload_last_upload_timestamp_seconds") > 1.7e9);
        assert!(value("process_resident_memory_bytes") > 1e6);
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_cpu_seconds_total") >= 0.0);
        let started = value("process_start_time_seconds");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(
            started <= now + 1.0 && started > now - 86_400.0 * 365.0,
            "{started}"
        );
    }

    #[test]
    fn the_shipped_alerts_and_dashboard_name_only_metrics_that_exist() {
        let metrics = Metrics::new();
        metrics.upload_started();
        metrics.upload("uploaded", 1.0, true);
        let text = metrics.render();
        let exported = |name: &str| {
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .any(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ', '_']))
        };
        for file in [
            include_str!("../../dist/prometheus/auto-upload.rules.yml"),
            include_str!("../../dist/grafana/auto-upload.json"),
        ] {
            let mut at = 0;
            while let Some(found) = file[at..].find("auto_upload_") {
                let start = at + found;
                let end = file[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(file.len(), |e| start + e);
                let name = &file[start..end];
                // The cron jobs' gauges come from their --metrics-file.
                let textfile = ["backfill", "reconcile"].iter().any(|job| {
                    name.strip_prefix(&format!("auto_upload_{job}_"))
                        .is_some_and(|g| {
                            [
                                "runs",
                                "uploads",
                                "duration_seconds",
                                "last_run_timestamp_seconds",
                                "succeeded",
                                "last_success_timestamp_seconds",
                            ]
                            .contains(&g)
                        })
                });
                assert!(
                    textfile || exported(name),
                    "{name} is not exported:\n{text}"
                );
                at = end;
            }
        }
    }
}
