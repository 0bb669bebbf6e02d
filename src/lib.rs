//! auto-upload: sign and upload the Debian packages that the Debian Janitor
//! built successfully.
//!
//! The chain for one run is [`upload::upload_run`]: fetch the run's artifacts
//! ([`artifacts`]), find and verify its `.changes` ([`changes`],
//! [`checksums`]), sign them ([`sign`]) and upload them ([`dput`]). Every
//! subcommand calls these same functions.
//!
//! Modules:
//! - [`cli`]: the clap definition, and nothing else sees clap;
//! - [`settings`]: raw arguments → validated [`settings::Task`] (the
//!   services' settings in `settings/services.rs`);
//! - [`janitor_conf`]: a Janitor `janitor.conf`, read strictly against the
//!   `janitor.Config` schema (`src/proto/config.proto`);
//! - [`run_id`]: run ids, checked to be one safe path segment;
//! - [`syntax`]: Debian's syntax for file names, versions, suites;
//! - [`safe_fs`]: opening untrusted files: no links, regular files only;
//! - [`secrets`]: passwords hidden in connection strings before printing;
//! - [`archive`]: what the archive already has (Sources indices);
//! - [`artifacts`]: local, GCS and S3 artifact stores (object_store);
//! - [`changes`] and [`checksums`]: `.changes` parsing, filtering, verifying;
//! - [`tool`]: running debsign and dput without a shell or a terminal;
//! - [`sign`], [`dput`]: the two external steps;
//! - [`signature`]: our signature checked with gpgv before dput;
//! - [`upload`]: the whole chain for one run;
//! - [`archive`]: what the archive has already, from its Sources indices,
//!   kept between runs by [`index_cache`];
//! - [`database`]: connecting to PostgreSQL, the ledger's schema and migrations;
//! - [`ledger`]: the upload ledger, claimed before signing, and the plan of
//!   what is due;
//! - [`ledger_view`]: the operators' view: list, show, retry, forget;
//! - [`backfill`]: catch-up over the Janitor's `debian_build` table;
//! - [`listen`]: the service on the runner's Redis channel;
//! - [`message`]: which result messages ask for an upload;
//! - [`metrics`]: Prometheus counters, histogram and gauges, process metrics;
//! - [`notify`]: readiness, status and watchdog for systemd;
//! - [`server`]: the `/health`, `/ready` and `/metrics` endpoints;
//! - [`shutdown`]: the error of work stopped by SIGINT or SIGTERM;
//! - [`app`]: runs one subcommand and prints its results;
//! - [`output`]: stdout records and stdin paths for pipelines;
//! - [`exit_codes`]: the one exit-code table;
//! - [`telemetry`]: logging set-up;
//! - [`docs`]: man pages and completions from the clap definition.

pub mod app;
pub mod archive;
pub mod artifacts;
pub mod backfill;
pub mod changes;
pub mod checksums;
pub mod cli;
pub mod database;
pub mod docs;
pub mod dput;
pub mod exit_codes;
pub mod index_cache;
pub mod janitor_conf;
pub mod ledger;
pub mod ledger_view;
pub mod listen;
pub mod message;
pub mod metrics;
pub mod notify;
pub mod output;
pub mod recent;
pub mod record;
pub mod run_id;
pub mod safe_fs;
pub mod secrets;
pub mod server;
pub mod settings;
pub mod shutdown;
pub mod sign;
pub mod signature;
pub mod syntax;
pub mod telemetry;
pub mod tool;
pub mod upload;
