//! The command-line definition: every clap type lives here and nowhere else.
//!
//! `settings.rs` turns these raw arguments into validated settings; the rest
//! of the library never sees clap.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// The name under which the program is the Python service's drop-in.
pub const JANITOR_NAME: &str = "janitor-auto-upload";

/// Sign and upload the Debian packages a Janitor build service built.
#[derive(Debug, Parser)]
#[command(
    name = "auto-upload",
    version,
    about,
    long_about = "Sign and upload the Debian packages that the Debian Janitor built \
                  successfully: fetch a run's artifacts, verify its .changes files, \
                  sign them with debsign and upload them with dput, by hand, in a shell \
                  pipeline, as a service on the runner's Redis channel, or from cron.",
    after_long_help = crate::exit_codes::help_text()
)]
pub struct Cli {
    /// Janitor configuration file (protobuf text format, like janitor.conf);
    /// artifact_location, redis_location and database_location are read from it.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_CONFIG",
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,

    /// The Janitor's config.proto to read --config against, compiled at
    /// start, for a deployment whose schema is newer than the one built in.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_CONFIG_SCHEMA",
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub config_schema: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,

    /// Only log errors.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// Format of the log lines on stderr.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        help_heading = "Global options"
    )]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Which options were given as flags and which by the environment.
    #[arg(skip)]
    pub origins: Origins,
}

/// Where an option's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgOrigin {
    /// The command line.
    Flag,
    /// An environment variable.
    Environment,
}

/// Where the values of the options naming locations came from (by option
/// id: `artifacts`, `redis`, `database`, `ledger_database`, `config`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins(Vec<(String, ArgOrigin)>);

impl Origins {
    /// Where option `id` came from, if it was given.
    pub fn of(&self, id: &str) -> Option<ArgOrigin> {
        self.0.iter().find(|(i, _)| i == id).map(|(_, o)| *o)
    }

    fn read(matches: &ArgMatches) -> Self {
        const IDS: [&str; 5] = [
            "artifacts",
            "redis",
            "database",
            "ledger_database",
            "config",
        ];
        let mut found = Vec::new();
        let levels = std::iter::once(matches).chain(matches.subcommand().map(|(_, m)| m));
        for level in levels {
            for id in IDS {
                let origin = match level.try_get_raw(id) {
                    Ok(Some(_)) => level.value_source(id),
                    _ => None,
                };
                match origin {
                    Some(ValueSource::CommandLine) => found.push((id.to_owned(), ArgOrigin::Flag)),
                    Some(ValueSource::EnvVariable) => {
                        found.push((id.to_owned(), ArgOrigin::Environment))
                    }
                    _ => {}
                }
            }
        }
        Self(found)
    }
}

impl Cli {
    /// Parses a command line. Invoked as [`JANITOR_NAME`] (a link to the
    /// binary), the command line is the Python service's and means
    /// `auto-upload listen`; see [`JanitorCli`].
    ///
    /// # Errors
    /// A usage error, or `--help`/`--version` (clap's error kinds).
    pub fn parse_args(args: Vec<OsString>) -> Result<Self, clap::Error> {
        let invoked_as = args
            .first()
            .and_then(|a| Path::new(a).file_name())
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let args = if invoked_as == JANITOR_NAME {
            JanitorCli::try_parse_from(&args)?.to_auto_upload_args()
        } else {
            args
        };
        let matches = Self::command().try_get_matches_from(args)?;
        let mut cli = Self::from_arg_matches(&matches)?;
        cli.origins = Origins::read(&matches);
        Ok(cli)
    }
}

/// The command line of the Janitor's Python service
/// (`janitor.debian.auto_upload`), every flag as it spells it: what the
/// program accepts when invoked as `janitor-auto-upload`. It runs
/// `auto-upload listen` with the service's defaults: `janitor.conf` in the
/// working directory, the health server on localhost:9933, info logs.
#[derive(Debug, Parser)]
#[command(
    name = "janitor-auto-upload",
    version,
    infer_long_args = true,
    about = "Upload the Debian packages the Janitor built (auto-upload listen, \
             with the command line of the Janitor's Python service)"
)]
pub struct JanitorCli {
    /// Listen port.
    #[arg(long, default_value_t = 9933)]
    pub port: u16,

    /// Listen address.
    #[arg(long, default_value = "localhost")]
    pub listen_address: String,

    /// Path to configuration.
    #[arg(long, default_value = "janitor.conf")]
    pub config: PathBuf,

    /// dput host to upload to.
    #[arg(long)]
    pub dput_host: Option<String>,

    /// Key ID to use for signing.
    #[arg(long)]
    pub debsign_keyid: Option<String>,

    /// Upload previously built packages (those the ledger does not show
    /// as uploaded).
    #[arg(long)]
    pub backfill: bool,

    /// Only upload source-only changes.
    #[arg(long)]
    pub source_only: bool,

    /// Build distributions to upload (repeatable).
    #[arg(long)]
    pub distribution: Vec<String>,

    /// Show more detailed output (debug logs).
    #[arg(long)]
    pub verbose: bool,
}

impl JanitorCli {
    /// The same as an `auto-upload listen` command line. Environment
    /// variables still apply to everything these flags do not set.
    pub fn to_auto_upload_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["auto-upload".into(), "--config".into()];
        args.push(self.config.clone().into());
        if self.verbose {
            args.push("-vv".into());
        }
        args.push("listen".into());
        args.push(format!("--port={}", self.port).into());
        args.push(format!("--listen-address={}", self.listen_address).into());
        if let Some(host) = &self.dput_host {
            args.push(format!("--host={host}").into());
        }
        if let Some(keyid) = &self.debsign_keyid {
            args.push(format!("--keyid={keyid}").into());
        }
        if self.backfill {
            args.push("--backfill".into());
        }
        if self.source_only {
            args.push("--source-only".into());
        }
        for distribution in &self.distribution {
            args.push(format!("--distribution={distribution}").into());
        }
        args
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy every artifact of a run into a directory and print the directory.
    #[command(after_long_help = crate::exit_codes::help_text())]
    FetchArtifacts(FetchArgs),
    /// Print the verified .changes files in a directory, sorted.
    #[command(after_long_help = crate::exit_codes::help_text())]
    FindChanges(FindChangesArgs),
    /// Sign .changes files with debsign; print each path signed.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Sign(SignArgs),
    /// Upload signed .changes files with dput; print each path uploaded.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Dput(DputArgs),
    /// Fetch, verify, sign and upload one run, in a private temporary directory.
    #[command(after_long_help = crate::exit_codes::help_text())]
    UploadRun(UploadRunArgs),
    /// Upload every successful Debian build published on the runner's Redis channel.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Listen(ListenArgs),
    /// Upload the newest build of each (distribution, source) not uploaded yet.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Backfill(BackfillArgs),
    /// The operators' view of the upload ledger: list, show, retry, forget.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Ledger(LedgerCommandArgs),
    /// Write the man pages and shell completions into a directory.
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

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
}

/// `ledger reconcile`.
#[derive(Debug, Args)]
pub struct LedgerReconcileArgs {
    /// An upload not in the archive after this long is unconfirmed.
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub after: String,

    #[command(flatten)]
    pub archive: ArchiveArgs,

    #[command(flatten)]
    pub key: LedgerKeyArgs,
}

/// A run state, as `ledger list --state` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LedgerState {
    /// Uploaded, not yet seen in the archive.
    Uploaded,
    /// Seen in the archive.
    Accepted,
    /// Not seen in the archive after `ledger reconcile --after`.
    Unconfirmed,
    /// The archive had it (or newer): not uploaded.
    Superseded,
    /// Failed, to be tried again.
    Failed,
    /// Failed the maximum number of times.
    GaveUp,
    /// Refused: a .changes did not match the run's record; never retried.
    Refused,
    /// Being uploaded now.
    Claimed,
}

/// Which ledger, for the `ledger` subcommands.
#[derive(Debug, Args)]
pub struct LedgerKeyArgs {
    /// Only this dput host's rows (the ledger's key) [default: all hosts].
    #[arg(long, env = "AUTO_UPLOAD_HOST", value_name = "HOST")]
    pub host: Option<String>,

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
    pub source: Option<String>,

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

    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub uploader: UploaderArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,
}

/// The archive whose Sources indices tell what it has already.
#[derive(Debug, Args)]
#[command(next_help_heading = "Upload")]
pub struct ArchiveArgs {
    /// The Debian archive uploads go to (http(s):// or file://, the
    /// directory holding dists/): before signing, a .changes whose source
    /// the archive's Sources index has at the same or a higher version is
    /// not uploaded (outcome superseded, exit 0). An archive that cannot be
    /// read is logged and never blocks an upload [default: the
    /// archive_mirror_uri of the janitor.conf distribution named as the
    /// .changes's Distribution].
    #[arg(long, env = "AUTO_UPLOAD_ARCHIVE", value_name = "URL")]
    pub archive: Option<String>,

    /// Where the archive's Sources indices are kept, parsed, between runs;
    /// before one is used the archive's files are checked (a stat, or an
    /// HTTP HEAD) and the index read again when they changed [default:
    /// $CACHE_DIRECTORY (systemd's CacheDirectory=), else
    /// $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload].
    #[arg(long, env = "AUTO_UPLOAD_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
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
    pub distributions: Vec<String>,
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
    pub keyid: Option<String>,

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
    /// dput host (a section of dput.cf); without it dput uses its default host.
    #[arg(
        long,
        visible_alias = "dput-host",
        env = "AUTO_UPLOAD_HOST",
        value_name = "HOST",
        allow_hyphen_values = true
    )]
    pub host: Option<String>,

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

/// Where the Janitor database and the upload ledger are.
#[derive(Debug, Args)]
#[command(next_help_heading = "Database and ledger")]
pub struct LedgerArgs {
    /// PostgreSQL URL of the Janitor database, which also holds the upload
    /// ledger [default: database_location from --config; DATABASE_URL is
    /// never read].
    #[arg(long, env = "AUTO_UPLOAD_DATABASE", value_name = "URL")]
    pub database: Option<String>,

    /// PostgreSQL URL of the database that holds the upload ledger, when
    /// not the Janitor's (a read-only role there, say) [default: the
    /// Janitor database].
    #[arg(long, env = "AUTO_UPLOAD_LEDGER_DATABASE", value_name = "URL")]
    pub ledger_database: Option<String>,

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
    #[arg(long, env = "AUTO_UPLOAD_NO_LEDGER")]
    pub no_ledger: bool,
}

/// `fetch-artifacts`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The run whose artifacts to copy.
    pub run_id: String,

    /// Directory to copy into [default: ./<RUN_ID>].
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// `find-changes`.
#[derive(Debug, Args)]
pub struct FindChangesArgs {
    /// Directory holding the artifacts.
    pub dir: PathBuf,

    /// One JSON object per line: path, source, version, distribution,
    /// architectures and files.
    #[arg(long, conflicts_with = "null")]
    pub json: bool,

    /// End each path with NUL instead of a newline.
    #[arg(short = '0', long)]
    pub null: bool,

    /// Do not verify sizes and checksums.
    #[arg(long)]
    pub no_verify: bool,

    /// Keep only .changes whose signature (and their .dsc's) verifies with
    /// gpgv against --keyring; any other fails the command with exit 6.
    #[arg(long, requires = "keyrings", conflicts_with = "no_verify")]
    pub verify_signature: bool,

    #[command(flatten)]
    pub keyrings: KeyringArgs,

    #[command(flatten)]
    pub filter: ChangesFilterArgs,
}

/// `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Read and write NUL-terminated paths instead of lines.
    #[arg(short = '0', long)]
    pub null: bool,

    /// .changes files to sign; none or '-' reads paths from stdin.
    #[arg(value_name = "CHANGES")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub signer: SignerArgs,
}

/// `dput`.
#[derive(Debug, Args)]
pub struct DputArgs {
    /// Only simulate the upload (dput -s).
    #[arg(long)]
    pub simulate: bool,

    /// Upload even if dput logged an earlier upload (dput -f).
    #[arg(long)]
    pub force: bool,

    /// Read and write NUL-terminated paths instead of lines.
    #[arg(short = '0', long)]
    pub null: bool,

    /// .changes files to upload; none or '-' reads paths from stdin.
    #[arg(value_name = "CHANGES")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub uploader: UploaderArgs,
}

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
    pub store: StoreArgs,

    #[command(flatten)]
    pub filter: ChangesFilterArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub uploader: UploaderArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,

    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,
}

/// What the operator expects of the run, beside (or without) its
/// debian_build row.
#[derive(Debug, Args)]
#[command(next_help_heading = "The run's record")]
pub struct ExpectArgs {
    /// Refuse (exit 5, outcome mismatch) a .changes whose Source is not S.
    #[arg(long, value_name = "S")]
    pub expect_source: Option<String>,

    /// Refuse a .changes whose Version is not V (the exact string, epoch
    /// included).
    #[arg(long, value_name = "V")]
    pub expect_version: Option<String>,

    /// Refuse a .changes whose Distribution is not D.
    #[arg(long, value_name = "D")]
    pub expect_distribution: Option<String>,
}

/// `listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379].
    #[arg(long, env = "AUTO_UPLOAD_REDIS", value_name = "URL")]
    pub redis: Option<String>,

    /// Redis pub/sub channel the runner publishes results on.
    #[arg(
        long,
        env = "AUTO_UPLOAD_CHANNEL",
        default_value = "result",
        value_name = "NAME"
    )]
    pub channel: String,

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
    pub distributions: Vec<String>,

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
    #[arg(long, env = "AUTO_UPLOAD_SOURCE_ONLY")]
    pub source_only: bool,

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
    #[arg(long, env = "AUTO_UPLOAD_BACKFILL")]
    pub backfill: bool,

    /// With --backfill --no-ledger: upload every newest build at start, as
    /// the Python service's --backfill did.
    #[arg(long, env = "AUTO_UPLOAD_FORCE_BACKFILL")]
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
    pub store: StoreArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub uploader: UploaderArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,

    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// `backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Only builds for distribution D (repeatable); a .changes of such a
    /// build whose Distribution is another suite is refused (exit 5).
    #[arg(long = "distribution", value_name = "D")]
    pub distributions: Vec<String>,

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

    /// Upload again what the ledger says is uploaded or gave up on (and
    /// pass -f to dput).
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
    pub archive: ArchiveArgs,
}

/// `generate-docs` (hidden): how the committed man/ and completions/ are made.
#[derive(Debug, Args)]
pub struct GenerateDocsArgs {
    /// Directory to write man/ and completions/ into.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out_dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
