//! Telling systemd how the service is doing (`sd_notify(3)`, through the
//! `sd-notify` crate): `READY=1` once it can serve, `STATUS=` lines,
//! `WATCHDOG=1` from the main loop, `STOPPING=1` and `EXTEND_TIMEOUT_USEC=`
//! while draining. Without `NOTIFY_SOCKET` every call does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

/// The service manager, as far as the service talks to it.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    /// `WATCHDOG_USEC`, when systemd asks for keep-alives.
    watchdog: Option<Duration>,
}

impl Notifier {
    /// Reads `WATCHDOG_USEC` (and `WATCHDOG_PID`, which must be this
    /// process); `NOTIFY_SOCKET` is read at each notification.
    pub fn from_env() -> Self {
        Self {
            watchdog: sd_notify::watchdog_enabled().filter(|d| !d.is_zero()),
        }
    }

    /// How often the main loop must send `WATCHDOG=1`: half of
    /// `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|d| d / 2)
    }

    /// `READY=1`, with a status line.
    pub fn ready(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// A new status line.
    pub fn status(&self, status: &str) {
        send(&[NotifyState::Status(status)]);
    }

    /// `WATCHDOG=1`: the main loop is alive.
    pub fn alive(&self) {
        if self.watchdog.is_some() {
            send(&[NotifyState::Watchdog]);
        }
    }

    /// `WATCHDOG=1` with a status line, in one datagram.
    pub fn alive_with(&self, status: &str) {
        if self.watchdog.is_some() {
            send(&[NotifyState::Watchdog, NotifyState::Status(status)]);
        } else {
            self.status(status);
        }
    }

    /// `STOPPING=1`, and more time to stop: `extend` from now.
    pub fn stopping(&self, status: &str, extend: Duration) {
        let usec = u32::try_from(extend.as_micros()).unwrap_or(u32::MAX);
        send(&[
            NotifyState::Stopping,
            NotifyState::Status(status),
            NotifyState::ExtendTimeoutUsec(usec),
        ]);
    }
}

/// Sends one datagram; a failure is logged, never fatal.
fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager");
    }
}
