//! `listen`, the service on the runner's Redis channel.

use super::*;

/// `listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379].
    #[arg(
        long,
        env = "AUTO_UPLOAD_REDIS",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis: Option<String>,

    /// Redis pub/sub channel the runner publishes results on.
    #[arg(
        long,
        env = "AUTO_UPLOAD_CHANNEL",
        default_value = "result",
        value_name = "NAME"
    )]
    pub channel: String,

    /// Redis pub/sub channel the runner announces reviewers' verdicts on
    /// ({"run_id", "publish_status", …}), subscribed when the Janitor's
    /// database is configured: an approval uploads a run that waited for
    /// --require-review (its verdict is read again from the database).
    #[arg(
        long,
        env = "AUTO_UPLOAD_STATUS_CHANNEL",
        default_value = "publish-status",
        value_name = "NAME"
    )]
    pub status_channel: String,

    /// Uploads run at once.
    #[arg(long, env = "AUTO_UPLOAD_JOBS", default_value_t = 2, value_name = "N")]
    pub jobs: usize,

    /// Only runs whose build distribution is D (repeatable; in the
    /// environment, comma-separated); a .changes of such a run whose
    /// Distribution is another suite is refused (exit 5, mismatch).
    #[arg(
        long = "distribution",
        env = "AUTO_UPLOAD_DISTRIBUTIONS",
        value_delimiter = ',',
        value_name = "D"
    )]
    pub distributions: Vec<Suite>,

    /// Only runs of campaign C (repeatable; in the environment,
    /// comma-separated); a .changes whose Distribution is not the
    /// campaign's build distribution (debian_build.build_distribution in
    /// --config, else C itself) is refused (exit 5, mismatch).
    #[arg(
        long = "campaign",
        env = "AUTO_UPLOAD_CAMPAIGNS",
        value_delimiter = ',',
        value_name = "C"
    )]
    pub campaigns: Vec<String>,

    /// Only source uploads, by content (see upload-run --source-only).
    #[arg(long, env = "AUTO_UPLOAD_SOURCE_ONLY", value_parser = BoolishValueParser::new())]
    pub source_only: bool,

    /// Before starting, try everything an upload needs (as check-config
    /// does) and exit 2, naming what fails, rather than start a service
    /// that cannot upload.
    #[arg(long, env = "AUTO_UPLOAD_CHECK", value_parser = BoolishValueParser::new())]
    pub check: bool,

    /// Serve /health, /ready and /metrics on ADDR:PORT.
    #[arg(long, env = "AUTO_UPLOAD_HEALTH_ADDR", value_name = "ADDR:PORT")]
    pub health_addr: Option<String>,

    /// Address for the health server when only --port is given.
    #[arg(
        long,
        env = "AUTO_UPLOAD_LISTEN_ADDRESS",
        default_value = "localhost",
        value_name = "ADDR"
    )]
    pub listen_address: String,

    /// Port for the health server (the Python service used 9933).
    #[arg(long, env = "AUTO_UPLOAD_PORT", value_name = "PORT")]
    pub port: Option<u16>,

    /// How long uploads in flight may take to finish after SIGTERM or SIGINT.
    #[arg(
        long,
        env = "AUTO_UPLOAD_SHUTDOWN_TIMEOUT",
        default_value = "5m",
        value_name = "DURATION"
    )]
    pub shutdown_timeout: String,

    /// Run one catch-up backfill at start (needs a database). With
    /// --no-ledger it would upload every newest build again: refused unless
    /// --force is given too.
    #[arg(long, env = "AUTO_UPLOAD_BACKFILL", value_parser = BoolishValueParser::new())]
    pub backfill: bool,

    /// With --backfill --no-ledger: upload every newest build at start, as
    /// the Python service's --backfill did.
    #[arg(long, env = "AUTO_UPLOAD_FORCE_BACKFILL", value_parser = BoolishValueParser::new())]
    pub force: bool,

    /// Runs that may wait for a free job; beyond that a run is dropped
    /// (counted in auto_upload_dropped_total) and left to the catch-up
    /// backfill.
    #[arg(
        long,
        env = "AUTO_UPLOAD_MAX_QUEUED",
        default_value_t = 1000,
        value_name = "N"
    )]
    pub max_queued: usize,

    #[command(flatten)]
    pub chain: ChainArgs,

    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// `check-config`: listen's settings, and what the timers' units add.
#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    #[command(flatten)]
    pub listen: ListenArgs,

    #[command(flatten)]
    pub metrics: MetricsFileArgs,
}
