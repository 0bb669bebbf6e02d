//! The upload ledger's claims: what was uploaded where, claimed
//! atomically before signing so that backfills and `listen` replicas never
//! upload the same `.changes` to the same host twice, renewed while it is
//! signed and uploaded. One table in its own schema, created by the
//! embedded migrations in `migrations/`.

use std::sync::LazyLock;
use std::time::Duration;

use sqlx::{PgPool, Row};

use crate::input::hosts::Hosts;
use crate::input::names::{DputHost, SourcePackage, Suite, Version};
use crate::input::rates::RateLimits;
use crate::input::run_id::RunId;
use crate::ledger::database::DatabaseError;
use crate::ledger::state::State;

/// A claim on a `.changes` (`$1` host, `$2` run, `$3` changes, `$4`-`$6`
/// source, version, distribution, `$7` owner, `$8` the lease, `$9` max
/// attempts, `$10` force): a new row, or one a claim may take over (a live
/// claim past its lease, a state held back, a failure with attempts left,
/// a done one under force). A claim past its lease in `uploading` (dput
/// may have run) becomes `unconfirmed` instead. Nothing while paused.
static CLAIM: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO upload AS u
                 (host, run_id, changes, state, attempts, source, version, distribution,
                  claimed_by, claimed_at, updated_at)
             SELECT $1::text, $2::text, $3::text, {claimed}, 1, $4::text, $5::text, $6::text,
                    $7::text, now(), now()
              WHERE NOT EXISTS (SELECT FROM pause)
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = CASE WHEN u.state = {uploading} THEN {unconfirmed} ELSE {claimed} END,
                     attempts = CASE WHEN u.state = {uploading} THEN u.attempts
                                     ELSE u.attempts + 1 END,
                     claimed_by = CASE WHEN u.state = {uploading} THEN u.claimed_by
                                       ELSE EXCLUDED.claimed_by END,
                     claimed_at = CASE WHEN u.state = {uploading} THEN u.claimed_at ELSE now() END,
                     last_error = CASE WHEN u.state = {uploading}
                         THEN 'dput may have run under the claim of ' || u.claimed_by
                              || ', which stopped before recording how it went: not uploaded'
                              || ' again; ledger reconcile or ledger retry resolves it'
                         ELSE u.last_error END,
                     updated_at = now(),
                     source = EXCLUDED.source, version = EXCLUDED.version,
                     distribution = EXCLUDED.distribution
                 WHERE (u.state IN {live}
                        AND u.claimed_at < now() - make_interval(secs => $8))
                    OR u.state IN {held_back}
                    OR (u.state = {failed} AND ($9::integer IS NULL OR u.attempts < $9 OR $10))
                    OR (u.state IN {done} AND $10)
             RETURNING u.state, u.attempts",
        claimed = State::Claimed.sql(),
        uploading = State::Uploading.sql(),
        unconfirmed = State::Unconfirmed.sql(),
        live = State::sql_set(State::is_live_claim),
        held_back = State::sql_set(State::is_held_back),
        failed = State::Failed.sql(),
        done = State::sql_set(State::is_done),
    )
});

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

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process may sign and upload; this is attempt number `attempt`.
    Granted {
        /// 1 for the first attempt.
        attempt: i32,
    },
    /// Not this process's to upload now.
    Skipped(Skip),
}

/// Why a claim was not granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Uploaded before.
    AlreadyUploaded,
    /// Not uploaded before: the archive had this version or a newer one.
    Superseded {
        /// The archive's version, when it was recorded.
        archive_version: Option<Version>,
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
    pub source: &'a SourcePackage,
    /// Version.
    pub version: &'a Version,
    /// Distribution.
    pub distribution: &'a Suite,
}

/// The ledger as used by one process: its rows are keyed by the dput host
/// each suite's uploads go to; a `Ledger` writes under one of those keys
/// (see [`Ledger::for_suite`]).
#[derive(Debug, Clone)]
pub struct Ledger {
    pub(super) pool: PgPool,
    /// Kept in another database than the Janitor's: planned without a join.
    pub(super) separate: bool,
    /// Where each suite's uploads go.
    pub(super) hosts: Hosts,
    /// The key this one writes under: a suite's host's, or (until bound
    /// to a suite) the key of suites no `SUITE=HOST` names.
    pub(super) host: DputHost,
    pub(super) owner: String,
    pub(super) policy: Policy,
    /// The upload budgets every process sharing the ledger spends.
    pub(super) limits: Option<RateLimits>,
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
            host: hosts.default_key().unwrap_or_else(DputHost::default_key),
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
    pub fn for_suite(&self, suite: &Suite) -> Option<Self> {
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
    pub fn host(&self) -> &DputHost {
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
        let granted: Option<(State, i32)> = sqlx::query_as(&CLAIM)
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
        if let (Some((State::Claimed, _)), Some(limits)) = (&granted, &self.limits) {
            if let Some(retry_after) = self.over_budget(&mut tx, limits).await? {
                self.defer(&mut tx, run_id, entry.changes, retry_after)
                    .await?;
                tx.commit().await?;
                return Ok(Claim::Skipped(Skip::Deferred { retry_after }));
            }
        }
        tx.commit().await?;
        if let Some((state, attempt)) = granted {
            if state == State::Claimed {
                return Ok(Claim::Granted { attempt });
            }
            // The one other state a claim writes: `uploading` past its
            // lease became `unconfirmed`.
            tracing::warn!(run_id = %run_id, changes = entry.changes, "dput may have run under an expired claim: unconfirmed, not uploaded again");
            return Ok(Claim::Skipped(Skip::Unconfirmed));
        }
        self.why_not(run_id, entry.changes).await.map(Claim::Skipped)
        })
        .await
    }

    /// Why a claim the statement did not grant was refused: the ledger is
    /// paused, or the row's state says.
    async fn why_not(&self, run_id: &RunId, changes: &str) -> Result<Skip, DatabaseError> {
        if let Some(pause) = super::pause::paused(&self.pool).await? {
            return Ok(Skip::Paused {
                reason: pause.reason,
            });
        }
        let row = sqlx::query(
            "SELECT state, attempts, coalesce(claimed_by, '') AS claimed_by, archive_version
               FROM upload WHERE host = $1 AND run_id = $2 AND changes = $3",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .fetch_one(&self.pool)
        .await?;
        let state: State = row.try_get("state")?;
        Ok(match state {
            State::Superseded => Skip::Superseded {
                archive_version: row.try_get("archive_version")?,
            },
            State::Uploaded | State::Accepted => Skip::AlreadyUploaded,
            State::Unconfirmed => Skip::Unconfirmed,
            State::Claimed | State::Uploading => Skip::ClaimedElsewhere {
                by: row.try_get("claimed_by")?,
            },
            // Failed with no attempt left, or refused; the states held
            // back are always granted (bar a pause, answered above).
            State::Failed
            | State::Refused
            | State::Deferred
            | State::Rejected
            | State::AwaitingReview => Skip::GaveUp {
                attempts: row.try_get("attempts")?,
            },
        })
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
                AND state IN ($5, $6) AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(State::Claimed)
            .bind(State::Uploading)
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
                "UPDATE upload SET state = $7, claimed_at = now(), updated_at = now(),
                               delayed = $5, started_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = $6 AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(delayed.map(i16::from))
            .bind(State::Claimed)
            .bind(State::Uploading)
            .execute(&self.pool)
            .await?;
            Ok(started.rows_affected() == 1)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(hosts: &[&str], lease: Duration) -> Ledger {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://localhost/unused")
            .unwrap();
        let policy = Policy {
            lease,
            max_attempts: Some(3),
            force: false,
        };
        Ledger::new(pool, Hosts::parse(hosts).unwrap(), policy)
    }

    #[test]
    fn the_claim_statement_takes_over_exactly_the_states_the_enum_says() {
        let claim = CLAIM.as_str();
        assert!(
            claim.contains("u.state IN ('claimed', 'uploading')"),
            "{claim}"
        );
        assert!(
            claim.contains("u.state IN ('rejected', 'awaiting-review', 'deferred')"),
            "{claim}"
        );
        assert!(
            claim.contains("('unconfirmed', 'uploaded', 'accepted', 'superseded') AND $10"),
            "{claim}"
        );
    }

    #[tokio::test]
    async fn a_claim_is_renewed_three_times_a_lease() {
        assert_eq!(
            ledger(&[], Duration::from_secs(30)).heartbeat(),
            Duration::from_secs(10)
        );
        assert_eq!(
            ledger(&[], Duration::from_millis(30)).heartbeat(),
            Duration::from_millis(50)
        );
    }

    #[tokio::test]
    async fn a_ledger_bound_to_a_suite_writes_under_its_hosts_key() {
        let ledger = ledger(&["unstable=ftp-master", "janitor"], Duration::from_secs(30));
        assert_eq!(ledger.host(), &"janitor");
        let suite = |s: &str| s.parse::<Suite>().unwrap();
        assert_eq!(
            ledger.for_suite(&suite("unstable")).unwrap().host(),
            &"ftp-master"
        );
        assert_eq!(
            ledger.for_suite(&suite("experimental")).unwrap().host(),
            &"janitor"
        );
        let per_suite_only =
            super::tests::ledger(&["unstable=ftp-master"], Duration::from_secs(30));
        assert!(per_suite_only.for_suite(&suite("experimental")).is_none());
    }
}
