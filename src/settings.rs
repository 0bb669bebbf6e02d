//! From raw arguments to validated settings: flag > environment (both by
//! clap) > configuration file > built-in default. Run ids, hosts, key ids and
//! locations are checked here, before any work starts.

use std::path::{Path, PathBuf};

use crate::artifacts::{ArtifactError, ArtifactStore};
use crate::backfill::BackfillSettings;
use crate::changes::{Filter, Verify};
use crate::cli::{self, Cli, Command, LogFormat};
use crate::config::{ConfigError, JanitorConfig};
use crate::dput::Uploader;
use crate::exit_codes::ExitCode;
use crate::ledger::{is_valid_schema, Database, LedgerConfig, Policy};
use crate::listen::ListenSettings;
use crate::message::MessageFilter;
use crate::run_id::{InvalidRunId, RunId};
use crate::sign::Signer;
use crate::tool::Tool;
use crate::upload::Pipeline;

/// How many failed attempts `listen` makes on one `.changes` (backfill:
/// `--max-attempts`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Where a database URL can be given.
const DATABASE_SOURCES: &str = "--database, DATABASE_URL or database_location in --config";

/// Where `listen` finds Redis when nothing else says.
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

/// Arguments that cannot be turned into settings.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A run id that is not one safe path segment.
    #[error(transparent)]
    RunId(#[from] InvalidRunId),
    /// The configuration file cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The artifact location cannot be opened.
    #[error(transparent)]
    Artifacts(#[from] ArtifactError),
    /// A value that would read as an option to debsign or dput.
    #[error("{what} {value:?} must not start with '-' or be empty")]
    LeadingDash {
        /// Which setting.
        what: &'static str,
        /// Its value.
        value: String,
    },
    /// A value that cannot be used.
    #[error("invalid {what} {value:?}: {reason}")]
    Invalid {
        /// Which setting.
        what: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting with no value from any source.
    #[error("no {what} given: use {how}")]
    Missing {
        /// Which setting.
        what: &'static str,
        /// Where it can be given.
        how: &'static str,
    },
}

impl SettingsError {
    /// Where this error stands in the exit-code table.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Artifacts(e) => e.exit_code(),
            _ => ExitCode::Usage,
        }
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// -q (negative) or the number of -v.
    pub verbosity: i8,
    /// JSON lines instead of text.
    pub json: bool,
}

impl LogSettings {
    /// The log settings of a command line; usable before anything else is
    /// validated, so that errors can be logged.
    pub fn from_cli(cli: &Cli) -> Self {
        Self {
            verbosity: if cli.quiet {
                -1
            } else {
                cli.verbose.min(3) as i8
            },
            json: cli.log_format == LogFormat::Json,
        }
    }
}

/// How `find-changes` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// One path per line.
    Lines,
    /// NUL-terminated paths.
    Null,
    /// One JSON object per line.
    Json,
}

/// Where `sign` and `dput` take their paths from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathInput {
    /// Paths given as arguments; empty means stdin.
    pub paths: Vec<PathBuf>,
    /// NUL-separated stdin and output.
    pub null: bool,
}

/// A validated subcommand.
#[derive(Debug)]
pub enum Task {
    /// `fetch-artifacts`.
    FetchArtifacts {
        /// The run.
        run_id: RunId,
        /// The store.
        store: ArtifactStore,
        /// Where to copy to.
        dest: PathBuf,
    },
    /// `find-changes`.
    FindChanges {
        /// Where to look.
        dir: PathBuf,
        /// What to keep.
        filter: Filter,
        /// How to print.
        format: ListFormat,
        /// Whether to verify.
        verify: Verify,
    },
    /// `sign`.
    Sign {
        /// How to sign.
        signer: Signer,
        /// What to sign.
        input: PathInput,
    },
    /// `dput`.
    Dput {
        /// How to upload.
        uploader: Uploader,
        /// What to upload.
        input: PathInput,
    },
    /// `upload-run`.
    UploadRun {
        /// The run.
        run_id: RunId,
        /// The chain.
        pipeline: Box<Pipeline>,
        /// The ledger, when a database is configured.
        ledger: Option<Box<LedgerConfig>>,
    },
    /// `backfill`.
    Backfill(Box<BackfillSettings>),
    /// `listen`.
    Listen(Box<ListenSettings>),
    /// `generate-docs`.
    GenerateDocs {
        /// Where to write man/ and completions/.
        out_dir: PathBuf,
    },
}

impl Task {
    /// Validates a command line.
    ///
    /// # Errors
    /// [`SettingsError`] for anything invalid.
    pub fn from_cli(cli: Cli) -> Result<Self, SettingsError> {
        let config = match &cli.config {
            Some(path) => JanitorConfig::load(path)?,
            None => JanitorConfig::default(),
        };
        Ok(match cli.command {
            Command::FetchArtifacts(args) => {
                let run_id: RunId = args.run_id.parse()?;
                let dest = args.dest.unwrap_or_else(|| PathBuf::from(run_id.as_str()));
                Self::FetchArtifacts {
                    store: store(args.store, &config)?,
                    dest: absolute(&dest),
                    run_id,
                }
            }
            Command::FindChanges(args) => Self::FindChanges {
                dir: args.dir,
                filter: filter(args.filter),
                format: if args.json {
                    ListFormat::Json
                } else if args.null {
                    ListFormat::Null
                } else {
                    ListFormat::Lines
                },
                verify: if args.no_verify {
                    Verify::No
                } else {
                    Verify::Yes
                },
            },
            Command::Sign(args) => Self::Sign {
                signer: signer(args.signer)?,
                input: input(args.paths, args.null),
            },
            Command::Dput(args) => Self::Dput {
                uploader: uploader(args.uploader, args.simulate, args.force)?,
                input: input(args.paths, args.null),
            },
            Command::UploadRun(args) => Self::UploadRun {
                run_id: args.run_id.parse()?,
                ledger: ledger(
                    &args.ledger,
                    database(&args.ledger, &config)?,
                    None,
                    args.force,
                )?
                .map(Box::new),
                pipeline: Box::new(Pipeline {
                    store: store(args.store, &config)?,
                    filter: filter(args.filter),
                    signer: signer(args.signer)?,
                    uploader: uploader(args.uploader, args.simulate, args.force)?,
                    dry_run: args.dry_run,
                    ledger: None,
                }),
            },
            Command::Listen(args) => Self::Listen(Box::new(listen(args, &config)?)),
            Command::Backfill(args) => {
                Self::Backfill(Box::new(backfill(args, &config, cli.verbose > 0)?))
            }
            Command::GenerateDocs(args) => Self::GenerateDocs {
                out_dir: args.out_dir,
            },
        })
    }
}

fn backfill(
    args: cli::BackfillArgs,
    config: &JanitorConfig,
    verbose: bool,
) -> Result<BackfillSettings, SettingsError> {
    let host = no_leading_dash("dput host", args.uploader.host.clone())?;
    let database = database(&args.ledger, config)?.ok_or(SettingsError::Missing {
        what: "database",
        how: DATABASE_SOURCES,
    })?;
    let jobs = jobs(args.jobs)?;
    let policy = policy(&args.ledger, Some(args.max_attempts), args.force)?;
    let pipeline = if args.dry_run {
        // A dry run needs only the database: nothing is fetched or signed.
        None
    } else {
        Some(Pipeline {
            store: store(args.store, config)?,
            filter: Filter {
                source_only: args.source_only,
                distributions: Vec::new(),
            },
            signer: signer(args.signer)?,
            uploader: uploader(args.uploader, false, args.force)?,
            dry_run: false,
            ledger: None,
        })
    };
    Ok(BackfillSettings {
        database,
        distributions: args.distributions,
        pipeline,
        policy,
        no_ledger: args.ledger.no_ledger,
        jobs,
        limit: args.limit,
        dry_run: args.dry_run,
        host,
        verbose,
    })
}

/// `--jobs`: at least one.
fn jobs(jobs: usize) -> Result<usize, SettingsError> {
    if jobs == 0 {
        return Err(SettingsError::Invalid {
            what: "--jobs",
            value: "0".into(),
            reason: "at least one upload must be able to run".into(),
        });
    }
    Ok(jobs)
}

/// The database, when one is configured: flag > environment > config file.
fn database(
    args: &cli::LedgerArgs,
    config: &JanitorConfig,
) -> Result<Option<Database>, SettingsError> {
    if !is_valid_schema(&args.ledger_schema) {
        return Err(SettingsError::Invalid {
            what: "--ledger-schema",
            value: args.ledger_schema.clone(),
            reason: "use lowercase letters, digits and '_'".into(),
        });
    }
    let Some(url) = args
        .database
        .clone()
        .or_else(|| config.database_location.clone())
    else {
        return Ok(None);
    };
    Database::new(&url, &args.ledger_schema)
        .map(Some)
        .map_err(|e| SettingsError::Invalid {
            what: "database URL",
            value: e.to_string(),
            reason: "expected postgres://[user[:password]@]host[:port]/database".into(),
        })
}

fn policy(
    args: &cli::LedgerArgs,
    max_attempts: Option<u32>,
    force: bool,
) -> Result<Policy, SettingsError> {
    let lease = humantime::parse_duration(&args.lease).map_err(|e| SettingsError::Invalid {
        what: "--lease",
        value: args.lease.clone(),
        reason: e.to_string(),
    })?;
    if max_attempts == Some(0) {
        return Err(SettingsError::Invalid {
            what: "--max-attempts",
            value: "0".into(),
            reason: "at least one attempt is needed".into(),
        });
    }
    Ok(Policy {
        lease,
        max_attempts,
        force,
    })
}

/// The ledger, when a database is configured and `--no-ledger` is not given.
fn ledger(
    args: &cli::LedgerArgs,
    database: Option<Database>,
    max_attempts: Option<u32>,
    force: bool,
) -> Result<Option<LedgerConfig>, SettingsError> {
    let policy = policy(args, max_attempts, force)?;
    Ok(match database {
        Some(database) if !args.no_ledger => Some(LedgerConfig { database, policy }),
        _ => None,
    })
}

fn listen(args: cli::ListenArgs, config: &JanitorConfig) -> Result<ListenSettings, SettingsError> {
    let url = args
        .redis
        .or_else(|| config.redis_location.clone())
        .unwrap_or_else(|| DEFAULT_REDIS.to_owned());
    let redis = redis::Client::open(url.as_str()).map_err(|e| SettingsError::Invalid {
        what: "Redis URL",
        value: url.clone(),
        reason: e.to_string(),
    })?;
    let jobs = jobs(args.jobs)?;
    let health_addr = match (args.health_addr, args.port) {
        (Some(addr), _) => Some(parse_host_port(&addr)?),
        (None, Some(port)) => Some((args.listen_address, port)),
        (None, None) => None,
    };
    let shutdown_timeout =
        humantime::parse_duration(&args.shutdown_timeout).map_err(|e| SettingsError::Invalid {
            what: "--shutdown-timeout",
            value: args.shutdown_timeout.clone(),
            reason: e.to_string(),
        })?;
    let database = database(&args.ledger, config)?;
    if args.backfill && database.is_none() {
        return Err(SettingsError::Missing {
            what: "database for --backfill",
            how: DATABASE_SOURCES,
        });
    }
    let ledger = ledger(
        &args.ledger,
        database.clone(),
        Some(DEFAULT_MAX_ATTEMPTS),
        false,
    )?;
    Ok(ListenSettings {
        redis,
        database,
        ledger,
        backfill_at_start: args.backfill,
        channel: args.channel,
        jobs,
        filter: MessageFilter {
            distributions: args.distributions,
            campaigns: args.campaigns,
        },
        pipeline: Pipeline {
            store: store(args.store, config)?,
            filter: Filter {
                source_only: args.source_only,
                distributions: Vec::new(),
            },
            signer: signer(args.signer)?,
            uploader: uploader(args.uploader, false, false)?,
            dry_run: false,
            ledger: None,
        },
        health_addr,
        shutdown_timeout,
    })
}

/// `HOST:PORT` or `[V6]:PORT`.
fn parse_host_port(addr: &str) -> Result<(String, u16), SettingsError> {
    let invalid = |reason: &str| SettingsError::Invalid {
        what: "--health-addr",
        value: addr.to_owned(),
        reason: reason.to_owned(),
    };
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| invalid("expected ADDR:PORT"))?;
    let port = port.parse().map_err(|_| invalid("bad port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(invalid("no address"));
    }
    Ok((host.to_owned(), port))
}

fn store(args: cli::StoreArgs, config: &JanitorConfig) -> Result<ArtifactStore, SettingsError> {
    let location = args
        .artifacts
        .or_else(|| config.artifact_location.clone())
        .ok_or(SettingsError::Missing {
            what: "artifact location",
            how: "--artifacts, AUTO_UPLOAD_ARTIFACTS or artifact_location in --config",
        })?;
    Ok(ArtifactStore::open(&location)?)
}

fn filter(args: cli::ChangesFilterArgs) -> Filter {
    Filter {
        source_only: args.source_only,
        distributions: args.distributions,
    }
}

fn signer(args: cli::SignerArgs) -> Result<Signer, SettingsError> {
    Ok(Signer {
        debsign: Tool::new(program(&args.debsign_program)),
        keyid: no_leading_dash("key id", args.keyid)?,
    })
}

fn uploader(
    args: cli::UploaderArgs,
    simulate: bool,
    force: bool,
) -> Result<Uploader, SettingsError> {
    Ok(Uploader {
        dput: Tool::new(program(&args.dput_program)),
        host: no_leading_dash("dput host", args.host)?,
        config: args.dput_config.map(|c| absolute(&c)),
        simulate,
        force,
    })
}

fn input(paths: Vec<PathBuf>, null: bool) -> PathInput {
    let stdin = paths.is_empty() || (paths.len() == 1 && paths[0] == Path::new("-"));
    PathInput {
        paths: if stdin { Vec::new() } else { paths },
        null,
    }
}

fn no_leading_dash(
    what: &'static str,
    value: Option<String>,
) -> Result<Option<String>, SettingsError> {
    match value {
        Some(v) if v.is_empty() || v.starts_with('-') => {
            Err(SettingsError::LeadingDash { what, value: v })
        }
        other => Ok(other),
    }
}

/// Programs run in another directory: a relative path with a `/` is made
/// absolute, a bare name is left for PATH.
fn program(path: &Path) -> PathBuf {
    if path.components().count() > 1 && path.is_relative() {
        absolute(path)
    } else {
        path.to_owned()
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn task(args: &[&str]) -> Result<Task, SettingsError> {
        Task::from_cli(Cli::try_parse_from(args).unwrap())
    }

    #[test]
    fn leading_dashes_are_refused() {
        for args in [
            &["auto-upload", "sign", "--keyid", "-x", "a.changes"][..],
            &["auto-upload", "dput", "--host=-f", "a.changes"],
            &["auto-upload", "dput", "--host=", "a.changes"],
        ] {
            let err = task(args).unwrap_err();
            assert_eq!(err.exit_code(), ExitCode::Usage, "{args:?}");
        }
    }

    #[test]
    fn stdin_when_no_paths_or_dash() {
        assert_eq!(input(vec![], false).paths, Vec::<PathBuf>::new());
        assert_eq!(input(vec!["-".into()], false).paths, Vec::<PathBuf>::new());
        assert_eq!(
            input(vec!["a".into()], true).paths,
            vec![PathBuf::from("a")]
        );
    }

    #[test]
    fn artifact_location_is_required() {
        let err = task(&["auto-upload", "upload-run", "r1"]).unwrap_err();
        assert!(matches!(err, SettingsError::Missing { .. }), "{err}");
    }

    #[test]
    fn health_addresses() {
        assert_eq!(
            parse_host_port("127.0.0.1:9933").unwrap(),
            ("127.0.0.1".into(), 9933)
        );
        assert_eq!(parse_host_port("[::1]:80").unwrap(), ("::1".into(), 80));
        for bad in ["9933", ":9933", "localhost:x", "localhost:70000"] {
            assert!(parse_host_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listen_validation() {
        let base = ["auto-upload", "listen", "--artifacts", "/srv"];
        let with = |extra: &[&str]| {
            let args: Vec<&str> = base.iter().chain(extra).copied().collect();
            task(&args)
        };
        assert!(with(&["--jobs", "0"]).is_err());
        assert!(with(&["--shutdown-timeout", "soon"]).is_err());
        assert!(with(&["--redis", "http://x"]).is_err());
        match with(&["--port", "9933", "--shutdown-timeout", "90s"]).unwrap() {
            Task::Listen(settings) => {
                assert_eq!(settings.health_addr, Some(("localhost".into(), 9933)));
                assert_eq!(
                    settings.shutdown_timeout,
                    std::time::Duration::from_secs(90)
                );
                assert_eq!(settings.channel, "result");
                assert_eq!(settings.jobs, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn programs_resolve() {
        assert_eq!(program(Path::new("debsign")), PathBuf::from("debsign"));
        assert!(program(Path::new("./bin/dput")).is_absolute());
    }
}
