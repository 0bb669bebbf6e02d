//! auto-upload: sign and upload the Debian packages that the Debian Janitor
//! built successfully.
//!
//! The chain for one run is [`chain::upload::upload_run`]: fetch the run's
//! `.changes`, compare them with the run's record, fetch what they list and
//! verify it ([`chain::artifacts`], [`input::changes`], [`input::record`]),
//! sign ([`chain::sign`]) and upload ([`chain::dput`]). Every subcommand
//! calls these same functions.
//!
//! The folders are the layers, from the bottom up; a lower one never uses
//! a higher one:
//! - [`input`]: what comes from outside becomes a type (names, run ids,
//!   `.changes`, runner messages, the run's record);
//! - [`archive`]: what the archive has already (Sources indices);
//! - [`ledger`]: the upload ledger in PostgreSQL, its plan and its view;
//! - [`chain`]: one run's chain: artifacts, debsign, gpgv, dput, tools;
//! - [`service`]: what drives the chain: `listen` and `backfill`, with
//!   the health server, metrics and systemd notifications;
//! - [`cli`]: the front end: clap, settings, running a subcommand, output,
//!   man pages and completions.
//!
//! At the root, what every layer uses: [`exit_codes`] (the one exit-code
//! table), [`secrets`] (passwords hidden in connection strings),
//! [`shutdown`] (the error of work stopped by a signal), [`telemetry`]
//! (logging set-up) and [`journal`] (journald's native protocol, with each
//! event's fields).

pub mod archive;
pub mod chain;
pub mod cli;
pub mod exit_codes;
pub mod input;
pub mod journal;
pub mod ledger;
pub mod secrets;
pub mod service;
pub mod shutdown;
pub mod telemetry;

/// The version this build reports (`--version`, `auto_upload_build_info`):
/// the crate's, unless the build stamped its own with `AUTO_UPLOAD_VERSION`
/// (a packager's or CI's, e.g. `0.2.0+git20261206`).
pub const VERSION: &str = match option_env!("AUTO_UPLOAD_VERSION") {
    Some(version) => version,
    None => env!("CARGO_PKG_VERSION"),
};
