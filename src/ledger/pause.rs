//! The one switch that pauses every uploader sharing the ledger: while the
//! `pause` row is there, no process claims a `.changes` (claims check it
//! in the same statement), so nothing new is uploaded; the runs stay due
//! and uploads in flight finish. `ledger pause` and `ledger resume` set it;
//! `listen` watches it for its status, gauge and catch-up.

use serde::Serialize;
use sqlx::PgPool;

use crate::ledger::database::DatabaseError;

/// The ledger is paused: why, by whom, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// Why, as the operator said.
    pub reason: String,
    /// Who paused it (`user@host`).
    pub by: String,
    /// Since when (UTC, RFC 3339).
    pub since: String,
}

/// The pause, if the ledger is paused.
///
/// # Errors
/// The query failed.
pub async fn paused(pool: &PgPool) -> Result<Option<Pause>, DatabaseError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT reason, paused_by,
                to_char(paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
           FROM pause",
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(reason, by, since)| Pause { reason, by, since }))
}

/// Pauses the ledger (or says a new reason for a pause in force); returns
/// whether it was running before.
///
/// # Errors
/// The query failed.
pub async fn pause(pool: &PgPool, reason: &str, by: &str) -> Result<bool, DatabaseError> {
    let inserted: bool = sqlx::query_scalar(
        "INSERT INTO pause (reason, paused_by) VALUES ($1, $2)
         ON CONFLICT (one) DO UPDATE SET reason = EXCLUDED.reason,
                                         paused_by = EXCLUDED.paused_by
         RETURNING (xmax = 0)",
    )
    .bind(reason)
    .bind(by)
    .fetch_one(pool)
    .await?;
    Ok(inserted)
}

/// Resumes uploads; returns whether the ledger was paused.
///
/// # Errors
/// The query failed.
pub async fn resume(pool: &PgPool) -> Result<bool, DatabaseError> {
    Ok(sqlx::query("DELETE FROM pause")
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
