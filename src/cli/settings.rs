//! From raw arguments to validated settings: flag > environment (both by
//! clap) > configuration file > built-in default. Run ids, hosts, key ids and
//! locations are checked here, before any work starts.

use std::path::{Path, PathBuf};

use crate::chain::artifacts::{ArtifactError, ArtifactStore};
use crate::chain::dput::Uploader;
use crate::chain::pipeline::Pipeline;
use crate::chain::sign::Signer;
use crate::chain::signature::Verifier;
use crate::cli::janitor_conf::{ConfigError, JanitorConfig, Schema};
use crate::cli::{self, Cli, Command, LogFormat};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::{Filter, Verify};
use crate::input::dispatch::is_janitor_name;
use crate::input::names::{DputHost, Reported};
use crate::input::record::{self, Record};
use crate::input::run_id::{InvalidRunId, RunId};
use crate::ledger::LedgerConfig;
use crate::service::backfill::BackfillSettings;
use crate::service::listen::ListenSettings;
use crate::telemetry::LogSettings;

mod chain;
mod ledger;
mod services;
mod sources;
mod values;

use chain::{filter, hosts, pipeline, rates, review, signer, store, uploader, verifier, Chain};
use ledger::ledger_command;
pub use ledger::LedgerAction;
pub use services::DEFAULT_MAX_ATTEMPTS;
use services::{backfill, database, ledger, listen};
use sources::Sources;
pub use sources::{Location, Origin};
pub use values::DEFAULT_REDIS;

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
    /// A Debian name (suite, source, version, host, key id) that is not one.
    #[error(transparent)]
    Name(#[from] crate::input::names::InvalidName),
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
    /// A combination that would do harm.
    #[error("{0}")]
    Refused(&'static str),
    /// What an action needs to know first cannot be checked.
    #[error("{0}")]
    Unchecked(String),
    /// A setting with no value from any source.
    #[error("no {what} given: use {how}")]
    Missing {
        /// Which setting.
        what: &'static str,
        /// Where it can be given.
        how: &'static str,
    },
}

impl HasExitCode for SettingsError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Artifacts(e) => e.exit_code(),
            _ => ExitCode::Usage,
        }
    }
}

/// The log settings of a command line; usable before anything else is
/// validated, so that errors can be logged.
pub fn log_settings(cli: &Cli) -> LogSettings {
    LogSettings {
        verbosity: if cli.quiet {
            -1
        } else {
            cli.verbose.min(3) as i8
        },
        json: cli.log_format == LogFormat::Json,
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
        /// The signature check (`--verify-signature`).
        signature: Option<Verifier>,
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
        /// The Janitor database, when one is configured: the run's
        /// `debian_build` row, and the ledger unless `--no-ledger`.
        database: Option<Box<LedgerConfig>>,
        /// What the operator expects (`--expect-*`), if anything.
        expect: Option<Record>,
        /// `--codebase` and `--campaign`.
        dispatch: GivenDispatch,
    },
    /// `backfill`.
    Backfill {
        /// What to do.
        settings: Box<BackfillSettings>,
        /// Print the summary even when stderr is not a terminal.
        verbose: bool,
    },
    /// `listen`.
    Listen(Box<ListenSettings>),
    /// `check-config`: listen's settings, tried, and the timers' file of
    /// figures.
    CheckConfig {
        /// listen's settings.
        settings: Box<ListenSettings>,
        /// `--metrics-file`.
        metrics_file: Option<std::path::PathBuf>,
    },
    /// `ledger …`.
    Ledger {
        /// The database and ledger.
        database: Box<LedgerConfig>,
        /// The ledger's key (dput host); all hosts when `None`.
        host: Option<DputHost>,
        /// What to do.
        action: LedgerAction,
    },
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
            Some(path) => {
                let schema = match &cli.config_schema {
                    Some(schema) => Schema::compile(schema)?,
                    None => Schema::built_in(),
                };
                JanitorConfig::load(path, &schema)?
            }
            None => JanitorConfig::default(),
        };
        let config = Sources::new(config, cli.config.clone(), cli.origins.clone());
        let mut task = Self::from_command(cli.command, cli.verbose, &config)?;
        match &mut task {
            // listen says it in its start-up line.
            Self::Listen(settings) => {
                settings.locations = config.chosen().iter().map(ToString::to_string).collect();
            }
            _ => {
                for location in config.chosen() {
                    tracing::info!(
                        what = location.what,
                        value = %location.value,
                        from = %location.origin,
                        "location"
                    );
                }
            }
        }
        Ok(task)
    }

    fn from_command(
        command: Command,
        verbose: u8,
        config: &Sources,
    ) -> Result<Self, SettingsError> {
        Ok(match command {
            Command::FetchArtifacts(args) => fetch_artifacts(args, config)?,
            Command::FindChanges(args) => find_changes(args),
            Command::Sign(args) => Self::Sign {
                signer: signer(args.signer)?,
                input: input(args.paths, args.null),
            },
            Command::Dput(args) => Self::Dput {
                uploader: uploader(args.uploader, args.simulate, args.force)?,
                input: input(args.paths, args.null),
            },
            Command::UploadRun(args) => upload_run(args, config)?,
            Command::Listen(args) => Self::Listen(Box::new(listen(args, config)?)),
            Command::CheckConfig(args) => Self::CheckConfig {
                settings: Box::new(listen(args.listen, config)?),
                metrics_file: args.metrics.metrics_file,
            },
            Command::Backfill(args) => Self::Backfill {
                settings: Box::new(backfill(args, config)?),
                verbose: verbose > 0,
            },
            Command::Ledger(args) => ledger_command(args.command, config)?,
            Command::GenerateDocs(args) => Self::GenerateDocs {
                out_dir: args.out_dir,
            },
        })
    }
}

fn fetch_artifacts(args: cli::FetchArgs, config: &Sources) -> Result<Task, SettingsError> {
    let run_id: RunId = args.run_id.parse()?;
    let dest = args.dest.unwrap_or_else(|| PathBuf::from(run_id.as_str()));
    Ok(Task::FetchArtifacts {
        store: store(args.store, config)?,
        dest: absolute(&dest),
        run_id,
    })
}

fn find_changes(args: cli::FindChangesArgs) -> Task {
    Task::FindChanges {
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
        signature: if args.verify_signature {
            verifier(args.keyrings, std::time::Duration::from_secs(120), None)
        } else {
            None
        },
    }
}

fn upload_run(args: cli::UploadRunArgs, config: &Sources) -> Result<Task, SettingsError> {
    let run_id = args.run_id.parse()?;
    let hosts = hosts(&args.chain.uploader.host)?;
    let limits = rates(&args.chain.rates)?;
    let database = match database(&args.ledger, config)? {
        Some(database) => Some(Box::new(ledger(
            &args.ledger,
            config,
            database,
            hosts,
            limits.clone(),
            None,
            args.force,
        )?)),
        None => None,
    };
    let expect = expectation(args.expect)?;
    let dispatch = dispatch_given(args.dispatch, database.is_some())?;
    let review = review(&args.chain.review, database.is_some())?;
    let pipeline = pipeline(
        Chain {
            filter: filter(args.filter),
            simulate: args.simulate,
            force: args.force,
            dry_run: args.dry_run,
            ..Chain::of(args.chain, limits, review, None)
        },
        config,
    )?;
    Ok(Task::UploadRun {
        run_id,
        pipeline: Box::new(pipeline),
        database,
        expect,
        dispatch,
    })
}

/// What `upload-run --codebase/--campaign` says the run was dispatched as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenDispatch {
    /// `--codebase`.
    pub codebase: Option<String>,
    /// `--campaign`.
    pub campaign: Option<String>,
}

/// `--codebase` and `--campaign`: the run's dispatch by hand, both
/// required without a database (with one, the run table is read, and what
/// is given here must match it).
fn dispatch_given(
    args: cli::DispatchArgs,
    has_database: bool,
) -> Result<GivenDispatch, SettingsError> {
    for (what, value) in [
        ("--codebase", &args.codebase),
        ("--campaign", &args.campaign),
    ] {
        if let Some(value) = value.as_ref().filter(|v| !is_janitor_name(v)) {
            return Err(SettingsError::Invalid {
                what,
                value: value.clone(),
                reason: "not in the Janitor's syntax for it ([a-z0-9][a-z0-9+-.]+)".into(),
            });
        }
    }
    match (args.codebase, args.campaign) {
        (codebase, campaign) if has_database => Ok(GivenDispatch { codebase, campaign }),
        (Some(codebase), Some(campaign)) => Ok(GivenDispatch {
            codebase: Some(codebase),
            campaign: Some(campaign),
        }),
        _ => Err(SettingsError::Refused(
            "without the Janitor's database, say what the run was dispatched as: \
             --codebase C --campaign C (what may be signed is what the Janitor decided)",
        )),
    }
}

/// `--expect-source/--expect-version/--expect-distribution`, each in its
/// Debian syntax; `None` when none is given.
fn expectation(args: cli::ExpectArgs) -> Result<Option<Record>, SettingsError> {
    let record = Record {
        source: args.expect_source.map(Reported::Name),
        version: args.expect_version.map(Reported::Name),
        distributions: args.expect_distribution.map(|d| vec![Reported::Name(d)]),
        ..Record::new(record::Origin::CommandLine)
    };
    let given =
        record.source.is_some() || record.version.is_some() || record.distributions.is_some();
    Ok(given.then_some(record))
}

/// A duration given as text (`90s`, `2m`, `1h 30m`); more than zero.
fn time_limit(what: &'static str, value: &str) -> Result<std::time::Duration, SettingsError> {
    let invalid = |reason: String| SettingsError::Invalid {
        what,
        value: value.to_owned(),
        reason,
    };
    let limit = values::duration(what, value)?;
    if limit.is_zero() {
        return Err(invalid("must be more than zero".into()));
    }
    Ok(limit)
}

fn input(paths: Vec<PathBuf>, null: bool) -> PathInput {
    let stdin = paths.is_empty() || (paths.len() == 1 && paths[0] == Path::new("-"));
    PathInput {
        paths: if stdin { Vec::new() } else { paths },
        null,
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
            // Refused where it is parsed: a key id by clap (a usage error,
            // exit 2), a host by the settings.
            let code = match Cli::try_parse_from(args) {
                Err(e) => e.exit_code(),
                Ok(cli) => i32::from(Task::from_cli(cli).unwrap_err().exit_code().code()),
            };
            assert_eq!(code, i32::from(ExitCode::Usage.code()), "{args:?}");
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
        let err = task(&[
            "auto-upload",
            "upload-run",
            "r1",
            "--codebase",
            "a1",
            "--campaign",
            "c1",
        ])
        .unwrap_err();
        assert!(matches!(err, SettingsError::Missing { .. }), "{err}");
    }

    #[test]
    fn without_a_database_the_dispatch_is_given() {
        let err = task(&["auto-upload", "upload-run", "r1", "--artifacts", "/srv"]).unwrap_err();
        assert!(
            err.to_string().contains("--codebase C --campaign C"),
            "{err}"
        );
        let err = task(&[
            "auto-upload",
            "upload-run",
            "r1",
            "--artifacts",
            "/srv",
            "--codebase",
            "../x",
            "--campaign",
            "c1",
        ])
        .unwrap_err();
        assert!(
            matches!(
                err,
                SettingsError::Invalid {
                    what: "--codebase",
                    ..
                }
            ),
            "{err}"
        );
        let err = task(&[
            "auto-upload",
            "upload-run",
            "r1",
            "--artifacts",
            "/srv",
            "--codebase",
            "a1",
            "--campaign",
            "c1",
            "--require-review",
        ])
        .unwrap_err();
        assert!(
            err.to_string().contains("needs the Janitor's database"),
            "{err}"
        );
    }

    #[test]
    fn programs_resolve() {
        assert_eq!(program(Path::new("debsign")), PathBuf::from("debsign"));
        assert!(program(Path::new("./bin/dput")).is_absolute());
    }
}
