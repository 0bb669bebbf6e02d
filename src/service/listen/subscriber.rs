//! The Redis subscription: connect, subscribe, PING a quiet connection,
//! reconnect with backoff, and the heartbeat that tells systemd and the
//! log how the service is.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::input::names::Suite;
use crate::input::syntax::printable;
use crate::service::metrics::Metrics;
use crate::service::notify::Notifier;
use crate::service::server::Readiness;

use super::{Listener, PING_INTERVAL, PING_TIMEOUT, REDIS_TIMEOUT};

/// The Redis side of the service: subscribes, reconnects with backoff, and
/// starts a catch-up backfill after every reconnect.
pub(super) struct Subscriber<'a> {
    pub(super) client: &'a redis::Client,
    pub(super) channel: &'a str,
    pub(super) status_channel: Option<&'a str>,
    pub(super) listener: &'a Listener,
    pub(super) readiness: &'a Readiness,
    pub(super) metrics: &'a Metrics,
    /// The database catch-up backfills plan from, when there is one.
    pub(super) catch_up: Option<PgPool>,
    /// Whether the ledger tells what is done: catch-ups after a reconnect
    /// need it (without, each would upload every newest build again).
    pub(super) with_ledger: bool,
    /// Catch up at start (`--backfill`).
    pub(super) backfill_at_start: bool,
    pub(super) distributions: &'a [Suite],
}

impl Subscriber<'_> {
    /// Runs sessions until `shutdown`.
    pub(super) async fn run(&self, heartbeat: &mut Heartbeat, shutdown: &CancellationToken) {
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
    pub(super) fn subscribed(&self, subscriptions: u64, shutdown: &CancellationToken) {
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

/// One connection to Redis: subscribe, then hand every message to the
/// listener until the connection ends or shutdown.
pub(super) struct Session<'a> {
    client: &'a redis::Client,
    channel: &'a str,
    status_channel: Option<&'a str>,
    listener: &'a Listener,
    readiness: &'a Readiness,
    metrics: &'a Metrics,
}

impl Session<'_> {
    pub(super) async fn run(
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
pub(super) struct Heartbeat {
    notifier: Notifier,
    interval: Option<tokio::time::Interval>,
    status: String,
}

impl Heartbeat {
    pub(super) fn new(notifier: Notifier) -> Self {
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
    pub(super) async fn tick(&mut self) {
        match &mut self.interval {
            Some(interval) => {
                interval.tick().await;
            }
            None => std::future::pending().await,
        }
    }

    pub(super) fn set_status(&mut self, status: String) {
        self.status = status;
    }

    pub(super) fn line(&self, listener: &Listener) -> String {
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
    pub(super) fn beat(&self, listener: &Listener) {
        self.notifier.alive_with(&self.line(listener));
    }

    /// The status alone (a change of state).
    pub(super) fn report(&self, listener: &Listener) {
        self.notifier.status(&self.line(listener));
    }
}

/// Capped exponential backoff with full jitter.
#[derive(Debug)]
pub(super) struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
    random: RandomState,
}

impl Backoff {
    pub(super) fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            attempt: 0,
            random: RandomState::new(),
        }
    }

    pub(super) fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The next delay: uniformly random in [ceiling/2, ceiling], where the
    /// ceiling doubles each attempt up to the cap.
    pub(super) fn next_delay(&mut self) -> Duration {
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
    pub(super) fn backoff_grows_to_the_cap_and_resets() {
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
