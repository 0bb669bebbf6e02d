//! Settings of the `ledger` subcommands: which ledger, and what each
//! action selects or changes.

use super::chain::{archives, hosts, review};
use super::services::{database, ledger, DATABASE_SOURCES};
use super::sources::Sources;
use super::values::duration;
use super::{absolute, pipeline, Chain, SettingsError};
use crate::archive::{Archives, IndexUse};
use crate::chain::pipeline::Pipeline;
use crate::cli;
use crate::cli::settings::Task;
use crate::input::hosts::Hosts;
use crate::input::names::DputHost;
use crate::input::run_id::RunId;
use crate::ledger::view::ListQuery;

/// What a `ledger` subcommand does.
#[derive(Debug)]
pub enum LedgerAction {
    /// `ledger list`.
    List {
        /// What to select.
        query: ListQuery,
        /// JSON lines.
        json: bool,
    },
    /// `ledger show RUN_ID`.
    Show(RunId),
    /// `ledger retry RUN_ID [--now] [--force]`.
    Retry {
        /// The run.
        run_id: RunId,
        /// The chain to upload it with at once (`--now`).
        now: Option<Box<Pipeline>>,
        /// Where unconfirmed `.changes` are looked for before they are
        /// reset.
        archives: Box<Archives>,
        /// dput's configuration, for the upload queues looked in too.
        dput_config: Option<std::path::PathBuf>,
        /// `--force`: reset unconfirmed `.changes` without looking.
        force: bool,
    },
    /// `ledger forget RUN_ID`.
    Forget(RunId),
    /// `ledger reconcile`.
    Reconcile {
        /// Where to look.
        archives: Box<Archives>,
        /// Uploads older than this and not in the archive are unconfirmed.
        after: std::time::Duration,
        /// Where the figures go for node_exporter.
        metrics_file: Option<std::path::PathBuf>,
    },
    /// `ledger pause --reason TEXT`.
    Pause {
        /// Why.
        reason: String,
    },
    /// `ledger resume`.
    Resume,
}

/// The `ledger` subcommands: the database is required, `--no-ledger`
/// makes no sense.
pub(crate) fn ledger_command(
    command: cli::LedgerCommand,
    config: &Sources,
) -> Result<Task, SettingsError> {
    let (ledger_args, host, action) = match command {
        cli::LedgerCommand::List(args) => list_action(args)?,
        cli::LedgerCommand::Show(args) => {
            let action = LedgerAction::Show(args.run_id.parse()?);
            (args.key.ledger, args.key.host, action)
        }
        cli::LedgerCommand::Forget(args) => {
            let action = LedgerAction::Forget(args.run_id.parse()?);
            (args.key.ledger, args.key.host, action)
        }
        cli::LedgerCommand::Pause(args) => {
            let reason = args.reason.trim().to_owned();
            if reason.is_empty() {
                return Err(SettingsError::Missing {
                    what: "reason for the pause",
                    how: "--reason TEXT",
                });
            }
            if reason.len() > crate::ledger::pause::MAX_REASON_BYTES {
                return Err(SettingsError::Invalid {
                    what: "--reason",
                    value: format!("{} bytes", reason.len()),
                    reason: format!("at most {} bytes", crate::ledger::pause::MAX_REASON_BYTES),
                });
            }
            (args.key.ledger, None, LedgerAction::Pause { reason })
        }
        cli::LedgerCommand::Resume(args) => (args.ledger, None, LedgerAction::Resume),
        cli::LedgerCommand::Reconcile(args) => reconcile_action(args, config)?,
        cli::LedgerCommand::Retry(args) => retry_action(*args, config)?,
    };
    if ledger_args.no_ledger {
        return Err(SettingsError::Refused(
            "--no-ledger makes no sense for the ledger subcommands",
        ));
    }
    let database = database(&ledger_args, config)?.ok_or(SettingsError::Missing {
        what: "database",
        how: DATABASE_SOURCES,
    })?;
    let database = ledger(
        &ledger_args,
        config,
        database,
        Hosts::single(host.clone()),
        None,
        None,
        false,
    )?;
    Ok(Task::Ledger {
        database: Box::new(database),
        host,
        action,
    })
}

/// What a `ledger` subcommand gives: its ledger arguments, the host key
/// and the action.
type LedgerParts = (cli::LedgerArgs, Option<DputHost>, LedgerAction);

/// `ledger list`.
pub(super) fn list_action(args: cli::LedgerListArgs) -> Result<LedgerParts, SettingsError> {
    let host = args.key.host;
    let query = ListQuery {
        host: host.clone(),
        state: args.state.map(|s| s.0),
        since: args
            .since
            .as_deref()
            .map(|d| duration("--since", d))
            .transpose()?,
        source: args.source,
        max_attempts: args.max_attempts,
    };
    let action = LedgerAction::List {
        query,
        json: args.json,
    };
    Ok((args.key.ledger, host, action))
}

/// `ledger reconcile`: an archive is required.
pub(super) fn reconcile_action(
    args: cli::LedgerReconcileArgs,
    config: &Sources,
) -> Result<LedgerParts, SettingsError> {
    let host = args.key.host;
    let archives = archives(args.archive, IndexUse::ONE_SHOT, config)?;
    if archives.is_empty() {
        return Err(SettingsError::Missing {
            what: "archive for ledger reconcile",
            how: "--archive, AUTO_UPLOAD_ARCHIVE or archive_mirror_uri in --config",
        });
    }
    let action = LedgerAction::Reconcile {
        archives: Box::new(archives),
        after: duration("--after", &args.after)?,
        metrics_file: args.metrics.metrics_file,
    };
    Ok((args.key.ledger, host, action))
}

/// `ledger retry`: with `--now`, the whole upload chain.
pub(super) fn retry_action(
    args: cli::LedgerRetryArgs,
    config: &Sources,
) -> Result<LedgerParts, SettingsError> {
    // The rows reset: a plain --host's, else every host's.
    let host = hosts(&args.uploader.host)?.every().cloned();
    let run_id = args.run_id.parse()?;
    let archives = Box::new(archives(args.archive.clone(), IndexUse::ONE_SHOT, config)?);
    let force = args.force;
    let dput_config = args.uploader.dput_config.as_deref().map(absolute);
    let now = if args.now {
        let review = review(&args.review, true)?;
        let chain = Chain::plain(args.store, args.signer, args.uploader, args.archive, review);
        Some(Box::new(pipeline(chain, config)?))
    } else {
        None
    };
    Ok((
        args.ledger,
        host,
        LedgerAction::Retry {
            run_id,
            now,
            archives,
            dput_config,
            force,
        },
    ))
}
