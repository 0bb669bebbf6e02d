//! The health server for `listen`: `/health`, `/ready` and `/metrics`, until
//! the shutdown token fires. Bounded, so that nothing the port receives can
//! starve the uploads or the probes: at most [`MAX_CONNECTIONS`]
//! connections at once, at most [`PER_PEER`] of them from one address, and
//! [`LOOPBACK_RESERVE`] more that only loopback peers may use (what is over
//! is closed as soon as it is accepted, so it holds no descriptor); the
//! request's headers within [`HEADER_TIMEOUT`], one request per
//! connection, each connection at most [`CONNECTION_TIMEOUT`]. A peer that
//! keeps reopening sockets thus holds at most [`PER_PEER`] slots, each for
//! at most a second if it sends nothing: a probe from another address, or
//! from loopback, always finds one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::service::metrics::Metrics;

/// Whether the service is ready: subscribed to its Redis channel, and its
/// ledger's database reachable (when it has a ledger).
#[derive(Debug)]
pub struct Readiness {
    redis: AtomicBool,
    database: AtomicBool,
}

impl Default for Readiness {
    fn default() -> Self {
        Self {
            redis: AtomicBool::new(false),
            database: AtomicBool::new(true),
        }
    }
}

impl Readiness {
    /// Sets whether the service is subscribed to Redis.
    pub fn set(&self, ready: bool) {
        self.redis.store(ready, Ordering::Relaxed);
    }

    /// Sets whether the ledger's database is reachable.
    pub fn set_database(&self, reachable: bool) {
        self.database.store(reachable, Ordering::Relaxed);
    }

    /// Whether the ledger's database is reachable (always, without one).
    pub fn database(&self) -> bool {
        self.database.load(Ordering::Relaxed)
    }

    /// Whether the service is ready.
    pub fn get(&self) -> bool {
        self.redis.load(Ordering::Relaxed) && self.database()
    }
}

#[derive(Clone)]
struct AppState {
    readiness: Arc<Readiness>,
    metrics: Arc<Metrics>,
}

/// The routes, for [`serve`] and for tests.
pub fn router(readiness: Arc<Readiness>, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .route("/ready", get(ready))
        .route("/metrics", get(render_metrics))
        .with_state(AppState { readiness, metrics })
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.readiness.get() {
        (StatusCode::OK, "ready\n")
    } else if !state.readiness.database() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the ledger's database is unreachable\n",
        )
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not subscribed to Redis\n")
    }
}

async fn render_metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Connections served at once; more are closed as soon as accepted.
pub const MAX_CONNECTIONS: usize = 64;
/// Connections one peer address may hold at once.
pub const PER_PEER: usize = 8;
/// Connections beyond [`MAX_CONNECTIONS`] that only loopback peers (a
/// probe on the host, a sidecar) may use.
pub const LOOPBACK_RESERVE: usize = 8;
/// How long a client may take to send a request's headers (slow senders,
/// idle connections): a probe sends its request at once.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one connection may last, whatever it does.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause after a failed accept (no descriptor left, say).
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Serves the routes on `listener` until `shutdown` fires, within the
/// bounds the module says.
///
/// # Errors
/// None once bound: a failed accept is logged and tried again after a
/// pause.
pub async fn serve(
    listener: TcpListener,
    readiness: Arc<Readiness>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let router = router(readiness, metrics);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let reserve = Arc::new(Semaphore::new(LOOPBACK_RESERVE));
    let peers = Peers::default();
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer.ip()),
                Err(e) => {
                    tracing::warn!(error = %e, "the health server cannot accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Some(held) = peers.admit(peer) else {
            tracing::debug!(%peer, "the health server is serving as many connections of this peer as it may; closing one");
            continue;
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) if peer.is_loopback() => match reserve.clone().try_acquire_owned() {
                Ok(permit) => permit,
                Err(_) => continue,
            },
            Err(_) => {
                tracing::debug!(
                    "the health server is serving as many connections as it may; closing one"
                );
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let _permit = (permit, held);
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection) => {}
                () = shutdown.cancelled() => {}
            }
        });
    }
    connections.close();
    let _ = tokio::time::timeout(Duration::from_secs(1), connections.wait()).await;
    Ok(())
}

/// How many connections each peer address holds.
#[derive(Debug, Clone, Default)]
struct Peers(Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>);

impl Peers {
    /// A slot for `peer`, unless it holds [`PER_PEER`] already.
    fn admit(&self, peer: std::net::IpAddr) -> Option<PeerSlot> {
        let mut held = self.0.lock().expect("peers poisoned");
        let count = held.entry(peer).or_default();
        if *count >= PER_PEER {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            peers: self.clone(),
            peer,
        })
    }
}

/// A connection counted against its peer until dropped.
#[derive(Debug)]
struct PeerSlot {
    peers: Peers,
    peer: std::net::IpAddr,
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut held = self.peers.0.lock().expect("peers poisoned");
        if let Some(count) = held.get_mut(&self.peer) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_holds_at_most_its_share() {
        let peers = Peers::default();
        let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let b: std::net::IpAddr = "192.0.2.2".parse().unwrap();
        let held: Vec<PeerSlot> = (0..PER_PEER).map(|_| peers.admit(a).unwrap()).collect();
        assert!(peers.admit(a).is_none());
        assert!(peers.admit(b).is_some());
        drop(held);
        assert!(peers.admit(a).is_some());
        assert!(peers.0.lock().unwrap().get(&a).is_none_or(|n| *n <= 1));
    }
}
