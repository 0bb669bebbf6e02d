//! `upload-run`, and the run's record an operator gives by hand.

use super::*;

/// `upload-run`.
#[derive(Debug, Args)]
pub struct UploadRunArgs {
    /// The run to upload.
    pub run_id: String,

    /// Only simulate the upload (dput -s).
    #[arg(long)]
    pub simulate: bool,

    /// Upload even if dput logged an earlier upload (dput -f), or the
    /// ledger shows it uploaded.
    #[arg(long)]
    pub force: bool,

    /// Fetch and verify, print what would be signed and uploaded, do neither.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub filter: ChangesFilterArgs,

    #[command(flatten)]
    pub chain: ChainArgs,

    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub dispatch: DispatchArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,
}

/// What the Janitor dispatched the run as, given by the operator where the
/// Janitor's database is not at hand.
#[derive(Debug, Args)]
#[command(next_help_heading = "The run's dispatch")]
pub struct DispatchArgs {
    /// The run's codebase (its source package). Required without a
    /// database (or for a run its run table does not list); with one, the
    /// run table's must be C (else exit 5).
    #[arg(long, value_name = "C")]
    pub codebase: Option<String>,

    /// The run's campaign, a Debian campaign of --config. Required
    /// without a database (or for a run its run table does not list);
    /// with one, the run table's must be C (else exit 5).
    #[arg(long, value_name = "C")]
    pub campaign: Option<String>,
}

/// What the operator expects of the run, beside (or without) its
/// debian_build row.
#[derive(Debug, Args)]
#[command(next_help_heading = "The run's record")]
pub struct ExpectArgs {
    /// Refuse (exit 5, outcome mismatch) a .changes whose Source is not S.
    #[arg(long, value_name = "S")]
    pub expect_source: Option<SourcePackage>,

    /// Refuse a .changes whose Version is not V (the exact string, epoch
    /// included).
    #[arg(long, value_name = "V")]
    pub expect_version: Option<Version>,

    /// Refuse a .changes whose Distribution is not D.
    #[arg(long, value_name = "D")]
    pub expect_distribution: Option<Suite>,
}
