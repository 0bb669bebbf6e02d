//! Integration tests: one binary (fewer link steps), a module per
//! subcommand, real debsign, dput, GnuPG and reprepro.

mod archive;
mod backfill;
mod bounded;
mod claims;
mod cli;
mod config;
mod decided;
mod exactly_once;
mod fetch_artifacts;
mod find_changes;
mod integrity;
mod janitor;
mod ledger_cmd;
mod limits;
mod listen;
mod ops;
mod partition;
mod pipeline;
mod policy;
mod record;
mod stores;
mod support;
mod tls;
mod untrusted;
mod upload_run;
