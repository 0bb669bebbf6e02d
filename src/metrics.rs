//! Prometheus metrics for `listen` (and the runs it uploads), in the text
//! format, with the Python service's counter names kept.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// A label set with one `outcome` label.
type Outcome = [(&'static str, &'static str); 1];

/// Every metric the service exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    debsign_failed: Counter,
    upload_failed: Counter,
    messages: Family<Outcome, Counter>,
    uploads: Family<Outcome, Counter>,
    upload_duration: Histogram,
    redis_connected: Gauge,
    claims_lost: Counter,
    dropped: Counter,
    database_up: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let debsign_failed = Counter::default();
        let upload_failed = Counter::default();
        let messages = Family::<Outcome, Counter>::default();
        let uploads = Family::<Outcome, Counter>::default();
        let upload_duration = Histogram::new(exponential_buckets(0.25, 2.0, 12));
        let redis_connected = Gauge::default();
        let claims_lost = Counter::default();
        let dropped = Counter::default();
        let database_up = Gauge::default();
        registry.register(
            "debsign_failed",
            "Number of .changes that debsign failed to sign",
            debsign_failed.clone(),
        );
        registry.register(
            "upload_failed",
            "Number of .changes that dput failed to upload",
            upload_failed.clone(),
        );
        registry.register(
            "auto_upload_messages",
            "Result messages read, by outcome (accepted, ignored, malformed)",
            messages.clone(),
        );
        registry.register(
            "auto_upload_uploads",
            "Runs whose upload finished, by outcome",
            uploads.clone(),
        );
        registry.register(
            "auto_upload_upload_duration_seconds",
            "Time to fetch, verify, sign and upload one run",
            upload_duration.clone(),
        );
        registry.register(
            "auto_upload_redis_connected",
            "1 while subscribed to the Redis channel, else 0",
            redis_connected.clone(),
        );
        registry.register(
            "auto_upload_claims_lost",
            "Ledger claims taken over by another process while this one signed or uploaded",
            claims_lost.clone(),
        );
        registry.register(
            "auto_upload_dropped",
            "Runs dropped because --max-queued runs were already waiting (left to the catch-up backfill)",
            dropped.clone(),
        );
        registry.register(
            "auto_upload_database_up",
            "1 while the ledger's database answers (always 1 without a ledger), else 0",
            database_up.clone(),
        );
        database_up.set(1);
        for outcome in ["accepted", "ignored", "malformed"] {
            let _ = messages.get_or_create(&[("outcome", outcome)]);
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
        }
    }

    /// Counts a ledger claim lost to another process.
    pub fn claim_lost(&self) {
        self.claims_lost.inc();
    }

    /// Counts a run dropped because the queue was full.
    pub fn dropped(&self) {
        self.dropped.inc();
    }

    /// Records whether the ledger's database answers.
    pub fn set_database_up(&self, up: bool) {
        self.database_up.set(i64::from(up));
    }

    /// Counts a message: `accepted`, `ignored` or `malformed`.
    pub fn message(&self, outcome: &'static str) {
        self.messages.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// Counts a finished run upload and its duration.
    pub fn upload(&self, outcome: &'static str, seconds: f64) {
        self.uploads.get_or_create(&[("outcome", outcome)]).inc();
        self.upload_duration.observe(seconds);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_and_outcomes() {
        let metrics = Metrics::new();
        metrics.debsign_failed();
        metrics.message("ignored");
        metrics.message("ignored");
        metrics.upload("uploaded", 1.5);
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
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }
}
