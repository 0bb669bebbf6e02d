//! Stopping on request: the error every step returns when SIGINT or SIGTERM
//! (a cancelled token) ended its work before it was done.

use std::future::Future;

use tokio_util::sync::CancellationToken;

use crate::exit_codes::{ExitCode, HasExitCode};

/// The work stopped because shutdown was requested.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

impl HasExitCode for Interrupted {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Interrupted
    }
}

/// Runs `work` unless `shutdown` fires first: then [`Interrupted`] (and
/// `work` is dropped). For waits with nothing to clean up, such as
/// connecting to a database.
///
/// # Errors
/// `work`'s error, or [`Interrupted`].
pub async fn unless_stopped<T, E>(
    shutdown: &CancellationToken,
    work: impl Future<Output = Result<T, E>>,
) -> anyhow::Result<T>
where
    E: Into<anyhow::Error>,
{
    tokio::select! {
        biased;
        () = shutdown.cancelled() => Err(Interrupted.into()),
        done = work => done.map_err(Into::into),
    }
}
