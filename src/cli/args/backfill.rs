//! `backfill`, the cron-driven catch-up over `debian_build`.

use super::*;

/// `backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Only builds for distribution D (repeatable); a .changes of such a
    /// build whose Distribution is another suite is refused (exit 5).
    #[arg(long = "distribution", value_name = "D")]
    pub distributions: Vec<Suite>,

    /// Only source uploads, by content (see upload-run --source-only).
    #[arg(long)]
    pub source_only: bool,

    /// Uploads run at once.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub jobs: usize,

    /// Stop after N uploads.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Give up on a .changes after N failed attempts.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_attempts: u32,

    /// Print run_id, distribution, source and version of each run due; upload nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Before uploading, try everything an upload needs (the key signs,
    /// dput knows every host, the store and the database answer, as
    /// check-config does) and exit 2, naming what fails (1 when it may
    /// pass: a service that did not answer).
    #[arg(long, env = "AUTO_UPLOAD_CHECK", value_parser = BoolishValueParser::new())]
    pub check: bool,

    #[command(flatten)]
    pub metrics: MetricsFileArgs,

    /// Upload again what the ledger says is uploaded or gave up on (and
    /// pass -f to dput).
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub chain: ChainArgs,
}
