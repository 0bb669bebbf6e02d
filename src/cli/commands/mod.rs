//! One file per subcommand's run (as mini-redis's `cmd/`); `app.rs`
//! dispatches to them.

pub(super) mod backfill;
pub(super) mod ledger;
pub(super) mod steps;
pub(super) mod upload_run;
