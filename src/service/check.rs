//! `check-config` (and `listen --check`): with the settings the service
//! uses, everything an upload needs is tried once, so that a service that
//! cannot upload says so at start rather than at its first upload: the key
//! signs, dput knows every host the routing names, the artifact store
//! reads, the database answers with the Janitor's tables and a writable
//! ledger, Redis answers and the channel is subscribable.

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
    /// What was found, or what is wrong.
    pub detail: String,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = if self.ok { "ok" } else { "FAIL" };
        write!(f, "{word}\t{}\t{}", self.item, self.detail)
    }
}

fn check(item: &'static str, result: Result<String, String>) -> Check {
    match result {
        Ok(detail) => Check {
            item,
            ok: true,
            detail,
        },
        Err(detail) => Check {
            item,
            ok: false,
            detail,
        },
    }
}

/// Runs `what` within [`CHECK_TIMEOUT`].
async fn bounded(
    what: impl std::future::Future<Output = Result<String, String>>,
) -> Result<String, String> {
    tokio::time::timeout(CHECK_TIMEOUT, what)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {}s", CHECK_TIMEOUT.as_secs())))
}

/// What the checks try: the settings of the service.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The upload chain.
    pub pipeline: &'a Pipeline,
    /// The database, when one is configured.
    pub database: Option<&'a LedgerConfig>,
    /// The runner's Redis.
    pub redis: &'a redis::Client,
    /// The channel results are published on.
    pub channel: &'a str,
}

/// Every check, in order: one line each.
pub async fn run(settings: Subject<'_>) -> Vec<Check> {
    vec![
        check("signing key", bounded(signing_key(settings.pipeline)).await),
        check("dput hosts", bounded(dput_hosts(settings.pipeline)).await),
        check(
            "artifact store",
            bounded(artifact_store(settings.pipeline)).await,
        ),
        check("database", bounded(database(settings.database)).await),
        check(
            "redis",
            bounded(redis(settings.redis, settings.channel)).await,
        ),
    ]
}

async fn signing_key(pipeline: &Pipeline) -> Result<String, String> {
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

async fn dput_hosts(pipeline: &Pipeline) -> Result<String, String> {
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
        return Err(format!(
            "not in dput's configuration: {}",
            missing
                .iter()
                .map(|h| h.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(if named.is_empty() {
        "dput's default host".to_owned()
    } else {
        named.join(", ")
    })
}

async fn artifact_store(pipeline: &Pipeline) -> Result<String, String> {
    let store = &pipeline.store;
    store
        .check()
        .await
        .map(|()| format!("{} reads", store.location()))
}

async fn database(config: Option<&LedgerConfig>) -> Result<String, String> {
    let Some(config) = config else {
        return Ok("none configured: runs are dispatched by the runner's messages".to_owned());
    };
    let opened = config
        .open(1, Access::Write)
        .await
        .map_err(|e| format!("{e}"))?;
    for table in ["run", "debian_build"] {
        sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 0"))
            .execute(&opened.pool)
            .await
            .map_err(|e| format!("cannot read the Janitor's {table} table: {e}"))?;
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

async fn redis(client: &redis::Client, channel: &str) -> Result<String, String> {
    let pubsub = client
        .get_async_pubsub()
        .await
        .map_err(|e| format!("cannot connect: {e}"));
    let mut pubsub = pubsub?;
    pubsub
        .subscribe(channel)
        .await
        .map_err(|e| format!("cannot subscribe to {channel}: {e}"))?;
    Ok(format!("subscribed to {channel}"))
}

/// A check that makes every upload fail failed: `listen --check` does not
/// start (exit 2, a configuration error).
#[derive(Debug, thiserror::Error)]
#[error("the configuration cannot upload: {}", .0.iter().map(|c| format!("{}: {}", c.item, c.detail)).collect::<Vec<_>>().join("; "))]
pub struct CheckFailed(pub Vec<Check>);

impl HasExitCode for CheckFailed {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}
