//! Argument groups several subcommands share: the artifact store, the
//! selection of `.changes`, signing, keyrings, dput, the archive and the
//! ledger's database.

use super::*;

/// The upload chain's arguments, one group flattened into `upload-run`,
/// `listen` and `backfill`: a flag for the whole chain is added to one of
/// these groups and read in one place (`settings/chain.rs`).
#[derive(Debug, Args)]
pub struct ChainArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub uploader: UploaderArgs,

    #[command(flatten)]
    pub publish: PublishArgs,

    #[command(flatten)]
    pub rates: RateArgs,

    #[command(flatten)]
    pub review: ReviewArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,
}

/// The archive whose Sources indices tell what it has already.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Upload")]
pub struct ArchiveArgs {
    /// The Debian archive uploads go to (http(s):// or file://, the
    /// directory holding dists/): before signing, a .changes whose source
    /// the archive's Sources index has at the same or a higher version is
    /// not uploaded (outcome superseded, exit 0). An archive that cannot be
    /// read is logged and never blocks an upload [default: the
    /// archive_mirror_uri of the janitor.conf distribution named as the
    /// .changes's Distribution].
    #[arg(
        long,
        env = "AUTO_UPLOAD_ARCHIVE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub archive: Option<String>,

    /// Where the archive's Sources indices are kept, parsed, between runs;
    /// before one is used the archive's files are checked (a stat, or an
    /// HTTP HEAD) and the index read again when they changed [default:
    /// $CACHE_DIRECTORY (systemd's CacheDirectory=), else
    /// $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload].
    #[arg(long, env = "AUTO_UPLOAD_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Give up checking the archive after this long: the upload goes ahead
    /// unchecked, with a warning and a metric (the index is still read in
    /// the background for the next upload).
    #[arg(
        long,
        env = "AUTO_UPLOAD_ARCHIVE_TIMEOUT",
        default_value = "10s",
        value_name = "DURATION"
    )]
    pub archive_timeout: String,
}

/// Where a run's artifacts are read from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Artifact store")]
pub struct StoreArgs {
    /// Artifact store: a local path, file:// URL, gs://bucket[/prefix] or
    /// s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE>
    /// [default: artifact_location from --config].
    #[arg(long, env = "AUTO_UPLOAD_ARTIFACTS", value_name = "LOCATION")]
    pub artifacts: Option<String>,

    /// Refuse a run (exit 5) whose files add up to more than SIZE: counted
    /// from the sizes its .changes list before anything is copied, and
    /// enforced while copying. A number of bytes, or with K, M, G or T
    /// (powers of 1024).
    #[arg(
        long,
        env = "AUTO_UPLOAD_MAX_RUN_BYTES",
        default_value = "4G",
        value_name = "SIZE"
    )]
    pub max_run_bytes: String,

    /// Refuse a run (exit 5) of more than N files in the store.
    #[arg(
        long,
        env = "AUTO_UPLOAD_MAX_RUN_FILES",
        default_value_t = 500,
        value_name = "N"
    )]
    pub max_run_files: u64,
}

/// Which .changes files to keep.
#[derive(Debug, Args)]
#[command(next_help_heading = "Selection")]
pub struct ChangesFilterArgs {
    /// Only source uploads, by content: Architecture exactly "source" and
    /// nothing but source files (.dsc, tarballs, .diff.gz, the source
    /// .buildinfo). A *_source.changes that lists anything else is refused
    /// (exit 5).
    #[arg(long)]
    pub source_only: bool,

    /// Only .changes whose Distribution field names D (repeatable).
    #[arg(long = "distribution", value_name = "D")]
    pub distributions: Vec<Suite>,
}

/// How .changes files are signed.
#[derive(Debug, Args)]
#[command(next_help_heading = "Signing")]
pub struct SignerArgs {
    /// Key to sign with (debsign -k); without it debsign picks its default key.
    #[arg(
        long,
        visible_alias = "debsign-keyid",
        env = "AUTO_UPLOAD_KEYID",
        value_name = "KEYID",
        allow_hyphen_values = true
    )]
    pub keyid: Option<KeyId>,

    /// The debsign program to run.
    #[arg(
        long,
        env = "AUTO_UPLOAD_DEBSIGN",
        value_name = "PROGRAM",
        default_value = "debsign"
    )]
    pub debsign_program: PathBuf,

    /// Kill debsign (its whole process group) when signing one .changes
    /// takes longer than this; the .changes fails with exit 6.
    #[arg(
        long,
        env = "AUTO_UPLOAD_SIGN_TIMEOUT",
        default_value = "2m",
        value_name = "DURATION"
    )]
    pub sign_timeout: String,

    #[command(flatten)]
    pub keyrings: KeyringArgs,
}

/// Which keyrings a signature must verify against.
#[derive(Debug, Args)]
pub struct KeyringArgs {
    /// After signing, verify each .changes and the .dsc it lists with gpgv
    /// against this keyring (repeatable; e.g. the archive's uploaders
    /// keyring), and check every file against the signed checksums; a
    /// .changes that does not verify fails with exit 6 and is never
    /// uploaded. In the environment: paths separated by ':'.
    #[arg(
        long = "keyring",
        env = "AUTO_UPLOAD_KEYRING",
        value_delimiter = ':',
        value_name = "FILE"
    )]
    pub keyrings: Vec<PathBuf>,

    /// The gpgv program to run.
    #[arg(
        long,
        env = "AUTO_UPLOAD_GPGV",
        value_name = "PROGRAM",
        default_value = "gpgv"
    )]
    pub gpgv_program: PathBuf,
}

/// Where and how .changes files are uploaded.
#[derive(Debug, Args)]
#[command(next_help_heading = "Upload")]
pub struct UploaderArgs {
    /// dput host (a section of dput.cf) for every suite; SUITE=HOST for one
    /// suite, winning over a plain HOST (repeat it, or give a
    /// comma-separated list in the environment). When hosts are named per
    /// suite only, a suite without one is refused (upload-run: exit 2;
    /// listen and backfill: logged, counted and left due). Without --host
    /// dput uses its default host.
    #[arg(
        long,
        visible_alias = "dput-host",
        env = "AUTO_UPLOAD_HOST",
        value_name = "[SUITE=]HOST",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub host: Vec<String>,

    /// Upload to the archive's DELAYED queue, DAYS (0 to 15) later: dput -e
    /// DAYS. SUITE=DAYS delays only uploads to that suite and wins over a
    /// plain DAYS; repeat it, or give a comma-separated list in the
    /// environment. Recorded in the ledger (ledger show).
    #[arg(
        long,
        env = "AUTO_UPLOAD_DELAYED",
        value_name = "[SUITE=]DAYS",
        value_delimiter = ','
    )]
    pub delayed: Vec<String>,

    /// dput configuration file (dput -c).
    #[arg(long, env = "AUTO_UPLOAD_DPUT_CONFIG", value_name = "FILE")]
    pub dput_config: Option<PathBuf>,

    /// The dput program to run (dput, dput-ng, or a wrapper).
    #[arg(
        long,
        env = "AUTO_UPLOAD_DPUT",
        value_name = "PROGRAM",
        default_value = "dput"
    )]
    pub dput_program: PathBuf,

    /// Kill dput (its whole process group) when uploading one .changes
    /// takes longer than this; the .changes fails with exit 7.
    #[arg(
        long,
        env = "AUTO_UPLOAD_UPLOAD_TIMEOUT",
        default_value = "30m",
        value_name = "DURATION"
    )]
    pub upload_timeout: String,
}

/// How many uploads may start in a window.
#[derive(Debug, Args)]
#[command(next_help_heading = "Upload policy")]
pub struct RateArgs {
    /// At most N uploads (.changes whose dput starts) per --rate-window;
    /// HOST=N for uploads to one dput host. With a ledger every process
    /// sharing it (listen replicas, backfill, upload-run) spends one
    /// budget; without one, each process its own. A .changes over budget is
    /// deferred: still due, no attempt counted, uploaded once the budget
    /// allows (listen waits and tries again; upload-run exits 75).
    #[arg(
        long,
        env = "AUTO_UPLOAD_MAX_UPLOADS_PER_HOUR",
        value_name = "[HOST=]N",
        value_delimiter = ','
    )]
    pub max_uploads_per_hour: Vec<String>,

    /// The window --max-uploads-per-hour counts in.
    #[arg(
        long,
        env = "AUTO_UPLOAD_RATE_WINDOW",
        default_value = "1h",
        value_name = "DURATION"
    )]
    pub rate_window: String,
}

/// Which campaigns wait for the reviewers.
#[derive(Debug, Args)]
#[command(next_help_heading = "Upload policy")]
pub struct ReviewArgs {
    /// Upload runs of these campaigns only once the Janitor's reviewers
    /// approved them (run.publish_status approved); until then they are
    /// awaiting-review (in the ledger, no attempt). Bare: every campaign
    /// (in the environment: '*'). Needs the Janitor's database. Runs
    /// whose publish_status is rejected or blocked are never signed,
    /// with or without this.
    #[arg(
        long,
        env = "AUTO_UPLOAD_REQUIRE_REVIEW",
        value_name = "CAMPAIGN",
        num_args = 0..,
        value_delimiter = ','
    )]
    pub require_review: Option<Vec<String>>,
}

/// Where each .changes outcome is told.
#[derive(Debug, Args)]
#[command(next_help_heading = "Publishing outcomes")]
pub struct PublishArgs {
    /// Publish one JSON message per .changes outcome (uploaded, superseded
    /// or a failure; not what the ledger showed done) on this Redis
    /// channel; off unless given. The message's shape:
    /// /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to
    /// publish is logged and counted, never fails the upload.
    #[arg(long, env = "AUTO_UPLOAD_PUBLISH_CHANNEL", value_name = "NAME")]
    pub publish_channel: Option<String>,

    /// The Redis to publish on [default: listen's --redis, else
    /// redis_location from --config, else redis://127.0.0.1:6379].
    #[arg(
        long,
        env = "AUTO_UPLOAD_PUBLISH_REDIS",
        value_name = "URL",
        hide_env_values = true
    )]
    pub publish_redis: Option<String>,
}

/// Where the Janitor database and the upload ledger are.
#[derive(Debug, Args)]
#[command(next_help_heading = "Database and ledger")]
pub struct LedgerArgs {
    /// PostgreSQL URL of the Janitor database, which also holds the upload
    /// ledger [default: database_location from --config; DATABASE_URL is
    /// never read].
    #[arg(
        long,
        env = "AUTO_UPLOAD_DATABASE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<String>,

    /// PostgreSQL URL of the database that holds the upload ledger, when
    /// not the Janitor's (a read-only role there, say) [default: the
    /// Janitor database].
    #[arg(
        long,
        env = "AUTO_UPLOAD_LEDGER_DATABASE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub ledger_database: Option<String>,

    /// Give up connecting to a database after this long (a server that
    /// does not answer, an address that drops packets); SIGINT and SIGTERM
    /// stop the wait at once.
    #[arg(
        long,
        env = "AUTO_UPLOAD_CONNECT_TIMEOUT",
        default_value = "5s",
        value_name = "DURATION"
    )]
    pub connect_timeout: String,

    /// Schema of the upload ledger (created and migrated by auto-upload).
    #[arg(
        long,
        env = "AUTO_UPLOAD_LEDGER_SCHEMA",
        default_value = "auto_upload",
        value_name = "NAME"
    )]
    pub ledger_schema: String,

    /// A ledger claim older than this is taken over (a crashed uploader).
    #[arg(
        long,
        env = "AUTO_UPLOAD_LEASE",
        default_value = "1h",
        value_name = "DURATION"
    )]
    pub lease: String,

    /// Neither read nor write the upload ledger. listen then runs no
    /// catch-up backfill after a reconnect.
    #[arg(long, env = "AUTO_UPLOAD_NO_LEDGER", value_parser = BoolishValueParser::new())]
    pub no_ledger: bool,
}

/// Where a cron job's figures go for Prometheus.
#[derive(Debug, Args)]
pub struct MetricsFileArgs {
    /// Write the run's figures (runs by outcome, duration, last success)
    /// for node_exporter's textfile collector to PATH, atomically; e.g.
    /// /var/lib/prometheus/node-exporter/auto-upload-JOB.prom.
    #[arg(long, env = "AUTO_UPLOAD_METRICS_FILE", value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}
