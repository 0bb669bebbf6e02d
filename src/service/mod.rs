//! What drives the chain: the `listen` service on the runner's Redis
//! channel ([`listen`]) with its health server ([`server`]), metrics
//! ([`metrics`]), systemd notifications ([`notify`]) and memory of recent
//! runs ([`recent`]); the cron-driven [`backfill`], whose figures (and
//! `ledger reconcile`'s) go to node_exporter's textfile collector
//! ([`textfile`]); and `check-config`'s trial of everything an upload
//! needs ([`check`]).
//!
//! May use: `chain`, `ledger`, `archive`, `input` and the root modules.
//! Never the front end (`cli`): shutdown comes in as a token.

pub mod backfill;
pub mod check;
pub mod listen;
pub mod metrics;
pub mod notify;
pub mod recent;
pub mod server;
pub mod textfile;
