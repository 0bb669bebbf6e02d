//! The upload chain's settings: the one constructor of the [`Pipeline`]
//! that `upload-run`, `listen` and `backfill` share, and its parts (the
//! artifact store, the filter, debsign, the signature check, dput, the
//! archives, where outcomes are published).

use crate::archive::{Archive, Archives, IndexUse};
use crate::chain::artifacts::{ArtifactStore, RunLimits};
use crate::chain::dput::{Delays, Uploader};
use crate::chain::pipeline::Pipeline;
use crate::chain::publish::Publisher;
use crate::chain::sign::Signer;
use crate::chain::signature::{SigningKey, Verifier};
use crate::chain::tool::Tool;
use crate::cli::{self};
use crate::input::changes::Filter;
use crate::input::dispatch::{is_janitor_name, Campaigns};
use crate::input::hosts::Hosts;
use crate::input::rates::{LocalBudget, RateLimits};
use crate::input::record::Record;
use crate::input::verdict::ReviewRule;

use super::sources::{self, Sources};
use super::values;
use super::{absolute, program, time_limit, SettingsError};

/// What a command line says of the upload chain.
pub(super) struct Chain {
    pub(super) store: cli::StoreArgs,
    pub(super) filter: Filter,
    pub(super) signer: cli::SignerArgs,
    pub(super) uploader: cli::UploaderArgs,
    pub(super) simulate: bool,
    pub(super) force: bool,
    pub(super) dry_run: bool,
    pub(super) archive: cli::ArchiveArgs,
    pub(super) index_use: IndexUse,
    pub(super) scope: Vec<Record>,
    /// `--publish-channel` and its Redis, with the Redis to fall back on
    /// (listen's `--redis`); `None` where outcomes are not published.
    pub(super) publish: Option<(cli::PublishArgs, Option<String>)>,
    /// The upload budgets, kept by this process when it has no ledger.
    pub(super) limits: Option<RateLimits>,
    /// `--require-review`.
    pub(super) review: ReviewRule,
}

impl Chain {
    /// The chain as `upload-run`, `listen` and `backfill` give it (their
    /// [`cli::ChainArgs`]), with the budgets and the review rule read from
    /// it beforehand and the Redis `--publish-channel` falls back on; the
    /// rest plain (every `.changes`, no simulation, force or dry run, the
    /// index read once, no selection), for each command to change.
    pub(super) fn of(
        args: cli::ChainArgs,
        limits: Option<RateLimits>,
        review: ReviewRule,
        redis_fallback: Option<String>,
    ) -> Self {
        Self {
            publish: Some((args.publish, redis_fallback)),
            limits,
            ..Self::plain(args.store, args.signer, args.uploader, args.archive, review)
        }
    }

    /// The chain of these parts, published nowhere and with no budget of
    /// its own (`ledger retry --now`), the rest plain as in [`Chain::of`].
    pub(super) fn plain(
        store: cli::StoreArgs,
        signer: cli::SignerArgs,
        uploader: cli::UploaderArgs,
        archive: cli::ArchiveArgs,
        review: ReviewRule,
    ) -> Self {
        Self {
            store,
            filter: Filter::default(),
            signer,
            uploader,
            simulate: false,
            force: false,
            dry_run: false,
            archive,
            index_use: IndexUse::ONE_SHOT,
            scope: Vec::new(),
            publish: None,
            limits: None,
            review,
        }
    }
}

/// The one constructor of the upload chain, for `upload-run`, `listen` and
/// `backfill`.
pub(super) fn pipeline(chain: Chain, config: &Sources) -> Result<Pipeline, SettingsError> {
    let store = store(chain.store, config)?;
    let campaigns = config.config.campaigns(chain.review);
    if campaigns.is_empty() {
        return Err(SettingsError::Refused(
            "the Janitor configuration (--config, AUTO_UPLOAD_CONFIG) has no Debian campaign \
             (a campaign block with debian_build): what a run may be signed as comes from there, \
             so nothing could be signed",
        ));
    }
    let uploader = uploader(chain.uploader, chain.simulate, chain.force)?;
    warn_unbuilt_suites(&campaigns, &uploader);
    Ok(Pipeline {
        campaigns: std::sync::Arc::new(campaigns),
        store,
        filter: chain.filter,
        signer: signer(chain.signer)?,
        uploader,
        dry_run: chain.dry_run,
        archives: std::sync::Arc::new(archives(chain.archive, chain.index_use, config)?),
        scope: chain.scope,
        publisher: publisher(chain.publish, config)?,
        budget: chain
            .limits
            .map(|limits| std::sync::Arc::new(LocalBudget::new(limits))),
    })
}

/// Warns of a `--host SUITE=` or `--delayed SUITE=` that no campaign of
/// `janitor.conf` builds for: a typo would otherwise mean no delay, or no
/// host (suite names are case-sensitive).
pub(super) fn warn_unbuilt_suites(campaigns: &Campaigns, uploader: &Uploader) {
    let (host_suites, _) = uploader.hosts.by_suite();
    for (flag, suite) in host_suites
        .iter()
        .map(|s| ("--host", s))
        .chain(uploader.delays.suites().map(|s| ("--delayed", s)))
    {
        if !campaigns.builds_for(suite) {
            tracing::warn!(
                flag,
                suite = suite.as_str(),
                "no campaign of the Janitor configuration builds for this suite (names are case-sensitive): the setting applies to nothing"
            );
        }
    }
}

/// `--require-review`: absent, bare or `*` (every campaign), or names.
///
/// # Errors
/// A name outside the Janitor's campaign syntax, or the rule without a
/// database to read the verdict from.
pub(crate) fn review(
    args: &cli::ReviewArgs,
    has_database: bool,
) -> Result<ReviewRule, SettingsError> {
    let names = args.require_review.as_ref().map(|names| {
        names
            .iter()
            .filter(|n| !n.is_empty())
            .cloned()
            .collect::<Vec<_>>()
    });
    let names = match names {
        Some(names) if names.iter().any(|n| n == "*") => Some(Vec::new()),
        other => other,
    };
    if let Some(bad) = names.iter().flatten().find(|n| !is_janitor_name(n)) {
        return Err(SettingsError::Invalid {
            what: "--require-review",
            value: bad.clone(),
            reason: "not a campaign name".into(),
        });
    }
    let rule = ReviewRule::from_flag(names.as_deref());
    if rule != ReviewRule::None && !has_database {
        return Err(SettingsError::Refused(
            "--require-review needs the Janitor's database (--database): the reviewers' \
             verdict (run.publish_status) lives there",
        ));
    }
    Ok(rule)
}

/// The upload budgets of `--max-uploads-per-hour` and `--rate-window`.
pub(crate) fn rates(args: &cli::RateArgs) -> Result<Option<RateLimits>, SettingsError> {
    let window = values::duration("--rate-window", &args.rate_window)?;
    if window.is_zero() {
        return Err(SettingsError::Invalid {
            what: "--rate-window",
            value: args.rate_window.clone(),
            reason: "the window must be longer than nothing".to_owned(),
        });
    }
    RateLimits::parse(&args.max_uploads_per_hour, window).map_err(|e| SettingsError::Invalid {
        what: "--max-uploads-per-hour",
        value: e.value,
        reason: e.why.to_owned(),
    })
}

/// The dput hosts of `--host` (`HOST`, `SUITE=HOST`).
pub(crate) fn hosts(values: &[String]) -> Result<Hosts, SettingsError> {
    Hosts::parse(values).map_err(|e| SettingsError::Invalid {
        what: "--host",
        value: e.value,
        reason: e.why.to_owned(),
    })
}

/// The publisher of outcomes, when `--publish-channel` is given.
pub(super) fn publisher(
    publish: Option<(cli::PublishArgs, Option<String>)>,
    config: &Sources,
) -> Result<Option<std::sync::Arc<Publisher>>, SettingsError> {
    let Some((args, fallback)) = publish else {
        return Ok(None);
    };
    let Some(channel) = args.publish_channel else {
        return Ok(None);
    };
    if channel.is_empty() {
        return Err(SettingsError::Invalid {
            what: "--publish-channel",
            value: channel,
            reason: "a channel has a name".to_owned(),
        });
    }
    let client = values::redis_client(args.publish_redis.or(fallback), config)?;
    Ok(Some(std::sync::Arc::new(Publisher::new(client, channel))))
}

/// The archives to check: `--archive` for every suite, else each
/// `janitor.conf` distribution's `archive_mirror_uri` for that suite.
pub(crate) fn archives(
    args: cli::ArchiveArgs,
    uses: IndexUse,
    config: &Sources,
) -> Result<Archives, SettingsError> {
    let cache_dir = args.cache_dir.or_else(default_cache_dir);
    let deadline = time_limit("--archive-timeout", &args.archive_timeout)?;
    let open = |url: &str| {
        Archive::open(url, uses, cache_dir.clone())
            .map(|archive| std::sync::Arc::new(archive.with_deadline(deadline)))
            .map_err(|e| SettingsError::Invalid {
                what: "--archive",
                value: crate::secrets::mask(url),
                reason: e.to_string(),
            })
    };
    if let Some(url) = args.archive {
        return Ok(Archives {
            all: Some(open(&url)?),
            by_suite: Default::default(),
        });
    }
    let mut by_suite = std::collections::HashMap::new();
    for distribution in &config.config.distributions {
        if let Some(url) = &distribution.archive_mirror_uri {
            by_suite.insert(distribution.name.clone(), open(url)?);
        }
    }
    Ok(Archives {
        all: None,
        by_suite,
    })
}

/// Where parsed Sources indices are kept between runs when `--cache-dir`
/// is not given: systemd's CacheDirectory=, else the XDG cache directory.
pub(super) fn default_cache_dir() -> Option<std::path::PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dirs) = var("CACHE_DIRECTORY") {
        let first = dirs.to_string_lossy().split(':').next()?.to_owned();
        return Some(first.into());
    }
    let xdg = var("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| var("HOME").map(|h| std::path::Path::new(&h).join(".cache")))?;
    Some(base.join("auto-upload"))
}

pub(super) fn store(
    args: cli::StoreArgs,
    config: &Sources,
) -> Result<ArtifactStore, SettingsError> {
    let limits = RunLimits {
        max_bytes: values::size("--max-run-bytes", &args.max_run_bytes)?,
        max_files: match args.max_run_files {
            0 => {
                return Err(SettingsError::Invalid {
                    what: "--max-run-files",
                    value: "0".into(),
                    reason: "a run has one file at least".into(),
                })
            }
            n => n,
        },
    };
    let location = config
        .choose(
            sources::ARTIFACTS,
            args.artifacts,
            |c| c.artifact_location.clone(),
            None,
        )
        .ok_or(SettingsError::Missing {
            what: "artifact location",
            how: "--artifacts, AUTO_UPLOAD_ARTIFACTS or artifact_location in --config",
        })?;
    Ok(ArtifactStore::open(&location)?.with_limits(limits))
}

pub(super) fn filter(args: cli::ChangesFilterArgs) -> Filter {
    Filter {
        source_only: args.source_only,
        distributions: args.distributions,
    }
}

pub(super) fn signer(args: cli::SignerArgs) -> Result<Signer, SettingsError> {
    let limit = time_limit("--sign-timeout", &args.sign_timeout)?;
    let keyid = args.keyid;
    let pin = SigningKey::new(Tool::new("gpg", limit), keyid.clone());
    Ok(Signer {
        debsign: Tool::new(program(&args.debsign_program), limit),
        verifier: verifier(args.keyrings, limit, Some(pin.clone())),
        key: pin,
        keyid,
    })
}

/// The signature check, when keyrings are given: pinned to the signing
/// key when signing.
pub(super) fn verifier(
    args: cli::KeyringArgs,
    limit: std::time::Duration,
    pin: Option<SigningKey>,
) -> Option<Verifier> {
    (!args.keyrings.is_empty()).then(|| Verifier {
        gpgv: Tool::new(program(&args.gpgv_program), limit),
        keyrings: args.keyrings.iter().map(|k| absolute(k)).collect(),
        pin,
    })
}

pub(super) fn uploader(
    args: cli::UploaderArgs,
    simulate: bool,
    force: bool,
) -> Result<Uploader, SettingsError> {
    Ok(Uploader {
        dput: Tool::new(
            program(&args.dput_program),
            time_limit("--upload-timeout", &args.upload_timeout)?,
        ),
        hosts: hosts(&args.host)?,
        config: args.dput_config.map(|c| absolute(&c)),
        simulate,
        force,
        delays: Delays::parse(&args.delayed).map_err(|e| SettingsError::Invalid {
            what: "--delayed",
            value: e.value,
            reason: e.why.to_owned(),
        })?,
    })
}
