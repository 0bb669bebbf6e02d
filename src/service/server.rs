//! The health server for `listen`: `/health`, `/ready` and `/metrics`, until
//! the shutdown token fires. Bounded, so that nothing the port receives can
//! starve the uploads: at most [`MAX_CONNECTIONS`] connections at once
//! (more are closed as soon as they are accepted, so they hold no
//! descriptor), the request's headers within [`HEADER_TIMEOUT`], one
//! request per connection, each connection at most [`CONNECTION_TIMEOUT`].

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
/// How long a client may take to send a request's headers (slow senders,
/// idle connections).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
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
    let connections = TaskTracker::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "the health server cannot accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::debug!(
                "the health server is serving as many connections as it may; closing one"
            );
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let _permit = permit;
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
