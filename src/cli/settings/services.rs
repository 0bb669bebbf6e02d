//! Settings of the services: `listen`, `backfill`, and the database and
//! ledger they share with `upload-run`.

use super::chain::{hosts, rates, review};
use super::sources::{self, Sources};
use super::values::{duration, redis_client};
use super::{pipeline, Chain, SettingsError};
use crate::archive::IndexUse;
use crate::cli;
use crate::input::changes::Filter;
use crate::input::hosts::Hosts;
use crate::input::message::MessageFilter;
use crate::input::names::Suite;
use crate::input::rates::RateLimits;
use crate::input::record::Record;
use crate::ledger::database::{is_valid_schema, Database};
use crate::ledger::{LedgerConfig, Policy};
use crate::service::backfill::BackfillSettings;
use crate::service::listen::ListenSettings;

/// How many failed attempts `listen` makes on one `.changes` (backfill:
/// `--max-attempts`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Where a database URL can be given.
pub(super) const DATABASE_SOURCES: &str =
    "--database, AUTO_UPLOAD_DATABASE or database_location in --config (DATABASE_URL is not read)";

/// `backfill`: the database is required; a dry run needs nothing else.
pub(super) fn backfill(
    args: cli::BackfillArgs,
    config: &Sources,
) -> Result<BackfillSettings, SettingsError> {
    let hosts = hosts(&args.chain.uploader.host)?;
    let limits = rates(&args.chain.rates)?;
    let database = database(&args.ledger, config)?.ok_or(SettingsError::Missing {
        what: "database",
        how: DATABASE_SOURCES,
    })?;
    let jobs = jobs(args.jobs)?;
    let database = ledger(
        &args.ledger,
        config,
        database,
        hosts,
        limits.clone(),
        Some(args.max_attempts),
        args.force,
    )?;
    let review = review(&args.chain.review, true)?;
    let campaigns = std::sync::Arc::new(config.config.campaigns(review.clone()));
    let pipeline = if args.dry_run {
        // A dry run needs only the database: nothing is fetched or signed.
        None
    } else {
        Some(pipeline(
            Chain {
                filter: Filter {
                    source_only: args.source_only,
                    distributions: Vec::new(),
                },
                force: args.force,
                scope: Record::selection("--distribution", &args.distributions)
                    .into_iter()
                    .collect(),
                ..Chain::of(args.chain, limits, review, None)
            },
            config,
        )?)
    };
    Ok(BackfillSettings {
        database,
        distributions: args.distributions,
        pipeline,
        jobs,
        limit: args.limit,
        dry_run: args.dry_run,
        metrics_file: args.metrics.metrics_file,
        check: args.check,
        campaigns,
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
    config: &Sources,
) -> Result<Option<Database>, SettingsError> {
    if !is_valid_schema(&args.ledger_schema) {
        return Err(SettingsError::Invalid {
            what: "--ledger-schema",
            value: args.ledger_schema.clone(),
            reason: "use lowercase letters, digits and '_'".into(),
        });
    }
    let Some(url) = config.choose(
        sources::DATABASE,
        args.database.clone(),
        |c| c.database_location.clone(),
        None,
    ) else {
        return Ok(None);
    };
    database_at(&url, args).map(Some)
}

/// A database URL, checked, with the ledger's schema and the connect
/// timeout.
fn database_at(url: &str, args: &cli::LedgerArgs) -> Result<Database, SettingsError> {
    let timeout = duration("--connect-timeout", &args.connect_timeout)?;
    if timeout.is_zero() {
        return Err(SettingsError::Invalid {
            what: "--connect-timeout",
            value: args.connect_timeout.clone(),
            reason: "must be more than zero".into(),
        });
    }
    let database = Database::new(url, &args.ledger_schema).map_err(|e| SettingsError::Invalid {
        what: "database URL",
        value: e.to_string(),
        reason: "expected postgres://[user[:password]@]host[:port]/database".into(),
    })?;
    Ok(database.with_connect_timeout(timeout))
}

fn policy(
    args: &cli::LedgerArgs,
    max_attempts: Option<u32>,
    force: bool,
) -> Result<Policy, SettingsError> {
    let lease = duration("--lease", &args.lease)?;
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

/// The database as a command uses it: with the ledger's rules for `hosts`
/// unless `--no-ledger`.
pub(super) fn ledger(
    args: &cli::LedgerArgs,
    config: &Sources,
    database: Database,
    hosts: Hosts,
    limits: Option<RateLimits>,
    max_attempts: Option<u32>,
    force: bool,
) -> Result<LedgerConfig, SettingsError> {
    let policy = policy(args, max_attempts, force)?;
    let ledger_database = match &args.ledger_database {
        Some(url) if !args.no_ledger => {
            config.choose(sources::LEDGER_DATABASE, Some(url.clone()), |_| None, None);
            Some(database_at(url, args)?)
        }
        _ => None,
    };
    Ok(LedgerConfig {
        database,
        ledger_database,
        policy: (!args.no_ledger).then_some(policy),
        hosts,
        limits,
    })
}

/// `listen`: Redis, jobs, health address, shutdown timeout, and the
/// optional database and ledger.
pub(super) fn listen(
    args: cli::ListenArgs,
    config: &Sources,
) -> Result<ListenSettings, SettingsError> {
    let hosts = hosts(&args.chain.uploader.host)?;
    let limits = rates(&args.chain.rates)?;
    if args.backfill && args.ledger.no_ledger && !args.force {
        return Err(SettingsError::Refused(
            "--backfill with --no-ledger would upload every newest build in debian_build \
             again at each start, with nothing to remember what was uploaded: keep the \
             ledger (drop --no-ledger, or use --ledger-database), or add --force to do it anyway",
        ));
    }
    let database = match database(&args.ledger, config)? {
        Some(database) => Some(ledger(
            &args.ledger,
            config,
            database,
            hosts,
            limits.clone(),
            Some(DEFAULT_MAX_ATTEMPTS),
            false,
        )?),
        None if args.backfill => {
            return Err(SettingsError::Missing {
                what: "database for --backfill",
                how: DATABASE_SOURCES,
            })
        }
        None => None,
    };
    let scope = listen_scope(&args.distributions, &args.campaigns, config);
    let review = review(&args.chain.review, database.is_some())?;
    let redis_flag = args.redis;
    Ok(ListenSettings {
        redis: redis_client(redis_flag.clone(), config)?,
        database,
        backfill_at_start: args.backfill,
        max_queued: args.max_queued,
        channel: args.channel,
        status_channel: args.status_channel,
        check: args.check,
        jobs: jobs(args.jobs)?,
        filter: MessageFilter {
            distributions: args.distributions,
            campaigns: args.campaigns,
        },
        pipeline: pipeline(
            Chain {
                filter: Filter {
                    source_only: args.source_only,
                    distributions: Vec::new(),
                },
                index_use: IndexUse::SERVICE,
                scope,
                ..Chain::of(args.chain, limits, review, redis_flag)
            },
            config,
        )?,
        health_addr: health_addr(args.health_addr, args.listen_address, args.port)?,
        shutdown_timeout: duration("--shutdown-timeout", &args.shutdown_timeout)?,
        locations: Vec::new(),
    })
}

/// What `listen`'s selections say of every `.changes`: its Distribution
/// is one of `--distribution`, and the build distribution of one of
/// `--campaign` when `--config` names every selected campaign's (else the
/// campaigns select messages only, said at start).
fn listen_scope(distributions: &[Suite], campaigns: &[String], config: &Sources) -> Vec<Record> {
    let campaign_suites: Option<Vec<Suite>> = campaigns
        .iter()
        .map(|c| config.config.build_distribution(c))
        .collect();
    if campaign_suites.is_none() {
        tracing::warn!(
            campaigns = %campaigns.join(","),
            "--config names no debian_build.build_distribution for some --campaign: \
             campaigns select runner messages, the .changes are compared with each run's record only"
        );
    }
    Record::selection("--distribution", distributions)
        .into_iter()
        .chain(Record::selection(
            "--campaign",
            &campaign_suites.unwrap_or_default(),
        ))
        .collect()
}

/// The health server's address: `--health-addr`, else `--listen-address`
/// with `--port`; none without either.
fn health_addr(
    addr: Option<String>,
    listen_address: String,
    port: Option<u16>,
) -> Result<Option<(String, u16)>, SettingsError> {
    Ok(match (addr, port) {
        (Some(addr), _) => Some(parse_host_port(&addr)?),
        (None, Some(port)) => Some((listen_address, port)),
        (None, None) => None,
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
    use crate::cli::settings::Task;
    use crate::cli::Cli;
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
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("janitor.conf");
        std::fs::write(&conf, "campaign { name: \"unstable\" debian_build {} }\n").unwrap();
        let conf = conf.to_str().unwrap();
        let base = [
            "auto-upload",
            "--config",
            conf,
            "listen",
            "--artifacts",
            "/srv",
        ];
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
                assert_eq!(settings.status_channel, "publish-status");
                assert_eq!(settings.jobs, 2);
            }
            other => panic!("{other:?}"),
        }
        let bare = ["auto-upload", "listen", "--artifacts", "/srv"];
        let err = task(&bare).unwrap_err();
        assert!(err.to_string().contains("no Debian campaign"), "{err}");
        let err = with(&["--require-review"]).unwrap_err();
        assert!(
            err.to_string().contains("needs the Janitor's database"),
            "{err}"
        );
    }
}
