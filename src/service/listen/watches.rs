//! What `listen` watches besides Redis: the database (readiness, the
//! ledger's pause, the unconfirmed count) and the signing key's expiry.

use std::sync::Arc;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::chain::signature::SigningKey;
use crate::input::names::Suite;
use crate::ledger::database::Database;
use crate::ledger::pause::{self, Pause};
use crate::ledger::Ledger;
use crate::service::metrics::Metrics;
use crate::service::server::Readiness;

use super::{Listener, DATABASE_PROBE, KEY_CHECK, UNCONFIRMED_EVERY};

/// Reads when the signing key expires, at start and daily, for the gauge
/// operators alert on before uploads start failing.
pub(super) async fn watch_key(key: SigningKey, metrics: Arc<Metrics>, shutdown: CancellationToken) {
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
pub(super) struct DatabaseWatch {
    pub(super) ledger: Ledger,
    pub(super) pool: PgPool,
    /// Where the probe opens a connection of its own.
    pub(super) database: Database,
    pub(super) readiness: Arc<Readiness>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) listener: Listener,
    pub(super) distributions: Vec<Suite>,
    pub(super) shutdown: CancellationToken,
}

/// Probes the ledger's database every [`DATABASE_PROBE`]: while it does
/// not answer, `/ready` says 503; when it answers again, a catch-up
/// backfill uploads what failed meanwhile. Every [`UNCONFIRMED_EVERY`]
/// probes it counts the unconfirmed uploads for their gauge.
pub(super) async fn watch_database(watch: DatabaseWatch) {
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
pub(super) fn follow_pause(watch: &DatabaseWatch, pause: Option<Pause>) {
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
