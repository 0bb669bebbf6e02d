//! The upload budgets every process sharing the ledger spends
//! (`--max-uploads-per-hour`): a claim over one is given back, `deferred`.

use std::time::Duration;

use crate::input::rates::RateLimits;
use crate::input::run_id::RunId;
use crate::ledger::claims::Ledger;
use crate::ledger::database::DatabaseError;
use crate::ledger::state::State;

impl Ledger {
    /// Whether the claim just taken (counted) spends more than a budget:
    /// how long until the oldest upload counted against it leaves the
    /// window. Counted: uploads whose dput started within the window, and
    /// live claims on their way to dput.
    pub(super) async fn over_budget(
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
                 OR (state = $4 AND claimed_at > now() - make_interval(secs => $3))",
        )
        .bind(&self.host)
        .bind(limits.window.as_secs_f64())
        .bind(self.policy.lease.as_secs_f64())
        .bind(State::Claimed)
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
    pub(super) async fn defer(
        &self,
        tx: &mut sqlx::PgConnection,
        run_id: &RunId,
        changes: &str,
        retry_after: Duration,
    ) -> Result<(), DatabaseError> {
        sqlx::query(
            "UPDATE upload SET state = $5, attempts = attempts - 1, claimed_by = NULL,
                               claimed_at = NULL, updated_at = now(),
                               last_error = 'over the upload budget: deferred for '
                                            || round($4::numeric) || ' s'
              WHERE host = $1 AND run_id = $2 AND changes = $3",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .bind(retry_after.as_secs_f64())
        .bind(State::Deferred)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}
