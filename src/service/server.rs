//! The health server for `listen`: `/health`, `/ready` and `/metrics`, until
//! the shutdown token fires.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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

/// Serves the routes on `listener` until `shutdown` fires.
///
/// # Errors
/// The server failed.
pub async fn serve(
    listener: TcpListener,
    readiness: Arc<Readiness>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router(readiness, metrics))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}
