//! `check-config` (and `listen --check`): with the settings the service
//! uses, everything an upload needs is tried once, so that a service that
//! cannot upload says so at start rather than at its first upload: the key
//! signs, dput knows every host the routing names, the artifact store
//! reads, the database answers with the Janitor's tables and a writable
//! ledger, Redis answers and the channel is subscribable. `check-config`
//! also tries what the timers need: an archive for `ledger reconcile` when
//! its timer is enabled, a writable file of figures.

use std::ffi::OsString;
use std::time::Duration;

use crate::chain::pipeline::Pipeline;
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::names::{DputHost, KeyId};
use crate::ledger::Access;
use crate::ledger::LedgerConfig;

/// How long one check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// One item checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub item: &'static str,
    /// Whether it works.
    pub ok: bool,
    /// A failure that may pass without a change of configuration: a
    /// service that does not answer (yet), a timeout. Every other failure
    /// lasts until the operator mends it.
    pub passing: bool,
    /// What was found, or what is wrong.
    pub detail: String,
}

/// Why a check failed.
#[derive(Debug)]
enum Failure {
    /// Only the operator can mend it: a key that cannot sign, a host dput
    /// does not know, a missing store, a refused password or grant.
    Lasting(String),
    /// It may pass on its own: the service did not answer.
    Passing(String),
}

impl From<String> for Failure {
    fn from(detail: String) -> Self {
        Self::Lasting(detail)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = if self.ok { "ok" } else { "FAIL" };
        write!(f, "{word}\t{}\t{}", self.item, self.detail)
    }
}

fn check(item: &'static str, result: Result<String, Failure>) -> Check {
    let (ok, passing, detail) = match result {
        Ok(detail) => (true, false, detail),
        Err(Failure::Lasting(detail)) => (false, false, detail),
        Err(Failure::Passing(detail)) => (false, true, detail),
    };
    Check {
        item,
        ok,
        passing,
        detail,
    }
}

/// Runs `what` within [`CHECK_TIMEOUT`].
async fn bounded(
    what: impl std::future::Future<Output = Result<String, Failure>>,
) -> Result<String, Failure> {
    tokio::time::timeout(CHECK_TIMEOUT, what)
        .await
        .unwrap_or_else(|_| {
            Err(Failure::Passing(format!(
                "no answer within {}s",
                CHECK_TIMEOUT.as_secs()
            )))
        })
}

/// What the checks try: the settings of the service.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The upload chain.
    pub pipeline: &'a Pipeline,
    /// The database, when one is configured.
    pub database: Option<&'a LedgerConfig>,
    /// The runner's Redis and the channel results are published on
    /// (none for backfill, which reads no message).
    pub redis: Option<(&'a redis::Client, &'a str)>,
}

/// What the timers' units need besides listen's settings (`check-config`
/// only: neither makes an upload fail).
#[derive(Debug, Clone, Copy)]
pub struct Timers<'a> {
    /// `--metrics-file`: its directory must take a new file.
    pub metrics_file: Option<&'a std::path::Path>,
    /// Whether `auto-upload-reconcile.timer` is enabled, which needs an
    /// archive.
    pub reconcile_enabled: bool,
}

/// Where systemd records that the reconcile timer is enabled.
const RECONCILE_TIMER_LINK: &str =
    "/etc/systemd/system/timers.target.wants/auto-upload-reconcile.timer";

/// Whether `systemctl enable auto-upload-reconcile.timer` was run here.
pub fn reconcile_timer_enabled() -> bool {
    std::fs::symlink_metadata(RECONCILE_TIMER_LINK).is_ok()
}

/// Every check, in order: one line each; those of `timers` when given.
pub async fn run(settings: Subject<'_>, timers: Option<Timers<'_>>) -> Vec<Check> {
    let mut checks = vec![
        check("signing key", bounded(signing_key(settings.pipeline)).await),
        check("dput hosts", bounded(dput_hosts(settings.pipeline)).await),
        check(
            "artifact store",
            bounded(artifact_store(settings.pipeline)).await,
        ),
        check("database", bounded(database(settings.database)).await),
    ];
    if let Some((client, channel)) = settings.redis {
        checks.push(check("redis", bounded(redis(client, channel)).await));
    }
    if let Some(timers) = timers {
        checks.push(check(
            "archive",
            archive(settings.pipeline, timers.reconcile_enabled),
        ));
        if let Some(path) = timers.metrics_file {
            checks.push(check("metrics file", metrics_file(path)));
        }
    }
    checks
}

/// `--check` of listen and backfill: every check, each logged; an error
/// naming those that failed.
///
/// # Errors
/// [`CheckFailed`] when any check fails.
pub async fn before_start(subject: Subject<'_>) -> Result<(), CheckFailed> {
    let checks = run(subject, None).await;
    for check in &checks {
        if check.ok {
            tracing::info!(item = check.item, detail = %check.detail, "check: ok");
        } else {
            tracing::error!(item = check.item, detail = %check.detail, "check: FAIL");
        }
    }
    let failed: Vec<_> = checks.into_iter().filter(|c| !c.ok).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CheckFailed(failed))
    }
}

fn archive(pipeline: &Pipeline, reconcile_enabled: bool) -> Result<String, Failure> {
    if !pipeline.archives.is_empty() {
        return Ok("set: uploads it has are skipped, ledger reconcile can run".to_owned());
    }
    if reconcile_enabled {
        return Err(Failure::Lasting(
            "not set (AUTO_UPLOAD_ARCHIVE), yet auto-upload-reconcile.timer is enabled: \
             ledger reconcile fails at every run"
                .to_owned(),
        ));
    }
    Ok("not set: ledger reconcile cannot run (its timer is not enabled)".to_owned())
}

fn metrics_file(path: &std::path::Path) -> Result<String, Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".auto-upload-check")
        .tempfile_in(dir)
        .map(|_| format!("{} can be written", path.display()))
        .map_err(|e| Failure::Lasting(format!("cannot write in {}: {e}", dir.display())))
}

async fn signing_key(pipeline: &Pipeline) -> Result<String, Failure> {
    let key = &pipeline.signer.key;
    key.sign_test()
        .await
        .map_err(|e| format!("gpg cannot sign with it: {e}"))?;
    let expiry = match key.expiry().await {
        Ok(Some(at)) => format!("; expires at {at} (Unix time)"),
        Ok(None) => "; does not expire".to_owned(),
        Err(_) => String::new(),
    };
    let which = pipeline
        .signer
        .keyid
        .as_ref()
        .map_or("gpg's default key", KeyId::as_str);
    Ok(format!("{which} signs{expiry}"))
}

async fn dput_hosts(pipeline: &Pipeline) -> Result<String, Failure> {
    let uploader = &pipeline.uploader;
    let mut args: Vec<OsString> = Vec::new();
    if let Some(config) = &uploader.config {
        args.push("-c".into());
        args.push(config.clone().into_os_string());
    }
    args.push("-H".into());
    let listing = uploader
        .dput
        .run(&args, std::path::Path::new("/"))
        .await
        .map_err(|e| format!("dput cannot read its configuration: {e}"))?;
    let known = |host: &DputHost| {
        listing
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{host} =>")))
    };
    let named: Vec<DputHost> = uploader
        .hosts
        .keys()
        .into_iter()
        .filter(|h| *h != crate::input::hosts::DEFAULT_HOST_KEY)
        .collect();
    let missing: Vec<&DputHost> = named.iter().filter(|h| !known(h)).collect();
    if !missing.is_empty() {
        return Err(Failure::Lasting(format!(
            "not in dput's configuration: {}",
            missing
                .iter()
                .map(|h| h.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(if named.is_empty() {
        "dput's default host".to_owned()
    } else {
        named.join(", ")
    })
}

async fn artifact_store(pipeline: &Pipeline) -> Result<String, Failure> {
    let store = &pipeline.store;
    match store.check().await {
        Ok(()) => Ok(format!("{} reads", store.location())),
        Err(e) if e.lasting => Err(Failure::Lasting(e.detail)),
        Err(e) => Err(Failure::Passing(e.detail)),
    }
}

async fn database(config: Option<&LedgerConfig>) -> Result<String, Failure> {
    let Some(config) = config else {
        return Ok("none configured: runs are dispatched by the runner's messages".to_owned());
    };
    let opened = config.open(1, Access::Write).await.map_err(|e| {
        // What exits 2 at the service's start (a password, a grant, a
        // database refused) lasts; a database that does not answer passes.
        let detail = e.to_string();
        if e.exit_code() == ExitCode::Usage {
            Failure::Lasting(detail)
        } else {
            Failure::Passing(detail)
        }
    })?;
    for table in ["run", "debian_build"] {
        sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 0"))
            .execute(&opened.pool)
            .await
            .map_err(|e| {
                let detail = format!("cannot read the Janitor's {table} table: {e}");
                if e.as_database_error().is_some() {
                    Failure::Lasting(detail)
                } else {
                    Failure::Passing(detail)
                }
            })?;
    }
    let ledger = match &opened.ledger {
        Some(_) => "the ledger writable",
        None => "no ledger (--no-ledger)",
    };
    Ok(format!(
        "{} answers: run and debian_build readable, {ledger}",
        config.database
    ))
}

async fn redis(client: &redis::Client, channel: &str) -> Result<String, Failure> {
    // A refused password or command lasts; no answer passes.
    let failure = |detail: String, e: &redis::RedisError| {
        if e.is_connection_refusal() || e.is_io_error() || e.is_timeout() {
            Failure::Passing(detail)
        } else {
            Failure::Lasting(detail)
        }
    };
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .map_err(|e| failure(format!("cannot connect: {e}"), &e))?;
    pubsub
        .subscribe(channel)
        .await
        .map_err(|e| failure(format!("cannot subscribe to {channel}: {e}"), &e))?;
    Ok(format!("subscribed to {channel}"))
}

/// A check that makes every upload fail failed: `listen --check` does not
/// start (exit 2, a configuration error).
#[derive(Debug, thiserror::Error)]
#[error("the configuration cannot upload: {}", .0.iter().map(|c| format!("{}: {}", c.item, c.detail)).collect::<Vec<_>>().join("; "))]
pub struct CheckFailed(pub Vec<Check>);

impl HasExitCode for CheckFailed {
    /// A configuration error (2: systemd does not restart the service
    /// until the operator mends it) when a failure lasts; a failure (1:
    /// restarted, tried again) when every one may pass on its own.
    fn exit_code(&self) -> ExitCode {
        if self.0.iter().all(|c| c.passing) {
            ExitCode::Failure
        } else {
            ExitCode::Usage
        }
    }
}
