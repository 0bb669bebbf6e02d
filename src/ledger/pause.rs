//! The one switch that pauses every uploader sharing the ledger: while the
//! `pause` row is there, no process claims a `.changes` (claims check it
//! in the same statement), so nothing new is uploaded; the runs stay due
//! and uploads in flight finish. `ledger pause` and `ledger resume` set it;
//! `listen` watches it for its status, gauge and catch-up.

use serde::Serialize;
use sqlx::PgPool;

use crate::input::syntax::printable;
use crate::ledger::database::DatabaseError;

/// The most bytes of a pause's reason `ledger pause` stores, and of its
/// reason and author a reader keeps.
pub const MAX_REASON_BYTES: usize = 1024;

/// The ledger is paused: why, by whom, since when. Read from a table anyone
/// with write access to the ledger can set, so the reason and author are
/// data: capped at [`MAX_REASON_BYTES`] and their control characters
/// escaped when read, before any log line, status or listing sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// Why, as the operator said (capped, escaped).
    pub reason: String,
    /// Who paused it (`user@host`; capped, escaped).
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
    Ok(row.map(|(reason, by, since)| Pause {
        reason: as_data(&reason),
        by: as_data(&by),
        since,
    }))
}

/// Text from the database as it may be printed: at most
/// [`MAX_REASON_BYTES`] (cut at a character, marked with `…`), every
/// control character escaped.
pub fn as_data(text: &str) -> String {
    let mut end = text.len().min(MAX_REASON_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = if end < text.len() { "…" } else { "" };
    format!("{}{cut}", printable(&text[..end]))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_read_as_data() {
        let forged =
            "deploy\n<0>2026-12-04T00:00:00Z  INFO upload finished run_id=forged \u{1b}[2J";
        let read = as_data(forged);
        assert!(!read.contains('\n') && !read.contains('\u{1b}'), "{read}");
        assert!(read.contains("\\u{a}<0>"), "{read}");
        let long = "é".repeat(100_000);
        let read = as_data(&long);
        assert!(
            read.len() <= MAX_REASON_BYTES + '…'.len_utf8(),
            "{}",
            read.len()
        );
        assert!(read.ends_with('…'));
        assert_eq!(as_data("maintenance"), "maintenance");
    }
}
