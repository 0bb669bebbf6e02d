//! The command-line definition: every clap type lives in this folder and
//! nowhere else; one file per subcommand's arguments, the groups they share
//! in `shared.rs`, the top level (`Cli`, `Command`, where each value came
//! from) here.
//!
//! `settings.rs` turns these raw arguments into validated settings; the rest
//! of the library never sees clap.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::builder::BoolishValueParser;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::input::names::{DputHost, KeyId, SourcePackage, Suite, Version};
use crate::ledger::state::RunState;

mod backfill;
mod janitor;
mod ledger;
mod listen;
mod shared;
mod steps;
mod upload_run;

pub use backfill::*;
pub use janitor::*;
pub use ledger::*;
pub use listen::*;
pub use shared::*;
pub use steps::*;
pub use upload_run::*;

/// The name under which the program is the Python service's drop-in.
pub const JANITOR_NAME: &str = "janitor-auto-upload";

/// Sign and upload the Debian packages a Janitor build service built.
#[derive(Debug, Parser)]
#[command(
    name = "auto-upload",
    version = crate::VERSION,
    about,
    long_about = "Sign and upload the Debian packages that the Debian Janitor built \
                  successfully: fetch a run's artifacts, verify its .changes files, \
                  sign them with debsign and upload them with dput, by hand, in a shell \
                  pipeline, as a service on the runner's Redis channel, or from cron.",
    after_long_help = crate::exit_codes::help_text()
)]
pub struct Cli {
    /// Janitor configuration file (protobuf text format, like janitor.conf);
    /// artifact_location, redis_location and database_location are read from
    /// it, and its Debian campaigns (campaign blocks with debian_build) say
    /// what a run of each may be signed as: required to upload.
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

    /// The settings file whose AUTO_UPLOAD_* lines fill the variables not
    /// set (the units' EnvironmentFile=): what a command run by hand shares
    /// with the service. Read before the command line; flags and variables
    /// win over it. The database's and Redis' URLs may come from
    /// credential files instead (database, ledger-database, redis in
    /// /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY).
    /// [default: /etc/auto-upload/auto-upload.conf, when readable]
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_SETTINGS",
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub settings: Option<PathBuf>,

    /// A GnuPG home to copy at start into a private directory (mode 0700,
    /// under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted
    /// read-only or with modes gpg refuses (a Kubernetes Secret, a bind
    /// mount). Links are followed; names starting with `..` (a Secret's
    /// own) and agent sockets are left out.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_GNUPG_HOME_FROM",
        value_name = "DIR",
        help_heading = "Global options"
    )]
    pub gnupg_home_from: Option<PathBuf>,

    /// An armoured secret key to import at start into a private GnuPG home
    /// (with --gnupg-home-from, into its copy): the signing key as a
    /// Kubernetes Secret holds it.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_SIGNING_KEY_FILE",
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub signing_key_file: Option<PathBuf>,

    /// A directory holding the ssh key and known_hosts for an scp or sftp
    /// dput host, copied at start into the .ssh of a private home (mode
    /// 0700, files 0600) that ssh is given through nss_wrapper
    /// (libnss-wrapper), whatever uid runs it: for ones mounted from a
    /// Kubernetes Secret. Links are followed; names starting with `..` are
    /// left out.
    #[arg(
        long,
        global = true,
        env = "AUTO_UPLOAD_SSH_FROM",
        value_name = "DIR",
        help_heading = "Global options"
    )]
    pub ssh_from: Option<PathBuf>,

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
        // Every level: ledger's own subcommands (ledger list) hold theirs
        // one further down.
        let levels =
            std::iter::successors(Some(matches), |level| level.subcommand().map(|(_, m)| m));
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
    ///
    /// listen subscribes to the runner's channel (--channel, result by default) and,
    /// for each message of a successful Debian run, runs the upload-run
    /// chain, at most --jobs at a time: the run's dispatch and the
    /// reviewers' verdict read from the Janitor's database when one is
    /// given, its artifacts fetched and verified, each .changes signed with
    /// debsign and uploaded with dput. With a ledger, every upload is claimed
    /// and recorded, and a catch-up backfill after each reconnect uploads
    /// what was published while it was away.
    ///
    /// The health server (--health-addr) answers /health (200 while the
    /// process serves: for a liveness probe), /ready (200 once subscribed
    /// with the ledger's database answering, 503 otherwise: for a readiness
    /// probe) and /metrics (Prometheus); probes from loopback always find a
    /// free slot. Under systemd, READY=1 is sent once subscribed, STATUS=
    /// says what it is doing and WATCHDOG=1 is sent while its loop turns.
    ///
    /// On SIGTERM or SIGINT no further message is read; runs that wait for a
    /// job, an upload budget or the end of a pause are left due; uploads
    /// being signed or in dput finish, for at most --shutdown-timeout, and
    /// are then aborted. While the ledger is paused (ledger pause), messages
    /// are still read and their runs left due: nothing is signed, and
    /// STATUS= and the auto_upload_paused gauge say so; ledger resume ends
    /// it, and the runs are caught up.
    #[command(after_long_help = crate::exit_codes::help_text())]
    Listen(ListenArgs),
    /// Try, with listen's settings, everything an upload needs: the key
    /// signs, dput knows every host, the artifact store reads, the
    /// database answers (the Janitor's tables, a writable ledger), Redis
    /// answers; and for the timers, that ledger reconcile has an archive
    /// when its timer is enabled and that --metrics-file can be written.
    /// One line per item; exit 2 if any fails.
    CheckConfig(CheckConfigArgs),
    /// Upload the newest build of each (distribution, source) not uploaded yet.
    ///
    /// backfill reads the Janitor's debian_build and run tables for the
    /// newest build of each distribution and source whose run the reviewers
    /// have not rejected, leaves out what the ledger shows done (uploaded,
    /// accepted, superseded, unconfirmed, claimed by a live process, or
    /// failed --max-attempts times) and runs the upload-run chain on the
    /// rest, --jobs at a time. It is what the backfill timer runs;
    /// --dry-run prints the plan instead.
    ///
    /// While the ledger is paused nothing is uploaded and the runs stay due;
    /// over an upload budget the rest stay due for the next run. On SIGTERM
    /// or SIGINT no further upload starts and those in flight are aborted
    /// (their claims lapse after the lease).
    #[command(after_long_help = crate::exit_codes::help_text())]
    Backfill(BackfillArgs),
    /// The operators' view of the upload ledger: list, show, retry, forget.
    ///
    /// The ledger (schema auto_upload of --database) holds a row per run,
    /// .changes and dput host: its state (claimed, uploading, uploaded,
    /// accepted, unconfirmed, failed, superseded, refused, deferred,
    /// rejected or awaiting-review), attempts and last error. list and show
    /// read it; retry makes a failed or unconfirmed run due again (an
    /// unconfirmed one only after looking for it in the archive and the
    /// upload queue); forget removes a run's rows; reconcile marks what the
    /// archive has accepted; pause and resume stop and restart every
    /// uploader of the ledger at once (a pause shows in ledger list, in
    /// listen's STATUS= and in the auto_upload_paused gauge).
    #[command(after_long_help = crate::exit_codes::help_text())]
    Ledger(LedgerCommandArgs),
    /// Write the man pages and shell completions into a directory.
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
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
