//! The upload ledger: what was uploaded where, claimed atomically before
//! signing so that backfills and `listen` replicas never upload the same
//! `.changes` to the same host twice. One table in its own schema, created
//! by the embedded migrations in `migrations/`.

use std::sync::LazyLock;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;
use sqlx::{PgPool, Row};

use crate::input::dispatch::{Campaigns, Dispatch};
use crate::input::hosts::Hosts;
use crate::input::rates::RateLimits;
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::ledger::database::{Database, DatabaseError};

/// The newest build of each (distribution, source); the Python service's
/// choice, kept. With each, what the runner dispatched (`run.codebase`,
/// `run.suite`) and the reviewers' verdict (`run.publish_status`). `$1`:
/// distributions (all when NULL).
const NEWEST: &str = "SELECT DISTINCT ON (d.distribution, d.source)
        d.distribution, d.source, d.run_id, d.version, d.binary_packages,
        r.codebase, r.suite::text AS campaign, r.publish_status::text AS publish_status
    FROM debian_build d JOIN run r ON r.id = d.run_id
    WHERE $1::text[] IS NULL OR d.distribution = ANY($1)
    ORDER BY d.distribution, d.source, d.version DESC";

/// The verdicts that let a newest build be planned: never `rejected` or
/// `blocked`; for the campaigns of `$N` (`--require-review`: NULL none,
/// empty every campaign), only `approved`.
fn verdict_allows(review: &str) -> String {
    format!(
        "n.publish_status NOT IN ('rejected', 'blocked')
         AND ({review}::text[] IS NULL OR n.publish_status = 'approved'
              OR (cardinality({review}) > 0 AND NOT n.campaign = ANY({review})))"
    )
}

/// A run due for upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The run.
    pub run_id: String,
    /// Its distribution, as the worker's files say.
    pub distribution: String,
    /// Its source package, as the worker's files say.
    pub source: String,
    /// Its version, as the worker's files say.
    pub version: String,
    /// The binary packages it built, if recorded.
    pub binary_packages: Option<Vec<String>>,
    /// `run.codebase`.
    pub codebase: String,
    /// `run.suite`: its campaign.
    pub campaign: String,
    /// `run.publish_status`.
    pub publish_status: String,
}

impl Due {
    /// What the worker's files said of the build (its `debian_build` row):
    /// checked beside what the Janitor decided, never instead of it.
    pub fn record(&self) -> Record {
        Record::of_build(
            &self.source,
            &self.version,
            &self.distribution,
            self.binary_packages.clone(),
        )
    }

    /// What the runner dispatched for the run, and the verdict.
    ///
    /// # Errors
    /// A name outside the Janitor's syntax.
    pub fn dispatch(&self) -> Result<Dispatch, DatabaseError> {
        super::janitor::dispatch_of(&self.codebase, &self.campaign, &self.publish_status)
    }
}

/// The run's `debian_build` row with its dispatch, if it has one.
///
/// # Errors
/// The query failed.
pub async fn recorded_build(pool: &PgPool, run_id: &RunId) -> Result<Option<Due>, DatabaseError> {
    super::database::bounded("recorded build", async {
        let row = sqlx::query(
        "SELECT d.run_id, d.distribution, d.source, d.version::text AS version, d.binary_packages,
                r.codebase, r.suite::text AS campaign, r.publish_status::text AS publish_status
           FROM debian_build d JOIN run r ON r.id = d.run_id WHERE d.run_id = $1",
    )
    .bind(run_id.as_str())
    .fetch_optional(pool)
    .await?;
        row.as_ref().map(due_of).transpose()
    })
    .await
}

/// The plan without a ledger: every newest build the verdict allows
/// (`$2`: the review campaigns).
static PLAN_ALL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT run_id, distribution, source, version::text AS version, binary_packages,
                codebase, campaign, publish_status
           FROM ({NEWEST}) n
          WHERE {}",
        verdict_allows("$2")
    )
});

/// The plan against the ledger, as one anti-join: a run the verdict allows
/// (`$8`: the review campaigns) is due when the ledger has no row for it
/// under its campaign's host (`$6` campaigns, `$7` the keys of their
/// build distributions' hosts, `$2` the host of every other suite: NULL
/// when there is none, and then the run is due, for the chain to refuse
/// and count), or a row that is not done (deferred, stopped by a verdict
/// that now allows it, failed fewer than `$3` times, or claimed longer ago
/// than the lease `$4`), or when `$5` (force).
static PLAN_WITH_LEDGER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT n.run_id, n.distribution, n.source, n.version::text AS version,
                n.binary_packages, n.codebase, n.campaign, n.publish_status
           FROM ({NEWEST}) n
          CROSS JOIN LATERAL (
                SELECT coalesce((SELECT r.host FROM unnest($6::text[], $7::text[]) AS r(campaign, host)
                                  WHERE r.campaign = n.campaign), $2::text) AS host) k
          WHERE ({})
            AND ($5
             OR NOT EXISTS (SELECT 1 FROM upload u
                             WHERE u.host = k.host AND u.run_id = n.run_id)
             OR EXISTS (SELECT 1 FROM upload u
                         WHERE u.host = k.host AND u.run_id = n.run_id
                           AND (u.state IN ('deferred', 'rejected', 'awaiting-review')
                             OR (u.state = 'failed'
                                 AND ($3::integer IS NULL OR u.attempts < $3))
                             OR (u.state IN ('claimed', 'uploading')
                                 AND u.claimed_at < now() - make_interval(secs => $4)))))",
        verdict_allows("$8")
    )
});

/// The ledger's key of each Debian campaign: the host its build
/// distribution's uploads go to (none for a suite without a host).
fn campaign_keys(ledger: &Ledger, campaigns: &Campaigns) -> (Vec<String>, Vec<Option<String>>) {
    campaigns
        .iter()
        .map(|rules| {
            (
                rules.name.clone(),
                ledger.hosts().key(&rules.build_distribution),
            )
        })
        .unzip()
}

/// The ledger's key a run of `campaign` is recorded under.
fn campaign_key(ledger: &Ledger, campaigns: &Campaigns, campaign: &str) -> Option<String> {
    match campaigns.get(campaign) {
        Some(rules) => ledger.hosts().key(&rules.build_distribution),
        None => ledger.hosts().default_key(),
    }
}

/// Streams the runs due: the newest build of each (distribution, source)
/// whose verdict allows it, less those the ledger shows as done (uploaded,
/// given up, or claimed by a live process) unless its policy forces.
/// Without a ledger, every such newest build. Rows are streamed, never
/// loaded all at once.
pub fn plan<'a>(
    pool: &'a PgPool,
    distributions: &'a [String],
    ledger: Option<&'a Ledger>,
    campaigns: &'a Campaigns,
) -> BoxStream<'a, Result<Due, DatabaseError>> {
    let distributions = (!distributions.is_empty()).then(|| distributions.to_vec());
    let review = campaigns.review.as_sql();
    let rows = match ledger {
        None => sqlx::query(&PLAN_ALL)
            .bind(distributions)
            .bind(review)
            .fetch(pool),
        Some(ledger) if ledger.separate => {
            let rows = plan_apart(pool, distributions, ledger, campaigns);
            return super::database::each_row_bounded("reading the plan", rows);
        }
        Some(ledger) => {
            let (names, keys) = campaign_keys(ledger, campaigns);
            sqlx::query(&PLAN_WITH_LEDGER)
                .bind(distributions)
                .bind(ledger.hosts().default_key())
                .bind(ledger.policy().max_attempts.map(|m| m as i32))
                .bind(ledger.policy().lease.as_secs_f64())
                .bind(ledger.policy().force)
                .bind(names)
                .bind(keys)
                .bind(review)
                .fetch(pool)
        }
    };
    let rows = rows.map(|row| due_of(&row?)).boxed();
    super::database::each_row_bounded("reading the plan", rows)
}

/// A row of a plan query as a [`Due`].
fn due_of(row: &sqlx::postgres::PgRow) -> Result<Due, DatabaseError> {
    Ok(Due {
        run_id: row.try_get("run_id")?,
        distribution: row.try_get("distribution")?,
        source: row.try_get("source")?,
        version: row.try_get("version")?,
        binary_packages: row.try_get("binary_packages")?,
        codebase: row.try_get("codebase")?,
        campaign: row.try_get("campaign")?,
        publish_status: row.try_get("publish_status")?,
    })
}

/// Newest builds looked up in the ledger at once, when it is kept apart.
const PLAN_BATCH: usize = 500;

/// Which of `$2` (run ids, each under the host key at the same place in
/// `$1`) the ledger shows as done: a row for the run, none of which may be
/// retried (failed fewer than `$3` times, or claimed longer ago than the
/// lease `$4`).
const DONE_IN_LEDGER: &str = "SELECT run_id FROM upload
     WHERE (host, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     GROUP BY run_id
    HAVING NOT bool_or(state IN ('deferred', 'rejected', 'awaiting-review')
                    OR (state = 'failed' AND ($3::integer IS NULL OR attempts < $3))
                    OR (state IN ('claimed', 'uploading')
                        AND claimed_at < now() - make_interval(secs => $4)))";

/// The plan with the ledger in another database: the newest builds are
/// streamed from the Janitor's, and each batch of [`PLAN_BATCH`] is
/// checked against the ledger in one query; the same rule as the join.
fn plan_apart<'a>(
    pool: &'a PgPool,
    distributions: Option<Vec<String>>,
    ledger: &'a Ledger,
    campaigns: &'a Campaigns,
) -> BoxStream<'a, Result<Due, DatabaseError>> {
    sqlx::query(&PLAN_ALL)
        .bind(distributions)
        .bind(campaigns.review.as_sql())
        .fetch(pool)
        .map(|row| due_of(&row?))
        .chunks(PLAN_BATCH)
        .then(move |batch| async move {
            let batch: Vec<Due> = match batch.into_iter().collect() {
                Ok(batch) => batch,
                Err(e) => return vec![Err(e)],
            };
            if ledger.policy().force {
                return batch.into_iter().map(Ok).collect();
            }
            // A run whose suite has no host is due: the chain refuses it.
            let (keys, ids): (Vec<String>, Vec<&str>) = batch
                .iter()
                .filter_map(|d| {
                    Some((
                        campaign_key(ledger, campaigns, &d.campaign)?,
                        d.run_id.as_str(),
                    ))
                })
                .unzip();
            let done: Result<Vec<String>, _> = sqlx::query_scalar(DONE_IN_LEDGER)
                .bind(&keys)
                .bind(&ids)
                .bind(ledger.policy().max_attempts.map(|m| m as i32))
                .bind(ledger.policy().lease.as_secs_f64())
                .fetch_all(ledger.pool())
                .await;
            match done {
                Ok(done) => {
                    let done: std::collections::HashSet<String> = done.into_iter().collect();
                    batch
                        .into_iter()
                        .filter(|d| !done.contains(&d.run_id))
                        .map(Ok)
                        .collect()
                }
                Err(e) => vec![Err(e.into())],
            }
        })
        .flat_map(futures::stream::iter)
        .boxed()
}

/// The rules for claiming.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A claim older than this is taken over.
    pub lease: Duration,
    /// Give up on a `.changes` after this many failed attempts (never when `None`).
    pub max_attempts: Option<u32>,
    /// Upload again what is recorded as uploaded, and retry what was given up.
    pub force: bool,
}

/// The database a command uses: the Janitor's tables it reads builds from
/// and, unless `--no-ledger`, the ledger it keeps there.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// The Janitor database.
    pub database: Database,
    /// Where the ledger is kept when not in the Janitor database.
    pub ledger_database: Option<Database>,
    /// The claiming rules; `None` with `--no-ledger`.
    pub policy: Option<Policy>,
    /// The dput host of each suite: the ledger's keys.
    pub hosts: Hosts,
    /// The upload budgets (`--max-uploads-per-hour`).
    pub limits: Option<RateLimits>,
}

/// Whether opening may create or migrate the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create the schema or apply new migrations (under an advisory lock).
    Write,
    /// Use the ledger only if it exists, never create it (dry runs).
    ReadIfPresent,
    /// Use the ledger only if it exists, and bring it up to the current
    /// migrations (the operators' `ledger` subcommands).
    UpdateIfPresent,
}

/// An opened database: the pool, and the ledger when one is kept.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The connections, for planning queries and probes.
    pub pool: PgPool,
    /// The ledger, unless `--no-ledger` (or, read-only, absent).
    pub ledger: Option<Ledger>,
}

/// The pool size for a command running `jobs` uploads at once, the one rule
/// for every command: a connection per upload (its claim, the renewals
/// while its tools run, its records), one for the plan's streaming query,
/// and one for the readiness probe.
pub fn pool_size(jobs: usize) -> u32 {
    u32::try_from(jobs).unwrap_or(u32::MAX).saturating_add(2)
}

impl LedgerConfig {
    /// Connects with [`pool_size`]`(jobs)` connections and, when a ledger
    /// is kept, sets it up as `access` allows. The one way every command
    /// opens its database.
    ///
    /// # Errors
    /// The database cannot be reached or the schema set up.
    pub async fn open(&self, jobs: usize, access: Access) -> Result<Opened, DatabaseError> {
        let pool = self.database.connect(pool_size(jobs)).await?;
        let Some(policy) = &self.policy else {
            return Ok(Opened { pool, ledger: None });
        };
        let (home, ledger_pool) = match &self.ledger_database {
            Some(elsewhere) => (elsewhere, elsewhere.connect(pool_size(jobs)).await?),
            None => (&self.database, pool.clone()),
        };
        let kept = match access {
            Access::Write => {
                home.migrate(&ledger_pool).await?;
                true
            }
            Access::ReadIfPresent => home.has_ledger(&ledger_pool).await?,
            Access::UpdateIfPresent => {
                let present = home.has_ledger(&ledger_pool).await?;
                if present {
                    home.migrate(&ledger_pool).await?;
                }
                present
            }
        };
        let ledger = kept.then(|| {
            let ledger = Ledger::new(ledger_pool, self.hosts.clone(), policy.clone())
                .with_limits(self.limits.clone());
            Ledger {
                separate: self.ledger_database.is_some(),
                ..ledger
            }
        });
        Ok(Opened { pool, ledger })
    }
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process may sign and upload; this is attempt number `attempt`.
    Granted {
        /// 1 for the first attempt.
        attempt: i32,
    },
    /// Uploaded before.
    AlreadyUploaded,
    /// Not uploaded before: the archive had this version or a newer one.
    Superseded {
        /// The archive's version, when it was recorded.
        archive_version: Option<String>,
    },
    /// dput may have run under a claim whose process stopped before
    /// recording how it went: never uploaded again automatically; the
    /// archive (`ledger reconcile`) or an operator (`ledger retry`)
    /// resolves it.
    Unconfirmed,
    /// Another process holds a live claim.
    ClaimedElsewhere {
        /// Who holds it.
        by: String,
    },
    /// Failed `attempts` times: given up.
    GaveUp {
        /// How many times it failed.
        attempts: i32,
    },
    /// The ledger is paused (`ledger pause`): nothing new is claimed, the
    /// run stays due.
    Paused {
        /// Why, as the operator said.
        reason: String,
    },
    /// Over an upload budget (`--max-uploads-per-hour`): `deferred`, still
    /// due, no attempt counted.
    Deferred {
        /// When the budget may allow it.
        retry_after: Duration,
    },
}

/// How an upload under a claim ended, for [`Ledger::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending<'a> {
    /// dput succeeded.
    Uploaded,
    /// debsign, the signature check or dput failed, and nothing reached
    /// the queue: retried.
    Failed(&'a str),
    /// dput's ending leaves open whether the upload reached the queue
    /// (killed at its deadline or by a signal): never uploaded again blind.
    Unconfirmed(&'a str),
}

/// What a `.changes` is, for the ledger's row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The `.changes` file name.
    pub changes: &'a str,
    /// Source package.
    pub source: &'a str,
    /// Version.
    pub version: &'a str,
    /// Distribution.
    pub distribution: &'a str,
}

/// The ledger as used by one process: its rows are keyed by the dput host
/// each suite's uploads go to; a `Ledger` writes under one of those keys
/// (see [`Ledger::for_suite`]).
#[derive(Debug, Clone)]
pub struct Ledger {
    pool: PgPool,
    /// Kept in another database than the Janitor's: planned without a join.
    separate: bool,
    /// Where each suite's uploads go.
    hosts: Hosts,
    /// The key this one writes under: a suite's host's, or (until bound
    /// to a suite) the key of suites no `SUITE=HOST` names.
    host: String,
    owner: String,
    policy: Policy,
    /// The upload budgets every process sharing the ledger spends.
    limits: Option<RateLimits>,
}

/// This machine's name, as the ledger records who claimed or paused
/// (`unknown` when it cannot be read).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into())
}

impl Ledger {
    /// The ledger for uploads to `hosts` in a migrated database.
    pub fn new(pool: PgPool, hosts: Hosts, policy: Policy) -> Self {
        let hostname = hostname();
        Self {
            pool,
            separate: false,
            host: hosts.default_key().unwrap_or_default(),
            hosts,
            owner: format!("{hostname}:{}", std::process::id()),
            policy,
            limits: None,
        }
    }

    /// The same ledger spending `limits` (none when `None`).
    pub fn with_limits(self, limits: Option<RateLimits>) -> Self {
        Self { limits, ..self }
    }

    /// The same ledger writing under the key of `suite`'s host; `None` for
    /// a suite with no host.
    pub fn for_suite(&self, suite: &str) -> Option<Self> {
        let host = self.hosts.key(suite)?;
        Some(Self {
            host,
            ..self.clone()
        })
    }

    /// The connection pool, for planning queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The host key this one writes under.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Where each suite's uploads go.
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// The claiming rules.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Claims a `.changes` of a run, atomically: granted when it has no row,
    /// failed fewer than the maximum attempts, holds a claim in `claimed`
    /// (nothing uploaded yet) older than the lease, or `force` allows it. A
    /// claim older than the lease in `uploading` (dput may have run) is
    /// never taken over: the row becomes `unconfirmed`.
    ///
    /// # Errors
    /// The query failed.
    pub async fn claim(&self, run_id: &RunId, entry: &Entry<'_>) -> Result<Claim, DatabaseError> {
        super::database::bounded("claim", async {
        // With budgets, claims are taken one at a time across every process
        // (a transaction-scoped advisory lock), so that two cannot both
        // take the last upload of the budget.
        let mut tx = self.pool.begin().await?;
        if self.limits.is_some() {
            // The wait for the lock has a limit too: a claim that cannot
            // have it fails (and is tried again) rather than hang.
            sqlx::query("SET LOCAL lock_timeout = '30s'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext('auto_upload.budget'))")
                .execute(&mut *tx)
                .await?;
        }
        let granted: Option<(String, i32)> = sqlx::query_as(
            "INSERT INTO upload AS u
                 (host, run_id, changes, state, attempts, source, version, distribution,
                  claimed_by, claimed_at, updated_at)
             SELECT $1::text, $2::text, $3::text, 'claimed', 1, $4::text, $5::text, $6::text,
                    $7::text, now(), now()
              WHERE NOT EXISTS (SELECT FROM pause)
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = CASE WHEN u.state = 'uploading' THEN 'unconfirmed' ELSE 'claimed' END,
                     attempts = CASE WHEN u.state = 'uploading' THEN u.attempts
                                     ELSE u.attempts + 1 END,
                     claimed_by = CASE WHEN u.state = 'uploading' THEN u.claimed_by
                                       ELSE EXCLUDED.claimed_by END,
                     claimed_at = CASE WHEN u.state = 'uploading' THEN u.claimed_at ELSE now() END,
                     last_error = CASE WHEN u.state = 'uploading'
                         THEN 'dput may have run under the claim of ' || u.claimed_by
                              || ', which stopped before recording how it went: not uploaded'
                              || ' again; ledger reconcile or ledger retry resolves it'
                         ELSE u.last_error END,
                     updated_at = now(),
                     source = EXCLUDED.source, version = EXCLUDED.version,
                     distribution = EXCLUDED.distribution
                 WHERE (u.state IN ('claimed', 'uploading')
                        AND u.claimed_at < now() - make_interval(secs => $8))
                    OR u.state IN ('deferred', 'rejected', 'awaiting-review')
                    OR (u.state = 'failed' AND ($9::integer IS NULL OR u.attempts < $9 OR $10))
                    OR (u.state IN ('uploaded', 'accepted', 'unconfirmed', 'superseded') AND $10)
             RETURNING u.state, u.attempts",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(entry.changes)
        .bind(entry.source)
        .bind(entry.version)
        .bind(entry.distribution)
        .bind(&self.owner)
        .bind(self.policy.lease.as_secs_f64())
        .bind(self.policy.max_attempts.map(|m| m as i32))
        .bind(self.policy.force)
        .fetch_optional(&mut *tx)
        .await?;
        if let (Some((state, _)), Some(limits)) = (&granted, &self.limits) {
            if state == "claimed" {
                if let Some(retry_after) = self.over_budget(&mut tx, limits).await? {
                    self.defer(&mut tx, run_id, entry.changes, retry_after)
                        .await?;
                    tx.commit().await?;
                    return Ok(Claim::Deferred { retry_after });
                }
            }
        }
        tx.commit().await?;
        match granted {
            Some((state, attempt)) if state == "claimed" => return Ok(Claim::Granted { attempt }),
            Some(_) => {
                tracing::warn!(run_id = %run_id, changes = entry.changes, "dput may have run under an expired claim: unconfirmed, not uploaded again");
                return Ok(Claim::Unconfirmed);
            }
            None => {}
        }
        if let Some(pause) = super::pause::paused(&self.pool).await? {
            return Ok(Claim::Paused {
                reason: pause.reason,
            });
        }
        let row = sqlx::query(
            "SELECT state, attempts, coalesce(claimed_by, '') AS claimed_by, archive_version
               FROM upload WHERE host = $1 AND run_id = $2 AND changes = $3",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(entry.changes)
        .fetch_one(&self.pool)
        .await?;
        let state: String = row.try_get("state")?;
        Ok(match state.as_str() {
            "superseded" => Claim::Superseded {
                archive_version: row.try_get("archive_version")?,
            },
            "uploaded" | "accepted" => Claim::AlreadyUploaded,
            "unconfirmed" => Claim::Unconfirmed,
            "claimed" | "uploading" => Claim::ClaimedElsewhere {
                by: row.try_get("claimed_by")?,
            },
            _ => Claim::GaveUp {
                attempts: row.try_get("attempts")?,
            },
        })
        })
        .await
    }

    /// Whether the claim just taken (counted) spends more than a budget:
    /// how long until the oldest upload counted against it leaves the
    /// window. Counted: uploads whose dput started within the window, and
    /// live claims on their way to dput.
    async fn over_budget(
        &self,
        tx: &mut sqlx::PgConnection,
        limits: &RateLimits,
    ) -> Result<Option<Duration>, DatabaseError> {
        let (every, here, every_wait, here_wait): (i64, i64, f64, f64) = sqlx::query_as(
            "SELECT count(*),
                    count(*) FILTER (WHERE host = $1),
                    coalesce(extract(epoch FROM min(coalesce(started_at, claimed_at))
                        + make_interval(secs => $2) - now()), 0)::float8,
                    coalesce(extract(epoch FROM min(coalesce(started_at, claimed_at))
                        FILTER (WHERE host = $1) + make_interval(secs => $2) - now()), 0)::float8
               FROM upload
              WHERE started_at > now() - make_interval(secs => $2)
                 OR (state = 'claimed' AND claimed_at > now() - make_interval(secs => $3))",
        )
        .bind(&self.host)
        .bind(limits.window.as_secs_f64())
        .bind(self.policy.lease.as_secs_f64())
        .fetch_one(&mut *tx)
        .await?;
        let over_every = limits.every().is_some_and(|n| every > i64::from(n));
        let over_here = limits
            .for_host(&self.host)
            .is_some_and(|n| here > i64::from(n));
        let wait = |seconds: f64| Duration::from_secs_f64(seconds.max(1.0));
        Ok(match (over_every, over_here) {
            (false, false) => None,
            (true, false) => Some(wait(every_wait)),
            (false, true) => Some(wait(here_wait)),
            (true, true) => Some(wait(every_wait.max(here_wait))),
        })
    }

    /// Gives back a claim just taken, over budget: the `.changes` is
    /// `deferred` (still due), the attempt not counted.
    async fn defer(
        &self,
        tx: &mut sqlx::PgConnection,
        run_id: &RunId,
        changes: &str,
        retry_after: Duration,
    ) -> Result<(), DatabaseError> {
        sqlx::query(
            "UPDATE upload SET state = 'deferred', attempts = attempts - 1, claimed_by = NULL,
                               claimed_at = NULL, updated_at = now(),
                               last_error = 'over the upload budget: deferred for '
                                            || round($4::numeric) || ' s'
              WHERE host = $1 AND run_id = $2 AND changes = $3",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .bind(retry_after.as_secs_f64())
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// How often a claim is renewed while its `.changes` is signed or
    /// uploaded: a third of the lease, so that two renewals can be missed
    /// before anyone may take the claim over.
    pub fn heartbeat(&self) -> Duration {
        (self.policy.lease / 3).max(Duration::from_millis(50))
    }

    /// Runs a write that records an upload's end again while the database
    /// does not answer (a restart, a fail-over, a database refusing
    /// connections), pausing 0.5 s, then twice as long each time up to
    /// 30 s, the last pause cut short so that a last try lands at
    /// `deadline`: the moment the claim could expire (its last renewal plus
    /// the lease). Until then nobody may take it over; after it, a process
    /// that finds it in `uploading` makes it `unconfirmed` rather than
    /// upload again, and the write, which matches only this process's
    /// claim, still records the truth if it lands later.
    ///
    /// # Errors
    /// The write's error, once it is not transient or the time is up.
    pub async fn until_recorded<T, W>(
        &self,
        what: &str,
        deadline: std::time::Instant,
        mut write: impl FnMut() -> W,
    ) -> Result<T, DatabaseError>
    where
        W: std::future::Future<Output = Result<T, DatabaseError>>,
    {
        let mut pause = Duration::from_millis(500);
        loop {
            // Each try gets what is left until the deadline (at least a
            // second): a write stuck on a dead connection must not outlast
            // the claim and leave no time for a try on a fresh one.
            let left = deadline
                .saturating_duration_since(std::time::Instant::now())
                .max(Duration::from_secs(1));
            let attempt = tokio::time::timeout(left, write()).await;
            let error = match attempt {
                Ok(Ok(done)) => return Ok(done),
                Ok(Err(e)) => e,
                Err(_) => DatabaseError::TimedOut {
                    what: "recording in the ledger",
                    limit: left,
                },
            };
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if !error.is_transient() || left.is_zero() {
                return Err(error);
            }
            let now = pause.min(left);
            tracing::warn!(what, error = %error, pause = ?now, "cannot record in the ledger; trying again");
            tokio::time::sleep(now).await;
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    }

    /// Renews this process's claim on a `.changes` (signing or uploading).
    /// Returns `false` when the claim is no longer this process's (taken
    /// over, or made unconfirmed, after its lease).
    ///
    /// # Errors
    /// The query failed.
    pub async fn renew(&self, run_id: &RunId, changes: &str) -> Result<bool, DatabaseError> {
        super::database::bounded("renew", async {
            let renewed = sqlx::query(
                "UPDATE upload SET claimed_at = now(), updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state IN ('claimed', 'uploading') AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .execute(&self.pool)
            .await?;
            Ok(renewed.rows_affected() == 1)
        })
        .await
    }

    /// Says, under this process's claim, that dput is about to run: the row
    /// moves from `claimed` to `uploading`, so that whoever finds it after
    /// the lease knows an upload may have happened. Returns `false` when the
    /// claim is no longer this process's: dput must not run. `delayed`: the
    /// days of the DELAYED queue it goes to, recorded with it.
    ///
    /// # Errors
    /// The query failed.
    pub async fn start_upload(
        &self,
        run_id: &RunId,
        changes: &str,
        delayed: Option<u8>,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("start upload", async {
            let started = sqlx::query(
                "UPDATE upload SET state = 'uploading', claimed_at = now(), updated_at = now(),
                               delayed = $5, started_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = 'claimed' AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(delayed.map(i16::from))
            .execute(&self.pool)
            .await?;
            Ok(started.rows_affected() == 1)
        })
        .await
    }

    /// How many `.changes` the ledger shows as `unconfirmed` under any of
    /// this process's hosts.
    ///
    /// # Errors
    /// The query failed.
    pub async fn unconfirmed(&self) -> Result<i64, DatabaseError> {
        super::database::bounded("unconfirmed", async {
            Ok(sqlx::query_scalar(
                "SELECT count(*) FROM upload WHERE host = ANY($1) AND state = 'unconfirmed'",
            )
            .bind(self.hosts.keys())
            .fetch_one(&self.pool)
            .await?)
        })
        .await
    }

    /// Marks an `unconfirmed` `.changes` as `accepted`: the archive lists
    /// its version (or a newer one). Returns whether it was unconfirmed.
    ///
    /// # Errors
    /// The query failed.
    pub async fn accept_unconfirmed(
        &self,
        run_id: &RunId,
        changes: &str,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("accept unconfirmed", async {
            let accepted = sqlx::query(
                "UPDATE upload SET state = 'accepted', updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3 AND state = 'unconfirmed'",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .execute(&self.pool)
            .await?;
            Ok(accepted.rows_affected() == 1)
        })
        .await
    }

    /// Records the end of this process's claim, as [`Ending`] says (an
    /// error is kept with the attempt). The row must still be this
    /// process's: `claimed` or `uploading`, or `unconfirmed` by another
    /// process that found the claim expired (that dput succeeded, or may
    /// have, is known here, so it is recorded; a failure never moves an
    /// `unconfirmed` row back to `failed`). Returns `false` when nothing was
    /// recorded. One statement, so that a write tried again after an error
    /// never finds half of it done.
    ///
    /// # Errors
    /// The query failed.
    pub async fn finish(
        &self,
        run_id: &RunId,
        changes: &str,
        ending: Ending<'_>,
    ) -> Result<bool, DatabaseError> {
        let (state, error) = match ending {
            Ending::Uploaded => ("uploaded", None),
            Ending::Failed(error) => ("failed", Some(error)),
            Ending::Unconfirmed(error) => ("unconfirmed", Some(error)),
        };
        super::database::bounded("finish", async {
            let finished: i64 = sqlx::query_scalar(
                "WITH finished AS (
                 UPDATE upload
                    SET state = $6, last_error = $4,
                        uploaded_at = CASE WHEN $6 = 'uploaded' THEN now() ELSE uploaded_at END,
                        updated_at = now()
                  WHERE host = $1 AND run_id = $2 AND changes = $3 AND claimed_by = $5
                    AND (state IN ('claimed', 'uploading')
                         OR (state = 'unconfirmed' AND $6 <> 'failed'))
                  RETURNING host, run_id, changes, attempts
             ), attempt AS (
                 INSERT INTO upload_attempt (host, run_id, changes, attempt, error)
                 SELECT host, run_id, changes, attempts, $4 FROM finished
                  WHERE $4::text IS NOT NULL
                 ON CONFLICT (host, run_id, changes, attempt)
                    DO UPDATE SET error = EXCLUDED.error, failed_at = now()
             )
             SELECT count(*) FROM finished",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(error)
            .bind(&self.owner)
            .bind(state)
            .fetch_one(&self.pool)
            .await?;
            Ok(finished == 1)
        })
        .await
    }

    /// Gives back this process's claim on a `.changes` the reviewers'
    /// verdict stopped right before debsign: `rejected` (or
    /// `awaiting-review`), the attempt not counted, with the verdict's
    /// text (who rejected it when). Returns whether the claim was still
    /// this process's.
    ///
    /// # Errors
    /// The query failed.
    pub async fn stop(
        &self,
        run_id: &RunId,
        changes: &str,
        verdict: &crate::input::dispatch::Verdict,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("stop", async {
            let done = sqlx::query(
                "UPDATE upload SET state = $5, attempts = greatest(attempts - 1, 0),
                    claimed_by = NULL, claimed_at = NULL, last_error = $6, updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = 'claimed' AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(verdict_state(verdict))
            .bind(verdict.to_string())
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    /// The versions of `source` the ledger shows uploaded (or seen in the
    /// archive), under any host: the epoch's witness where no archive is
    /// configured. At most the 1,000 latest.
    ///
    /// # Errors
    /// The query failed.
    pub async fn uploaded_versions(&self, source: &str) -> Result<Vec<String>, DatabaseError> {
        super::database::bounded("uploaded versions", async {
            Ok(sqlx::query_scalar(
                "SELECT version FROM upload
              WHERE source = $1 AND state IN ('uploaded', 'accepted') AND version IS NOT NULL
              ORDER BY updated_at DESC LIMIT 1000",
            )
            .bind(source)
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }

    /// Records a claimed `.changes` as superseded: the archive has
    /// `archive_version` of its source (the same or newer); done, never
    /// retried. Returns whether the claim was still this process's.
    ///
    /// # Errors
    /// The query failed.
    pub async fn supersede(
        &self,
        run_id: &RunId,
        changes: &str,
        archive_version: &str,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("supersede", async {
            let done = sqlx::query(
                "UPDATE upload SET state = 'superseded', last_error = NULL, archive_version = $5,
                    updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = 'claimed' AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(archive_version)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    /// Keeps the error of the attempt the row's counter stands at.
    async fn record_attempt(
        &self,
        run_id: &RunId,
        changes: &str,
        error: &str,
    ) -> Result<(), DatabaseError> {
        sqlx::query(
            "INSERT INTO upload_attempt (host, run_id, changes, attempt, error)
             SELECT host, run_id, changes, attempts, $4 FROM upload
              WHERE host = $1 AND run_id = $2 AND changes = $3
             ON CONFLICT (host, run_id, changes, attempt)
                DO UPDATE SET error = EXCLUDED.error, failed_at = now()",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that a run failed as a whole (artifacts missing, no
    /// `.changes`, verification failed, a store or disk error), counting
    /// attempts like a `.changes`.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_failed(&self, run_id: &RunId, error: &str) -> Result<(), DatabaseError> {
        super::database::bounded("run failed", async {
            self.record_run(run_id, "failed", error).await
        })
        .await
    }

    /// Records that a run was refused: a `.changes` did not match the run's
    /// record. Never tried again (the plan skips it): trying again cannot
    /// help; `ledger retry` (or `--force`) does, once the record is fixed.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_refused(&self, run_id: &RunId, error: &str) -> Result<(), DatabaseError> {
        super::database::bounded("run refused", async {
            self.record_run(run_id, "refused", error).await
        })
        .await
    }

    /// Records that the reviewers' verdict stopped the run before anything
    /// was fetched: `rejected` (`rejected` true) or `awaiting-review`, on
    /// the run's own row, no attempt counted; the text says who rejected
    /// it when.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_stopped(
        &self,
        run_id: &RunId,
        rejected: bool,
        text: &str,
    ) -> Result<(), DatabaseError> {
        super::database::bounded("run stopped", async {
        let state = if rejected {
            "rejected"
        } else {
            "awaiting-review"
        };
        sqlx::query(
            "INSERT INTO upload AS u (host, run_id, changes, state, attempts, last_error, updated_at)
             VALUES ($1, $2, '', $4, 0, $3, now())
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = $4, last_error = $3, updated_at = now()",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(text)
        .bind(state)
        .execute(&self.pool)
        .await?;
        Ok(())
        })
        .await
    }

    /// The run as a whole (the row whose `changes` is empty) in `state`,
    /// one more attempt, with its error.
    async fn record_run(
        &self,
        run_id: &RunId,
        state: &str,
        error: &str,
    ) -> Result<(), DatabaseError> {
        sqlx::query(
            "INSERT INTO upload AS u (host, run_id, changes, state, attempts, last_error, updated_at)
             VALUES ($1, $2, '', $4, 1, $3, now())
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = $4, attempts = u.attempts + 1, last_error = $3, updated_at = now()",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(error)
        .bind(state)
        .execute(&self.pool)
        .await?;
        self.record_attempt(run_id, "", error).await
    }

    /// Forgets an earlier failure of the run as a whole, once it got through.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_succeeded(&self, run_id: &RunId) -> Result<(), DatabaseError> {
        super::database::bounded("run succeeded", async {
            sqlx::query("DELETE FROM upload WHERE host = $1 AND run_id = $2 AND changes = ''")
                .bind(&self.host)
                .bind(run_id.as_str())
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }
}

/// The ledger state of a verdict that stopped a `.changes`.
fn verdict_state(verdict: &crate::input::dispatch::Verdict) -> &'static str {
    match verdict {
        crate::input::dispatch::Verdict::Rejected { .. } => "rejected",
        crate::input::dispatch::Verdict::AwaitingReview { .. } => "awaiting-review",
    }
}
