//! Telling the Janitor's other services what was uploaded: one JSON message
//! per `.changes` outcome on a Redis pub/sub channel (`--publish-channel`),
//! in the shape of `dist/schema/upload-outcome.schema.json`. Only what this
//! process did is told (uploaded, superseded, a failure), never a `.changes`
//! it skipped because the ledger showed it done or claimed elsewhere: with
//! several replicas, each outcome is told once. Publishing is bounded in
//! time and never fails the upload: a failure is logged and counted.

use std::time::{Duration, SystemTime};

use prometheus_client::metrics::counter::Counter;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::input::names::{DputHost, SourcePackage, Suite, Version};

/// How long connecting and publishing one message may take.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// One `.changes` outcome, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeMessage {
    /// The run.
    pub run_id: String,
    /// The `.changes` file name.
    pub changes: String,
    /// Its source package.
    pub source: SourcePackage,
    /// Its version.
    pub version: Version,
    /// Its suite (the `.changes`' Distribution).
    pub suite: Suite,
    /// The dput host (`null`: dput's default host).
    pub host: Option<DputHost>,
    /// What happened: `uploaded`, `superseded`, `sign-failed`,
    /// `bad-signature`, `upload-failed`, `claim-lost`.
    pub outcome: String,
    /// The days of the DELAYED queue it went to (`null`: not delayed).
    pub delayed: Option<u8>,
    /// When (UTC, RFC 3339, seconds).
    pub time: String,
}

impl OutcomeMessage {
    /// The time now, as messages carry it.
    pub fn now() -> String {
        humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
    }
}

/// A message could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Redis refused or failed.
    #[error("cannot publish on Redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// Redis did not answer in time.
    #[error("cannot publish on Redis: no answer within {0:?}")]
    Timeout(Duration),
}

/// Publishes outcome messages on one channel, over one connection made
/// when first needed and made again after a failure.
#[derive(Debug)]
pub struct Publisher {
    client: redis::Client,
    channel: String,
    connection: Mutex<Option<redis::aio::MultiplexedConnection>>,
    failures: Counter,
}

impl Publisher {
    /// A publisher on `channel` of the Redis `client` connects to.
    pub fn new(client: redis::Client, channel: String) -> Self {
        Self {
            client,
            channel,
            connection: Mutex::new(None),
            failures: Counter::default(),
        }
    }

    /// The counter of failures (listen exports it).
    pub fn failures(&self) -> Counter {
        self.failures.clone()
    }

    /// Publishes one message; a failure is logged and counted, never
    /// returned: the upload it tells of is done either way.
    pub async fn tell(&self, message: &OutcomeMessage) {
        if let Err(e) = self.publish(message).await {
            self.failures.inc();
            tracing::warn!(channel = %self.channel, changes = %message.changes, outcome = %message.outcome, error = %e, "the outcome was not published");
        }
    }

    /// Publishes one message, connecting first if need be.
    ///
    /// # Errors
    /// Redis failed or did not answer within [`PUBLISH_TIMEOUT`].
    pub async fn publish(&self, message: &OutcomeMessage) -> Result<(), PublishError> {
        let payload = serde_json::to_string(message).expect("the message serializes");
        let mut connection = self.connection.lock().await;
        let published = tokio::time::timeout(PUBLISH_TIMEOUT, async {
            if connection.is_none() {
                *connection = Some(self.client.get_multiplexed_async_connection().await?);
            }
            let conn = connection.as_mut().expect("connected above");
            redis::cmd("PUBLISH")
                .arg(&self.channel)
                .arg(&payload)
                .query_async::<i64>(conn)
                .await
        })
        .await;
        let result = match published {
            Ok(Ok(_receivers)) => Ok(()),
            Ok(Err(e)) => Err(PublishError::Redis(e)),
            Err(_) => Err(PublishError::Timeout(PUBLISH_TIMEOUT)),
        };
        if result.is_err() {
            *connection = None;
        }
        result
    }
}
