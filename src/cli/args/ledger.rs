//! `ledger` and its subcommands: list, show, retry, forget, reconcile,
//! pause, resume.

use super::*;

/// `ledger`.
#[derive(Debug, Args)]
pub struct LedgerCommandArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// The `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// One line per run: run id, host, source, version, distribution,
    /// state, attempts, last change, first line of the last error.
    List(LedgerListArgs),
    /// Every .changes of a run, its history of attempts and the whole last error.
    Show(LedgerRunArgs),
    /// Reset a failed, given-up or unconfirmed run so that the next backfill
    /// uploads it (or --now: at once, through the upload-run chain).
    Retry(Box<LedgerRetryArgs>),
    /// Remove every ledger row of a run.
    Forget(LedgerRunArgs),
    /// Look each uploaded .changes up in the archive: accepted when its
    /// version (or a higher one) is there, unconfirmed when still missing
    /// after --after. Silent on success.
    Reconcile(LedgerReconcileArgs),
    /// Pause every uploader sharing this ledger: no process (listen
    /// replicas, backfill, upload-run) starts a new upload; runs stay due,
    /// uploads in flight finish. Again with a new reason: the reason is
    /// replaced.
    Pause(LedgerPauseArgs),
    /// Let the uploaders start uploads again; listen catches up with the
    /// runs left due.
    Resume(LedgerKeyArgs),
}

/// `ledger pause`.
#[derive(Debug, Args)]
pub struct LedgerPauseArgs {
    /// Why, for the other operators (ledger list, the service's status,
    /// its log).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    #[command(flatten)]
    pub key: LedgerKeyArgs,
}

/// `ledger reconcile`.
#[derive(Debug, Args)]
pub struct LedgerReconcileArgs {
    /// An upload not in the archive after this long is unconfirmed.
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub after: String,

    #[command(flatten)]
    pub metrics: MetricsFileArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,

    #[command(flatten)]
    pub key: LedgerKeyArgs,
}

/// A run state, as `ledger list --state` takes it: the values and their
/// help are the ledger's own ([`RunState::all`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerState(pub RunState);

impl ValueEnum for LedgerState {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<LedgerState>> =
            std::sync::LazyLock::new(|| RunState::all().map(LedgerState).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.as_str()).help(self.0.help()))
    }
}

/// Which ledger, for the `ledger` subcommands.
#[derive(Debug, Args)]
pub struct LedgerKeyArgs {
    /// Only this dput host's rows (the ledger's key) [default: all hosts].
    /// Given on the command line only: AUTO_UPLOAD_HOST in the service's
    /// settings says where uploads go, not which rows an operator sees.
    #[arg(long, value_name = "HOST")]
    pub host: Option<DputHost>,

    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// `ledger list`.
#[derive(Debug, Args)]
pub struct LedgerListArgs {
    /// Only runs in this state.
    #[arg(long, value_enum)]
    pub state: Option<LedgerState>,

    /// Only runs changed within this time (`1h`, `7d`).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,

    /// Only this source package.
    #[arg(long, value_name = "NAME")]
    pub source: Option<SourcePackage>,

    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,

    /// Failed this many times counts as gave-up (backfill's --max-attempts).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_attempts: u32,

    #[command(flatten)]
    pub key: LedgerKeyArgs,
}

/// `ledger show` and `ledger forget`.
#[derive(Debug, Args)]
pub struct LedgerRunArgs {
    /// The run.
    pub run_id: String,

    #[command(flatten)]
    pub key: LedgerKeyArgs,
}

/// `ledger retry`.
#[derive(Debug, Args)]
pub struct LedgerRetryArgs {
    /// The run.
    pub run_id: String,

    /// Upload it at once through the upload-run chain (needs the artifact
    /// store, key and dput host), instead of leaving it to the next backfill.
    #[arg(long)]
    pub now: bool,

    /// Reset unconfirmed .changes without checking the archive first: dput
    /// may have uploaded them, and they would be uploaded again. Without
    /// it, an unconfirmed .changes is reset only when the archive (--archive,
    /// or archive_mirror_uri in --config) does not list its version, and
    /// marked accepted when it does; for a `method = local` host of dput's
    /// configuration, one still in its upload queue (incoming, or
    /// DELAYED/N-day below it) is not reset either.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub uploader: UploaderArgs,

    #[command(flatten)]
    pub review: ReviewArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,
}
