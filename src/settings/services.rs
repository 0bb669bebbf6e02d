//! Settings of the services: `listen`, `backfill`, and the database and
//! ledger they share with `upload-run`.

use super::{no_leading_dash, signer, store, uploader, SettingsError};
use crate::backfill::BackfillSettings;
use crate::changes::Filter;
use crate::cli;
use crate::config::JanitorConfig;
use crate::database::{is_valid_schema, Database};
use crate::ledger::{LedgerConfig, Policy};
use crate::listen::ListenSettings;
use crate::message::MessageFilter;
use crate::upload::Pipeline;

/// How many failed attempts `listen` makes on one `.changes` (backfill:
/// `--max-attempts`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Where a database URL can be given.
const DATABASE_SOURCES: &str =
    "--database, AUTO_UPLOAD_DATABASE or database_location in --config (DATABASE_URL is not read)";

/// Where `listen` finds Redis when nothing else says.
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

/// `backfill`: the database is required; a dry run needs nothing else.
pub(super) fn backfill(
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
pub(super) fn database(
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
pub(super) fn ledger(
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

/// `listen`: Redis, jobs, health address, shutdown timeout, and the
/// optional database and ledger.
pub(super) fn listen(
    args: cli::ListenArgs,
    config: &JanitorConfig,
) -> Result<ListenSettings, SettingsError> {
    let url = args
        .redis
        .or_else(|| config.redis_location.clone())
        .unwrap_or_else(|| DEFAULT_REDIS.to_owned());
    let redis = redis::Client::open(url.as_str()).map_err(|e| SettingsError::Invalid {
        what: "Redis URL",
        value: crate::secrets::mask(&url),
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
        max_queued: args.max_queued,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::settings::Task;
    use clap::Parser;

    fn task(args: &[&str]) -> Result<Task, SettingsError> {
        Task::from_cli(Cli::try_parse_from(args).unwrap())
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
}
