//! The run as a whole in the ledger (the row whose `changes` is empty):
//! its failures before the `.changes`, a refusal, the verdict that stopped
//! it, and each attempt's error.

use crate::input::run_id::RunId;
use crate::ledger::claims::Ledger;
use crate::ledger::database::DatabaseError;
use crate::ledger::state::State;

impl Ledger {
    /// Keeps the error of the attempt the row's counter stands at.
    pub(super) async fn record_attempt(
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
            self.record_run(run_id, State::Failed, error).await
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
            self.record_run(run_id, State::Refused, error).await
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
            State::Rejected
        } else {
            State::AwaitingReview
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
        state: State,
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
