//! How a claimed `.changes` ends in the ledger: uploaded, failed or
//! unconfirmed, stopped by the verdict, superseded by the archive, or
//! accepted once the archive shows it.

use crate::input::names::{SourcePackage, Version};
use crate::input::run_id::RunId;
use crate::input::verdict::Verdict;
use crate::ledger::claims::{Ending, Ledger};
use crate::ledger::database::DatabaseError;
use crate::ledger::state::State;

impl Ledger {
    /// How many `.changes` the ledger shows as `unconfirmed` under any of
    /// this process's hosts.
    ///
    /// # Errors
    /// The query failed.
    pub async fn unconfirmed(&self) -> Result<i64, DatabaseError> {
        super::database::bounded("unconfirmed", async {
            Ok(sqlx::query_scalar(
                "SELECT count(*) FROM upload WHERE host = ANY($1) AND state = $2",
            )
            .bind(self.hosts.keys())
            .bind(State::Unconfirmed)
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
                "UPDATE upload SET state = $4, updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3 AND state = $5",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(State::Accepted)
            .bind(State::Unconfirmed)
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
            Ending::Uploaded => (State::Uploaded, None),
            Ending::Failed(error) => (State::Failed, Some(error)),
            Ending::Unconfirmed(error) => (State::Unconfirmed, Some(error)),
        };
        super::database::bounded("finish", async {
            let finished: i64 = sqlx::query_scalar(
                "WITH finished AS (
                 UPDATE upload
                    SET state = $6, last_error = $4,
                        uploaded_at = CASE WHEN $6 = $7 THEN now() ELSE uploaded_at END,
                        updated_at = now()
                  WHERE host = $1 AND run_id = $2 AND changes = $3 AND claimed_by = $5
                    AND (state IN ($8, $9)
                         OR (state = $10 AND $6 <> $11))
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
            .bind(State::Uploaded)
            .bind(State::Claimed)
            .bind(State::Uploading)
            .bind(State::Unconfirmed)
            .bind(State::Failed)
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
        verdict: &Verdict,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("stop", async {
            let done = sqlx::query(
                "UPDATE upload SET state = $5, attempts = greatest(attempts - 1, 0),
                    claimed_by = NULL, claimed_at = NULL, last_error = $6, updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = $7 AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(verdict_state(verdict))
            .bind(verdict.to_string())
            .bind(State::Claimed)
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
    pub async fn uploaded_versions(
        &self,
        source: &SourcePackage,
    ) -> Result<Vec<Version>, DatabaseError> {
        super::database::bounded("uploaded versions", async {
            Ok(sqlx::query_scalar(
                "SELECT version FROM upload
              WHERE source = $1 AND state = ANY($2::text[]) AND version IS NOT NULL
              ORDER BY updated_at DESC LIMIT 1000",
            )
            .bind(source)
            .bind(State::words(State::was_uploaded))
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
        archive_version: &Version,
    ) -> Result<bool, DatabaseError> {
        super::database::bounded("supersede", async {
            let done = sqlx::query(
                "UPDATE upload SET state = $6, last_error = NULL, archive_version = $5,
                    updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = $7 AND claimed_by = $4",
            )
            .bind(&self.host)
            .bind(run_id.as_str())
            .bind(changes)
            .bind(&self.owner)
            .bind(archive_version)
            .bind(State::Superseded)
            .bind(State::Claimed)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }
}

/// The ledger state of a verdict that stopped a `.changes`.
fn verdict_state(verdict: &Verdict) -> State {
    match verdict {
        Verdict::Rejected { .. } => State::Rejected,
        Verdict::AwaitingReview { .. } => State::AwaitingReview,
    }
}
